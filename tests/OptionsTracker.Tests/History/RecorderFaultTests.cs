using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// The store unavailable while the feed runs: the feed goes on, /health says why the history is Degraded, /metrics
/// counts what waits and what was dropped (at most History:MaxPending wait); once the store is back the recorder catches
/// up with no duplicate and nothing lost that the buffer held.
/// </summary>
public sealed class RecorderFaultTests(ITestOutputHelper output)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unavailable_store_degrades_history_only_and_the_buffer_is_written_once_it_is_back()
    {
        using var host = new RecorderHost();
        // The file's directory cannot be created: its parent is a regular file (root ignores permissions, so an
        // unwritable directory would not stop the test's process).
        var blocker = Path.Combine(host.Directory, "blocked");
        await File.WriteAllTextAsync(blocker, "a file where the history's directory should be", Token);
        await using var simulator = await RecorderHost.SimulatorAsync();
        const int MaxPending = 5;
        await using var app = await TrackerApp.StartAsync(simulator, host.Settings(path: Path.Combine(blocker, "history.duckdb"), maxPending: MaxPending));
        await app.WaitForFullBoardAsync();
        var recorder = RecorderHost.Recorder(app);

        await Eventually.Until(() => recorder.GetStatus() is { Problem: not null, Dropped: >= 3 }, "snapshots dropped while the store is away");
        var sequence = app.Book.Sequence;
        await Eventually.Until(() => app.Book.Sequence > sequence + 10, "the feed to keep changing the book");

        var (status, reason) = await RecorderHost.HealthAsync(app);
        output.WriteLine($"store away: {status}: {reason}");
        Assert.Equal("Degraded", status);
        Assert.Contains("history duckdb: store unavailable", reason, StringComparison.Ordinal);
        Assert.Contains("snapshots pending", reason, StringComparison.Ordinal);
        var pending = await RecorderHost.MetricAsync(app, "optionstracker_history_pending_snapshots");
        Assert.InRange(pending, MaxPending, MaxPending + 1);
        Assert.True(await RecorderHost.MetricAsync(app, "optionstracker_history_snapshots_dropped_total") >= 3);
        Assert.True(double.IsNaN(await RecorderHost.MetricAsync(app, "optionstracker_history_last_snapshot_age_seconds")));

        // Back: the directory can be made. What waited is written, then every new snapshot.
        File.Delete(blocker);
        Directory.CreateDirectory(blocker);
        var backAt = TimeProvider.System.GetUtcNow();
        await Eventually.Until(() => recorder.GetStatus() is { Problem: null, IsOpen: true, SnapshotsWritten: >= MaxPending + 2 },
            "the recorder to catch up");
        var store = RecorderHost.Store(app);
        var range = (await store.RangeAsync("BTC", Token))!.Value;
        output.WriteLine($"after: {range.Snapshots} snapshots from {range.First:O} to {range.Last:O}, {recorder.GetStatus().Dropped} dropped");
        // Dropped: the oldest ones, one gap; every snapshot after the last dropped one is written (the buffer's, then the
        // new ones), one a second: no hole, no duplicate.
        var gap = recorder.GetStatus().LastGap;
        Assert.NotNull(gap);
        Assert.True(range.First <= backAt, $"snapshots taken while the store was away ({range.First:O}) were written");
        var everySecond = (long)((range.Last - range.First) / TimeSpan.FromSeconds(1)) + 1;
        // A loaded machine can make a capture miss its boundary, reported as one more gap; with the drops' gap alone the
        // written span is exact.
        if (await RecorderHost.MetricAsync(app, "optionstracker_history_gaps_total") <= 1)
        {
            Assert.Equal(recorder.GetStatus().Dropped, gap.Value.Missed);
            Assert.Equal(gap.Value.To.AddSeconds(1), range.First);
            Assert.Equal(everySecond, range.Snapshots);
        }
        else
        {
            Assert.True(range.Snapshots <= everySecond, $"{range.Snapshots} snapshots in {everySecond} seconds: none twice");
        }
        (status, reason) = await RecorderHost.HealthAsync(app);
        output.WriteLine($"store back: {status}: {reason}");
        Assert.DoesNotContain("unavailable", reason, StringComparison.Ordinal);
        Assert.Contains("gap", reason, StringComparison.Ordinal);
    }
}
