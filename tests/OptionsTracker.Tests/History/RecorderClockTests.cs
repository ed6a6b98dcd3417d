using Microsoft.Extensions.Time.Testing;
using OptionsTracker.History;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// The recorder's clock (a FakeTimeProvider through the host's TimeProvider): snapshots on the interval grid, a clock
/// that jumps forward leaves a gap that is reported, one that jumps back is skipped until it passes the last snapshot
/// recorded (times stay strictly increasing), and the retention runs at start and every hour, thinning old snapshots to
/// the first of each hour. On both stores: PostgreSQL's retention also folds the thinned hours into hour rows.
/// </summary>
public sealed class RecorderClockTests(ITestOutputHelper output)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A fake clock whose reading can be moved back (FakeTimeProvider's cannot); timers run on the fake one.</summary>
    private sealed class ShiftedClock(FakeTimeProvider inner) : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            inner.CreateTimer(callback, state, dueTime, period);
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Clock_jumps_leave_a_reported_gap_or_skipped_snapshots_and_retention_thins_to_hourly(string kind)
    {
        using var host = new RecorderHost();
        await using var postgres = kind == "postgres" ? await PostgresServer.StartAsync() : null;
        await using var simulator = await RecorderHost.SimulatorAsync();
        // Half a second before a whole second, three and a half seconds before a whole hour.
        var real = TimeProvider.System.GetUtcNow();
        var hour = new DateTimeOffset(real.Year, real.Month, real.Day, real.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
        var fake = new FakeTimeProvider(hour.AddSeconds(-3.5));
        var clock = new ShiftedClock(fake);
        var settings = host.Settings();
        settings["History:KeepFull"] = "01:00:00";
        settings["History:KeepHourly"] = "02:00:00";
        if (postgres is not null)
            settings["History:Postgres"] = await postgres.CreateDatabaseAsync();
        await using var app = await TrackerApp.StartAsync(simulator, settings, timeProvider: clock);
        var recorder = RecorderHost.Recorder(app);
        var store = RecorderHost.Store(app);
        Assert.Equal(kind, store.Name);
        await Eventually.Until(() => app.Book.Index.Count == simulator.InstrumentCount && app.Book.Index.All.All(s => s.ReadQuote().HasData),
            "the board loaded");
        await Eventually.Until(() => recorder.GetStatus().IsOpen, "the store open");

        // Five boundaries: hour-3 s … hour+1 s.
        for (var i = 1; i <= 5; i++)
            await StepAsync(fake, TimeSpan.FromSeconds(1), () => recorder.GetStatus().SnapshotsWritten == i, $"snapshot {i}");
        var range = await store.RangeAsync("BTC", Token);
        Assert.Equal(new RecordedRange(hour.AddSeconds(-3), hour.AddSeconds(1), 5), range);
        Assert.Null(recorder.GetStatus().LastGap);

        // Forward by an hour: the next snapshot comes an hour later, the span between is a gap (reported), and the
        // hourly retention runs, keeping of the snapshots older than KeepFull only the first of each hour.
        var before = await store.BoardAtAsync("BTC", hour.AddSeconds(-1), Token);
        Assert.Equal(hour.AddSeconds(-1), before!.AsOf);
        await StepAsync(fake, TimeSpan.FromHours(1) + TimeSpan.FromSeconds(2),
            () => recorder.GetStatus().SnapshotsWritten == 6 && recorder.GetStatus().LastGap is not null, "the snapshot after the jump");
        var gap = recorder.GetStatus().LastGap!.Value;
        Assert.Equal((hour.AddSeconds(2), hour.AddHours(1).AddSeconds(2), 3601L), (gap.From, gap.To, gap.Missed));
        // The capture before took milliseconds, so the recorder woke late: not the capture's fault.
        Assert.Equal("the recorder woke late: the clock jumped forward, or the process was paused or short of CPU", gap.Reason);
        var (status, reason) = await RecorderHost.HealthAsync(app);
        output.WriteLine($"after the jump forward: {status}: {reason}");
        Assert.Equal("Degraded", status);
        Assert.Contains("gap", reason, StringComparison.Ordinal);
        Assert.Equal(1, await RecorderHost.MetricAsync(app, "optionstracker_history_gaps_total"));
        Assert.Equal(3601, await RecorderHost.MetricAsync(app, "optionstracker_history_last_gap_seconds"));

        await Eventually.Until(async () => await RecorderHost.MetricAsync(app, "optionstracker_history_retention_rows_removed_total") > 0,
            "the hourly retention to remove rows");
        // hour-2 s and hour-1 s thin to hour-3 s (the first of their hour), hour+1 s to hour; the last one stays whole.
        Assert.Equal(hour.AddSeconds(-3), (await store.BoardAtAsync("BTC", hour.AddSeconds(-1), Token))!.AsOf);
        Assert.Equal(hour, (await store.BoardAtAsync("BTC", hour.AddSeconds(1), Token))!.AsOf);
        Assert.Equal(3, (await store.RangeAsync("BTC", Token))!.Value.Snapshots);

        // Back by ten seconds: nine boundaries pass behind the last snapshot, skipped; none is written until the clock
        // passes it, then recording goes on with a later time.
        clock.Offset = TimeSpan.FromSeconds(-10);
        for (var i = 1; i <= 9; i++)
        {
            await StepAsync(fake, TimeSpan.FromSeconds(1), () => recorder.GetStatus().Skipped == i, $"skipped snapshot {i}");
            Assert.True(recorder.GetStatus().ClockBehind);
        }
        (status, reason) = await RecorderHost.HealthAsync(app);
        output.WriteLine($"while the clock is behind: {status}: {reason}");
        Assert.Equal("Degraded", status);
        Assert.Contains("clock is behind", reason, StringComparison.Ordinal);
        Assert.Equal(6, recorder.GetStatus().SnapshotsWritten);
        Assert.Equal(9, await RecorderHost.MetricAsync(app, "optionstracker_history_snapshots_skipped_total"));

        fake.Advance(TimeSpan.FromSeconds(1)); // at the last snapshot's time again: not later, nothing taken
        await StepAsync(fake, TimeSpan.FromSeconds(1), () => recorder.GetStatus().SnapshotsWritten == 7, "the snapshot after the clock passed");
        var last = await store.RangeAsync("BTC", Token);
        Assert.Equal(hour.AddHours(1).AddSeconds(4), last!.Value.Last);
        Assert.False(recorder.GetStatus().ClockBehind);
        Assert.Equal(9, recorder.GetStatus().Skipped);
    }

    /// <summary>Moves the fake clock and waits for the recorder to have handled it.</summary>
    private static async Task StepAsync(FakeTimeProvider fake, TimeSpan by, Func<bool> done, string what)
    {
        fake.Advance(by);
        await Eventually.Until(done, what);
    }
}
