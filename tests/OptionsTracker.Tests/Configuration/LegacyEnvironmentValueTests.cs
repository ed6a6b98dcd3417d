using OptionsTracker.Configuration;

namespace OptionsTracker.Tests.Configuration;

/// <summary>The original's values are read as it read them; anything else is refused, naming the variable.</summary>
public class LegacyEnvironmentValueTests
{
    [Theory]
    [InlineData("true", true)]
    [InlineData("YES", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("No", false)]
    [InlineData("0", false)]
    [InlineData("", false)]
    public void Testnet_switch_reads_the_usual_spellings(string value, bool testnet)
    {
        var settings = LegacyEnvironment.Map(name => name == "BYBIT_TESTNET" ? value : null);

        Assert.Equal(testnet, settings.ContainsKey("Bybit:RestUrl"));
    }

    [Theory]
    [InlineData("warn", "Warning")]
    [InlineData("INFO", "Information")]
    [InlineData("information", "Information")]
    [InlineData("fatal", "Critical")]
    [InlineData("Trace", "Trace")]
    [InlineData("none", "None")]
    public void Log_level_takes_the_original_names_and_dotnet_names(string value, string level)
    {
        var settings = LegacyEnvironment.Map(name => name == "LOG_LEVEL" ? value : null);

        Assert.Equal(level, settings["Logging:LogLevel:Default"]);
    }

    [Theory]
    [InlineData("BYBIT_TESTNET", "maybe")]
    [InlineData("LOG_LEVEL", "LOUD")]
    [InlineData("REDIS_PORT", "abc")]
    [InlineData("REDIS_PORT", "-1")]
    [InlineData("REDIS_PORT", "0")]
    [InlineData("REDIS_PORT", "65536")]
    [InlineData("REDIS_DB", "-1")]
    [InlineData("REDIS_DB", "one")]
    public void A_value_the_original_would_not_have_read_is_refused_naming_the_variable(string variable, string value)
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            LegacyEnvironment.Map(name => name == variable ? value : name == "REDIS_HOST" ? "redis" : null));

        Assert.StartsWith(variable + " must be", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_host_port_and_database_make_one_connection_string()
    {
        var env = new Dictionary<string, string> { ["REDIS_HOST"] = "cache", ["REDIS_PORT"] = "6380", ["REDIS_DB"] = "3" };

        var settings = LegacyEnvironment.Map(env.GetValueOrDefault);

        var parsed = StackExchange.Redis.ConfigurationOptions.Parse(settings["Store:Redis"]!);
        var endpoint = Assert.IsType<System.Net.DnsEndPoint>(Assert.Single(parsed.EndPoints));
        Assert.Equal(("cache", 6380), (endpoint.Host, endpoint.Port));
        Assert.Equal(3, parsed.DefaultDatabase);
    }
}
