using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsTracker.History;

namespace OptionsTracker.Tests.History;

/// <summary>
/// What history costs on disk: a realistic board (<see cref="RealisticBoard"/>) recorded minute by minute, then the
/// bytes the DuckDB file uses per option snapshot and per day (4,000 options at 1 minute = 5.76 M option snapshots).
/// Prints the figures (docs/history.md quotes them); asserts only a generous sanity bound, never a tight size. Set
/// HISTORY_DISK_MINUTES for a longer run (the default keeps the suite quick).
/// </summary>
public sealed class DuckDbDiskUseTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("history-disk-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_day_of_a_4000_option_board_at_one_minute_is_measured()
    {
        var token = TestContext.Current.CancellationToken;
        var minutes = int.TryParse(Environment.GetEnvironmentVariable("HISTORY_DISK_MINUTES"), out var m) ? m : 130;
        var start = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
        var board = new RealisticBoard(4000, start);
        await using var store = new DuckDbHistoryStore(
            Options.Create(new HistoryOptions { Path = Environment.GetEnvironmentVariable("HISTORY_DISK_FILE") ?? Path.Combine(_directory, "history.duckdb") }), NullLogger<DuckDbHistoryStore>.Instance,
            TimeProvider.System);
        await store.OpenAsync(new HistorySource("bybit", []), token);
        var empty = await store.StorageAsync(token);

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < minutes; i++)
        {
            await store.WriteSnapshotAsync(board.Snapshot, token);
            board.Step(TimeSpan.FromMinutes(1));
        }
        var writing = watch.Elapsed;
        var asWritten = await store.StorageAsync(token);
        TestContext.Current.TestOutputHelper!.WriteLine($"as written: {(double)(asWritten.UsedBytes - empty.UsedBytes) / ((long)minutes * board.Count):F1} bytes per option snapshot");
        watch.Restart();
        await store.CompactAsync(token);
        var compacting = watch.Elapsed;
        var report = await store.StorageAsync(token);

        var snapshots = (long)minutes * board.Count;
        var perOption = (double)(report.UsedBytes - empty.UsedBytes) / snapshots;
        var perDay = perOption * 4000 * 1440 / 1e6;
        var output = TestContext.Current.TestOutputHelper!;
        output.WriteLine($"{board.Count} options × {minutes} minutes = {snapshots:N0} option snapshots in {writing.TotalSeconds:F1} s " +
            $"({writing.TotalMilliseconds / minutes:F0} ms per snapshot)");
        output.WriteLine($"compaction {compacting.TotalSeconds:F1} s");
        output.WriteLine($"blocks in use {report.UsedBytes / 1e6:F1} MB (empty file {empty.UsedBytes / 1e6:F1} MB), file {report.FileBytes / 1e6:F1} MB");
        output.WriteLine($"{perOption:F1} bytes per option snapshot; {perDay:F0} MB per day for 4,000 options at 1 minute");
        output.WriteLine("compression: " + string.Join(", ", report.QuoteColumns));
        Console.WriteLine($"HISTORY DISK: {perOption:F1} B/option snapshot, {perDay:F0} MB/day; " + string.Join(", ", report.QuoteColumns));

        // A sanity bound only (the raw row is about 230 bytes): the file must not be bigger than the data uncompressed.
        Assert.InRange(perOption, 1, 300);
        var board2 = await store.BoardAtAsync("BTC", board.Time, token);
        Assert.NotNull(board2);
    }
}
