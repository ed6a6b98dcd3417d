using System.Net;
using Microsoft.Extensions.Logging;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Alerts;
using OptionsTracker.Tests.Fixtures;
using OptionsTracker.Tests.Store;

namespace OptionsTracker.Tests.Health;

/// <summary>
/// The log rule on an open endpoint: probes do not write lines, changes of health do (once), during outages of the
/// exchange and of Redis.
/// </summary>
public class HealthLogTests
{
    private const int Probes = 200;

    [Fact]
    public async Task Health_probes_during_an_exchange_outage_write_no_line_each()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = await TrackerApp.StartWithoutExchangeAsync(logs: logs);
        await Eventually.Until(async () =>
        {
            using var ready = await app.Client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
            return ready.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, "readiness to fail while the exchange is unreachable");
        // The change itself is logged once, whoever probes.
        await Eventually.Until(() => logs.Lines.Any(l => l.EventId == 7600 && l.Text.Contains("Unhealthy", StringComparison.Ordinal)),
            "the change of health to be logged");

        var written = await ProbeAsync(app, logs);

        Assert.True(written.Count <= 2, $"{written.Count} warning lines for {Probes} probes:\n{string.Join('\n', written.Select(l => l.Text))}");
    }

    [Fact]
    public async Task Health_probes_on_a_web_instance_while_redis_is_down_write_no_line_each()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["SOL"] }, TestContext.Current.CancellationToken);
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        var logs = new CapturingLoggerProvider();
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web"), logs: logs);
        await Eventually.Until(() => web.Book.Index.Count == simulator.InstrumentCount, "the web instance to load the board", 60);

        await redis.StopAsync();
        await Eventually.Until(() => logs.Lines.Any(l => l.EventId == 7600 && l.Text.Contains("store", StringComparison.Ordinal)),
            "the change of the store's health to be logged");
        // The connection and the stats (read every second) have met the outage and said so.
        await Eventually.Until(() => logs.Lines.Any(l => l.EventId == 4002) && logs.Lines.Any(l => l.EventId == 4014), "the connection and the stats to fail");

        var written = await ProbeAsync(web, logs);

        Assert.True(written.Count <= 2, $"{written.Count} warning lines for {Probes} probes:\n{string.Join('\n', written.Select(l => l.Text))}");
    }

    /// <summary>Probes /health and /health/ready <see cref="Probes"/> times; returns the warnings and errors written meanwhile.</summary>
    private static async Task<List<CapturedLog>> ProbeAsync(TrackerApp app, CapturingLoggerProvider logs)
    {
        var before = logs.Lines.Count;
        for (var i = 0; i < Probes; i++)
        {
            using var response = await app.Client.GetAsync(i % 2 == 0 ? "/health" : "/health/ready", TestContext.Current.CancellationToken);
        }
        var written = logs.Lines.Skip(before).Where(l => l.Level >= LogLevel.Warning).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"{Probes} probes, {written.Count} warning lines, {logs.Lines.Count} lines in all");
        return written;
    }
}
