using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Configuration;

/// <summary>
/// Settings that used to abort with a stack trace (exit 134), be accepted silently, or be reported as
/// "DataAnnotation validation failed for 'StoreOptions'": each stops the real process with exit code 1 and one
/// line on stderr naming the setting as the operator wrote it.
/// </summary>
public class MalformedSettingTests
{
    public static TheoryData<string, string[]> MalformedSettings => new()
    {
        { "Store:Redis", ["Store__Redis=127.0.0.1:notaport"] },
        { "Store:Redis", ["Store__Redis=,,,"] },
        { "Store:Redis", ["Store__Redis=foo=bar"] },
        { "Store:Redis", ["Store__Redis=connectTimeout=abc"] },
        { "Store:Redis", ["Store__Redis=redis:6379,connectTimeout=abc"] },
        { "REDIS_PORT", ["REDIS_HOST=127.0.0.1", "REDIS_PORT=abc"] },
        { "REDIS_PORT", ["REDIS_HOST=127.0.0.1", "REDIS_PORT=-1"] },
        { "REDIS_PORT", ["REDIS_HOST=127.0.0.1", "REDIS_PORT=70000"] },
        { "REDIS_DB", ["REDIS_HOST=127.0.0.1", "REDIS_DB=first"] },
        { "BYBIT_TESTNET", ["BYBIT_TESTNET=maybe"] },
        { "LOG_LEVEL", ["LOG_LEVEL=LOUD"] },
        { "Logging:LogLevel:Default", ["Logging__LogLevel__Default=LOUD"] },
        { "Logging:LogLevel:Microsoft.AspNetCore", ["Logging__LogLevel__Microsoft.AspNetCore=7"] },
        { "Bybit:MaxReconnectDelay", ["Bybit__ReconnectDelay=00:00:10", "Bybit__MaxReconnectDelay=00:00:05"] },
        { "Bybit:MaxReconnectDelay", ["WS_RECONNECT_DELAY=120"] },
        { "Bybit:MaxRestRetryDelay", ["Bybit__RestRetryDelay=00:05:00", "Bybit__MaxRestRetryDelay=00:00:01"] },
        { "Store:FlushInterval", ["Store__FlushInterval=01:00:00"] },
        { "Store:LeaseTtl", ["Store__LeaseTtl=soon"] },
        { "Store:KeyPrefix", ["Store__KeyPrefix=a b"] },
        { "Api:StreamInterval", ["Api__StreamInterval=00:05:00"] },
        { "Alerts:QueueCapacity", ["Alerts__QueueCapacity=0"] },
    };

    [Theory]
    [MemberData(nameof(MalformedSettings))]
    public async Task A_malformed_setting_stops_start_up_with_one_line_naming_it(string named, string[] variables)
    {
        var environment = variables.Select(v => v.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

        var (exitCode, stdout, stderr) = await HostProcess.RunToExitAsync(environment);

        Assert.True(exitCode == 1, $"exit code {exitCode}: {stderr}");
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Configuration error:", line);
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.DoesNotContain("DataAnnotation", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redis_password_in_a_malformed_connection_string_is_not_echoed()
    {
        var (exitCode, stdout, stderr) = await HostProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["Store__Redis"] = "redis:6379,password=hunter2-secret,connectTimeout=abc",
        });

        Assert.Equal(1, exitCode);
        Assert.Contains("Store:Redis", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", stdout + stderr, StringComparison.Ordinal);
    }
}
