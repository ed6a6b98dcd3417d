using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Health;

public class MetricsAndHealthTests
{
    [Fact]
    public async Task Metrics_expose_the_feed_counters_with_plausible_values()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC", "ETH"] }, TestContext.Current.CancellationToken);
        await using var app = await TrackerApp.StartAsync(simulator);
        await app.WaitForFullBoardAsync();
        await Eventually.Until(() => app.Report.MessagesProcessed > 1000, "some pushes");
        await app.Client.GetStringAsync("/api/stats", TestContext.Current.CancellationToken);

        var text = await app.Client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.True(Value(text, "optionstracker_messages_received_total") > 1000);
        Assert.Equal(0, Value(text, "optionstracker_malformed_messages_total"));
        Assert.Equal(0, Value(text, "optionstracker_reconnects_total"));
        Assert.Equal(simulator.InstrumentCount, Value(text, "optionstracker_subscribed_topics"));
        Assert.Equal(app.Supervisor.ShardCount, Value(text, "optionstracker_connections"));
        Assert.Equal(simulator.GetInstruments("BTC").Count, Value(text, "optionstracker_book_options{base_coin=\"BTC\"}"));
        Assert.Equal(simulator.GetInstruments("ETH").Count, Value(text, "optionstracker_book_options{base_coin=\"ETH\"}"));
        Assert.Equal(1, Value(text, "optionstracker_feed_up"));
        Assert.InRange(Value(text, "optionstracker_feed_lag_seconds"), 0, 5);
        Assert.InRange(Value(text, "optionstracker_last_message_age_seconds"), 0, 15);
        Assert.Contains("http_request_duration_seconds_bucket", text);
        Assert.Contains("/api/stats", text);
    }

    [Fact]
    public async Task Liveness_stays_up_while_readiness_reports_an_unreachable_exchange()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync();
        await Eventually.Until(async () =>
        {
            using var ready = await app.Client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
            return ready.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, "readiness to fail while the exchange is unreachable");

        using var live = await app.Client.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Contains("Healthy", await live.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Health_turns_degraded_when_the_feed_drops_and_healthy_when_it_is_back()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["SOL"] }, TestContext.Current.CancellationToken);
        await using var app = await TrackerApp.StartAsync(simulator);
        await app.WaitForFullBoardAsync();
        Assert.Equal("Healthy", await StatusAsync(app));

        simulator.Faults.RejectNewConnections = true;
        simulator.Faults.DropAllConnections();
        await Eventually.Until(async () => await StatusAsync(app) == "Unhealthy", "health to report the lost feed");
        using (var ready = await app.Client.GetAsync("/health/ready", TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);

        simulator.Faults.RejectNewConnections = false;
        await Eventually.Until(async () => await StatusAsync(app) == "Healthy", "health to recover");
    }

    [Fact]
    public async Task Health_turns_degraded_while_data_is_stale_and_healthy_when_it_flows_again()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["SOL"] }, TestContext.Current.CancellationToken);
        // Stale after 1 s of silence, long before the connection itself would be declared dead.
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?>
        {
            ["Tracker:StaleAfter"] = "00:00:01",
            ["Bybit:DataTimeout"] = "00:01:00",
            ["Bybit:PongTimeout"] = "00:01:00",
        });
        await app.WaitForFullBoardAsync();

        simulator.Faults.SilentConnections = true;
        await Eventually.Until(async () => await StatusAsync(app) == "Degraded", "health to report stale data");
        using (var json = System.Text.Json.JsonDocument.Parse(await app.Client.GetStringAsync("/health", TestContext.Current.CancellationToken)))
            Assert.Contains("no message for", json.RootElement.GetProperty("reason").GetString());

        simulator.Faults.SilentConnections = false;
        await Eventually.Until(async () => await StatusAsync(app) == "Healthy", "health to recover when data flows");
    }

    private static async Task<string?> StatusAsync(TrackerApp app)
    {
        using var response = await app.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return json.RootElement.GetProperty("status").GetString();
    }

    private static double Value(string exposition, string series)
    {
        var match = Regex.Match(exposition, "^" + Regex.Escape(series) + @" (\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{series} is not exposed");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
