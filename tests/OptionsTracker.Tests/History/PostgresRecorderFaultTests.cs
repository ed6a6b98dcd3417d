using Npgsql;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// The recorder writing into a real PostgreSQL that goes away while the feed runs: the feed goes on, /health's history
/// entry is Degraded with the store's reason, and once the server is back the snapshots that waited are written, then
/// every new one, none twice. The PostgreSQL counterpart of <see cref="RecorderFaultTests"/>.
/// </summary>
public sealed class PostgresRecorderFaultTests(ITestOutputHelper output)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stopped_server_degrades_history_only_and_after_its_restart_the_waiting_snapshots_are_written_once()
    {
        await using var server = await PostgresServer.StartAsync();
        var connectionString = await server.CreateDatabaseAsync();
        await using var simulator = await RecorderHost.SimulatorAsync();
        await using var app = await StartRecordingAsync(simulator, connectionString);
        Assert.Equal("postgres", RecorderHost.Recorder(app).GetStatus().Store);

        // A crash of the server (every backend killed): the next snapshots cannot be written.
        await server.StopAsync(immediate: true);
        var lastWritten = await AssertWaitingAsync(app, "history postgres:");

        await server.StartAgainAsync();
        await AssertCaughtUpAsync(app, connectionString, lastWritten, TimeProvider.System.GetUtcNow(), fault: "unavailable");
    }

    [Fact]
    public async Task Full_disk_degrades_history_only_and_once_space_is_freed_the_waiting_snapshots_are_written_once()
    {
        if (!TinyFilesystem.CanMount)
            Assert.Skip("mounting a tiny tmpfs needs root on Linux");
        // The database in a tablespace on a 48 MB disk; the server's WAL stays on the big one (a full WAL disk stops
        // PostgreSQL itself, which is the stopped server above).
        await using var disk = await TinyFilesystem.MountAsync(48);
        var location = Path.Combine(disk.Path, "tablespace");
        Directory.CreateDirectory(location);
        Assert.Equal(0, await TinyFilesystem.RunAsync("chown", "postgres", location));
        await using var server = await PostgresServer.StartAsync();
        var connectionString = await server.CreateDatabaseAsync(location);
        await using var simulator = await RecorderHost.SimulatorAsync();
        await using var app = await StartRecordingAsync(simulator, connectionString);

        // The disk full: the next snapshots cannot be written (PostgreSQL cannot extend the tables' files).
        await disk.FillAsync("filler");
        var lastWritten = await AssertWaitingAsync(app, "No space left on device");

        disk.Free("filler");
        await AssertCaughtUpAsync(app, connectionString, lastWritten, TimeProvider.System.GetUtcNow(), fault: "No space");
    }

    /// <summary>A tracker recording into <paramref name="connectionString"/>, its board loaded and two snapshots written.</summary>
    private static async Task<TrackerApp> StartRecordingAsync(OptionsTracker.Simulator.BybitSimulator simulator, string connectionString)
    {
        var app = await TrackerApp.StartAsync(simulator, Settings(connectionString));
        try
        {
            await app.WaitForFullBoardAsync();
            // The recorder's count, not a query: before the store's first open has created the tables, a query would fail.
            await Eventually.Until(() => RecorderHost.Recorder(app).GetStatus().SnapshotsWritten >= 2, "snapshots written to PostgreSQL");
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Once the store has failed: at least three snapshots wait, the feed keeps changing the book, and /health's history
    /// entry is Degraded with a reason that contains <paramref name="says"/> and the snapshots pending, none dropped.
    /// Returns the last snapshot written before the outage (the waiting ones were taken after it).
    /// </summary>
    private async Task<DateTimeOffset> AssertWaitingAsync(TrackerApp app, string says)
    {
        var recorder = RecorderHost.Recorder(app);
        await Eventually.Until(() => recorder.GetStatus() is { Problem: not null, Pending: >= 3 }, "snapshots waiting while the store fails");
        var lastWritten = recorder.GetStatus().LastRecorded!.Value;
        var sequence = app.Book.Sequence;
        await Eventually.Until(() => app.Book.Sequence > sequence + 10, "the feed to keep changing the book");

        var (status, reason) = await RecorderHost.HealthAsync(app);
        output.WriteLine($"store failing: {status}: {reason}");
        Assert.Equal("Degraded", status);
        Assert.Contains(says, reason, StringComparison.Ordinal);
        Assert.Contains("snapshots pending", reason, StringComparison.Ordinal);
        Assert.Equal(0, recorder.GetStatus().Dropped);
        return lastWritten;
    }

    /// <summary>Recording every second into <paramref name="connectionString"/>, no backfill, room for a minute's outage and more.</summary>
    private static Dictionary<string, string?> Settings(string connectionString) => new()
    {
        ["History:Enabled"] = "true",
        ["History:Postgres"] = connectionString,
        ["History:Interval"] = "00:00:01",
        ["History:Backfill"] = "00:00:00",
        // Room for every snapshot of the outage: nothing is dropped, so every second must be there afterwards.
        ["History:MaxPending"] = "600",
    };

    /// <summary>
    /// After an outage that began after <paramref name="lastWritten"/> and ended at <paramref name="backAt"/>: the recorder
    /// catches up, /health no longer names the <paramref name="fault"/>, nothing was dropped, and, read from PostgreSQL
    /// itself, every second is recorded once, including those taken during the outage and after it.
    /// </summary>
    private async Task AssertCaughtUpAsync(TrackerApp app, string connectionString, DateTimeOffset lastWritten, DateTimeOffset backAt, string fault)
    {
        var recorder = RecorderHost.Recorder(app);
        var writtenBefore = recorder.GetStatus().SnapshotsWritten;
        await Eventually.Until(() => recorder.GetStatus() is { Problem: null, Pending: <= 1 } s && s.LastRecorded > backAt.AddSeconds(2),
            "the recorder to catch up and record after the outage", 60);
        var (status, reason) = await RecorderHost.HealthAsync(app);
        output.WriteLine($"after the outage: {status}: {reason}; {recorder.GetStatus().SnapshotsWritten - writtenBefore} written since");
        Assert.DoesNotContain(fault, reason, StringComparison.Ordinal);
        Assert.Equal(0, recorder.GetStatus().Dropped);

        // Read from PostgreSQL itself, not through the recorder: each (coin, time) once, each option's quote once per
        // snapshot, snapshots taken during the outage and after it, and no second missing.
        Assert.Equal(0, await CountAsync(connectionString,
            "SELECT count(*) FROM (SELECT coin, time FROM snapshot_coins GROUP BY coin, time HAVING count(*) > 1) d"));
        Assert.Equal(0, await CountAsync(connectionString,
            "SELECT count(*) FROM (SELECT instrument_id, time FROM quotes GROUP BY instrument_id, time HAVING count(*) > 1) d"));
        Assert.Equal(0, await CountAsync(connectionString,
            "SELECT count(*) FROM (SELECT measure_id, time FROM measures GROUP BY measure_id, time HAVING count(*) > 1) d"));
        Assert.True(await CountAsync(connectionString,
            $"SELECT count(*) FROM snapshot_coins WHERE coin = 'BTC' AND time > '{lastWritten:O}' AND time < '{backAt:O}'") >= 3,
            "snapshots taken during the outage were written");
        Assert.True(await CountAsync(connectionString,
            $"SELECT count(*) FROM snapshot_coins WHERE coin = 'BTC' AND time > '{backAt:O}'") >= 2,
            "snapshots taken after the outage were written");
        var store = RecorderHost.Store(app);
        var range = (await store.RangeAsync("BTC", Token))!.Value;
        output.WriteLine($"{range.Snapshots} snapshots from {range.First:O} to {range.Last:O}");
        // Nothing was dropped, so a missing second can only be a tick the recorder itself missed (the shared machine
        // paused the process past a boundary), which it reports as a gap: every hole in the table is one it counted.
        var holes = await CountAsync(connectionString,
            "SELECT count(*) FROM (SELECT time - lag(time) OVER (ORDER BY time) AS step FROM snapshot_coins WHERE coin = 'BTC') s WHERE step > interval '1 second'");
        var gaps = await RecorderHost.MetricAsync(app, "optionstracker_history_gaps_total");
        output.WriteLine($"{holes} holes in the table, {gaps} gaps reported by the recorder (last: {recorder.GetStatus().LastGap})");
        if (holes == 0)
            Assert.Equal((long)((range.Last - range.First) / TimeSpan.FromSeconds(1)) + 1, range.Snapshots);
        else
            Assert.True(gaps >= holes, $"{holes} holes in the recorded seconds, {gaps} gaps reported");
        // Up to the range's last snapshot: the recorder goes on writing meanwhile.
        Assert.Equal(range.Snapshots, await CountAsync(connectionString, $"SELECT count(*) FROM snapshot_coins WHERE coin = 'BTC' AND time <= '{range.Last:O}'"));
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        // No pool: a pooled connection from before the restart would be a dead one.
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Token), System.Globalization.CultureInfo.InvariantCulture);
    }
}
