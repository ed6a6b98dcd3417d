using System.Diagnostics;

namespace OptionsTracker.Tests.Configuration;

/// <summary>A bad setting stops the real process at start-up with one line naming the setting.</summary>
public class StartupValidationTests
{
    [Theory]
    [InlineData("Bybit__WsUrl", "not a url", "Bybit:WsUrl")]
    [InlineData("Bybit__RestUrl", "ftp://example.com", "Bybit:RestUrl")]
    [InlineData("Bybit__PingInterval", "00:30:00", "Bybit:PingInterval")]
    [InlineData("Bybit__PingInterval", "soon", "Bybit:PingInterval")]
    [InlineData("Bybit__MaxTopicsPerConnection", "5000", "Bybit:MaxTopicsPerConnection")]
    [InlineData("Tracker__Assets", "BTC,e$h", "Tracker:Assets")]
    [InlineData("WS_PING_INTERVAL", "-3", "Bybit:PingInterval")]
    public async Task A_bad_setting_stops_start_up_naming_it(string variable, string value, string named)
    {
        var (exitCode, stdout, stderr) = await RunHostAsync(new Dictionary<string, string> { [variable] = value });

        Assert.Equal(1, exitCode);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("Configuration error:", line);
        Assert.Contains(named, line);
        Assert.DoesNotContain("   at ", stdout + stderr);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunHostAsync(Dictionary<string, string> environment)
    {
        var hostDll = Path.Combine(AppContext.BaseDirectory, "OptionsTracker.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", hostDll, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        // Unreachable exchange, so a host that wrongly starts does nothing harmful before the timeout.
        start.Environment["Bybit__RestUrl"] = "http://127.0.0.1:9/";
        start.Environment["Bybit__WsUrl"] = "ws://127.0.0.1:9/";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the host kept running with a bad setting");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
