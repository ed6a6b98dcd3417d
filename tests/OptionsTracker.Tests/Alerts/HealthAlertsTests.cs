using Microsoft.Extensions.Options;
using OptionsTracker.Alerts;
using OptionsTracker.Health;

namespace OptionsTracker.Tests.Alerts;

/// <summary>The feed and store state machine alone: one alert per change of state, after its grace time.</summary>
public class HealthAlertsTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static FeedReport Report(FeedState state, long reconnects = 0) =>
        new(state, $"state {state}", 100, 0, 0, reconnects, 1, 100, 100, null, TimeSpan.Zero, []);

    private static HealthAlerts Create(Action<AlertsOptions>? configure = null)
    {
        var options = new AlertsOptions { FeedDownAfter = TimeSpan.FromSeconds(60), StoreDownAfter = TimeSpan.FromSeconds(30) };
        configure?.Invoke(options);
        return new HealthAlerts(Options.Create(options));
    }

    private static List<Alert> Run(HealthAlerts health, IEnumerable<(int Seconds, FeedState State, string? StoreProblem, long Reconnects)> steps)
    {
        var alerts = new List<Alert>();
        foreach (var (seconds, state, problem, reconnects) in steps)
            health.Evaluate(Report(state, reconnects), "redis", problem, T0.AddSeconds(seconds), alerts);
        return alerts;
    }

    private static IEnumerable<(int, FeedState, string?, long)> Every10s(int from, int to, FeedState state, string? storeProblem = null, long reconnects = 0)
    {
        for (var s = from; s < to; s += 10)
            yield return (s, state, storeProblem, reconnects);
    }

    [Fact]
    public void Feed_down_longer_than_the_grace_is_reported_once_and_its_return_once()
    {
        var alerts = Run(Create(), [
            .. Every10s(0, 30, FeedState.Live),
            .. Every10s(30, 120, FeedState.Disconnected),
            .. Every10s(120, 400, FeedState.Live),
        ]);

        Assert.Equal(["feed_down", "feed_back"], alerts.Select(a => a.Name));
        Assert.Equal(T0.AddSeconds(90), alerts[0].At);
        Assert.Contains("60 s", alerts[0].Text);
        Assert.Contains("after 90 s down", alerts[1].Text);
    }

    [Fact]
    public void Feed_down_shorter_than_the_grace_is_not_reported()
    {
        var alerts = Run(Create(), [
            .. Every10s(0, 30, FeedState.Live),
            .. Every10s(30, 80, FeedState.Unreachable),
            .. Every10s(80, 200, FeedState.Live),
        ]);

        Assert.Empty(alerts);
    }

    [Fact]
    public void Stale_data_is_reported_once_then_going_down_then_back()
    {
        var alerts = Run(Create(), [
            .. Every10s(0, 200, FeedState.Stale),
            .. Every10s(200, 400, FeedState.Disconnected),
            .. Every10s(400, 500, FeedState.Live),
        ]);

        Assert.Equal(["feed_stale", "feed_down", "feed_back"], alerts.Select(a => a.Name));
    }

    [Fact]
    public void Loading_and_degraded_are_not_the_feed_being_down()
    {
        var alerts = Run(Create(), [.. Every10s(0, 300, FeedState.Loading), .. Every10s(300, 600, FeedState.Degraded)]);

        Assert.Empty(alerts);
    }

    [Fact]
    public void Store_failing_is_reported_once_and_its_return_once()
    {
        var alerts = Run(Create(), [
            .. Every10s(0, 50, FeedState.Live),
            .. Every10s(50, 500, FeedState.Live, storeProblem: "connection refused"),
            .. Every10s(500, 600, FeedState.Live),
        ]);

        Assert.Equal(["store_down", "store_back"], alerts.Select(a => a.Name));
        Assert.Contains("store redis", alerts[0].Text);
        Assert.Contains("connection refused", alerts[0].Text);
        Assert.Equal("store", alerts[0].Source);
    }

    [Fact]
    public void Reconnect_storm_is_reported_when_it_starts_and_when_it_calms()
    {
        var health = Create(o => (o.ReconnectStormCount, o.ReconnectStormWindow) = (5, TimeSpan.FromMinutes(1)));
        // 1 reconnect every 10 s: 6 within a minute, then none.
        var steps = Enumerable.Range(0, 20).Select(i => (i * 10, FeedState.Live, (string?)null, (long)i))
            .Concat(Enumerable.Range(20, 20).Select(i => (i * 10, FeedState.Live, (string?)null, 19L)));

        var alerts = Run(health, steps);

        Assert.Equal(["reconnect_storm", "reconnects_calm"], alerts.Select(a => a.Name));
        Assert.Equal(T0.AddSeconds(60), alerts[0].At);
        Assert.Equal(6, alerts[0].Value);
    }

    [Fact]
    public void Reconnects_below_the_storm_limit_raise_nothing()
    {
        var health = Create(o => (o.ReconnectStormCount, o.ReconnectStormWindow) = (5, TimeSpan.FromMinutes(1)));
        // 1 reconnect every 15 s: never more than 5 within a minute.
        var alerts = Run(health, Enumerable.Range(0, 60).Select(i => (i * 15, FeedState.Live, (string?)null, (long)i)));

        Assert.Empty(alerts);
    }
}
