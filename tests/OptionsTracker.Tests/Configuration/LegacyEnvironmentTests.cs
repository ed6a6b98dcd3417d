using Microsoft.Extensions.Configuration;
using OptionsTracker.Feed;
using OptionsTracker.Configuration;

namespace OptionsTracker.Tests.Configuration;

public class LegacyEnvironmentTests
{
    [Fact]
    public void Original_environment_names_map_onto_our_settings()
    {
        var env = new Dictionary<string, string>
        {
            ["OPTION_ASSETS"] = "btc, eth,XRP",
            ["BYBIT_TESTNET"] = "true",
            ["WS_SUBSCRIPTION_CHUNK_SIZE"] = "50",
            ["WS_PING_INTERVAL"] = "20",
            ["WS_PING_TIMEOUT"] = "7.5",
            ["WS_RECONNECT_DELAY"] = "3",
            ["LOG_LEVEL"] = "DEBUG",
        };

        var settings = LegacyEnvironment.Map(name => env.GetValueOrDefault(name));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        Assert.Equal(["BTC", "ETH", "XRP"], TrackerOptions.ReadAssets(configuration));
        Assert.Equal("https://api-testnet.bybit.com", settings["Bybit:RestUrl"]);
        Assert.Equal("wss://stream-testnet.bybit.com/v5/public/option", settings["Bybit:WsUrl"]);
        Assert.Equal("50", settings["Bybit:SubscribeChunkSize"]);
        Assert.Equal(TimeSpan.FromSeconds(20), configuration.GetValue<TimeSpan>("Bybit:PingInterval"));
        Assert.Equal(TimeSpan.FromSeconds(7.5), configuration.GetValue<TimeSpan>("Bybit:PongTimeout"));
        Assert.Equal(TimeSpan.FromSeconds(3), configuration.GetValue<TimeSpan>("Bybit:ReconnectDelay"));
        Assert.Equal("Debug", settings["Logging:LogLevel:Default"]);
    }

    [Fact]
    public void Nothing_is_mapped_when_no_original_name_is_set()
    {
        Assert.Empty(LegacyEnvironment.Map(_ => null));
    }

    [Theory]
    [InlineData("BTC,ETH", new[] { "BTC", "ETH" })]
    [InlineData("", new[] { "BTC", "ETH", "SOL" })]
    [InlineData("sol;doge", new[] { "SOL", "DOGE" })]
    public void Assets_read_as_a_comma_list_or_default(string value, string[] expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Tracker:Assets"] = value }).Build();
        Assert.Equal(expected, TrackerOptions.ReadAssets(configuration));
    }
}
