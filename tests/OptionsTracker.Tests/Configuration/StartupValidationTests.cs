using OptionsTracker.Tests.Fixtures;

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
    public Task A_bad_setting_stops_start_up_naming_it(string variable, string value, string named) =>
        HostProcess.AssertStopsNamingAsync(named, new Dictionary<string, string> { [variable] = value });

    [Theory]
    [InlineData("reader", "Tracker:Role")]
    [InlineData("web", "Store:Redis")]
    [InlineData("collector", "Store:Redis")]
    public Task A_role_that_cannot_run_stops_start_up_naming_what_it_needs(string role, string named) =>
        HostProcess.AssertStopsNamingAsync(named, new Dictionary<string, string>(), "--role", role);
}
