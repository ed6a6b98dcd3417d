using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OptionsTracker.Book;
using OptionsTracker.History;

namespace OptionsTracker.Benchmarks;

/// <summary>
/// The history's reads on a generated history (issue 16, "Speed"): one option's whole series, the chain at an instant
/// (BoardAtAsync and ToBook, what <c>at=</c> does), a measure over a year; DuckDB, and PostgreSQL when
/// <c>OPTIONSTRACKER_BENCH_POSTGRES</c> names a server (a connection string to its <c>postgres</c> database). The datasets
/// are generated once and cached outside the repository (<see cref="HistoryDatasets"/>). Recording's CPU cost and the
/// bytes per snapshot are measured by <c>--history-figures</c> (<see cref="HistoryFigures"/>): BenchmarkDotNet times a
/// call, it does not count the CPU a store's own threads spend.
/// </summary>
[MemoryDiagnoser]
public class HistoryBenchmarks
{
    private HistoryDatasets.Dataset _board = null!;
    private HistoryDatasets.Dataset _measures = null!;
    private DateTimeOffset _instant;

    [Params("duckdb", "postgres")]
    public string Store { get; set; } = "duckdb";

    [GlobalSetup]
    public void Setup()
    {
        if (Store == "postgres" && HistoryDatasets.PostgresServer is null)
            throw new InvalidOperationException("OPTIONSTRACKER_BENCH_POSTGRES is not set: no PostgreSQL server to measure.");
        _board = HistoryDatasets.BoardAsync(Store, HistoryDatasets.BoardDays(Store), CancellationToken.None).GetAwaiter().GetResult();
        _measures = HistoryDatasets.MeasuresYearAsync(Store, CancellationToken.None).GetAwaiter().GetResult();
        _instant = _board.Start + (_board.End - _board.Start) / 2 + TimeSpan.FromSeconds(17);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _board.Store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _measures.Store.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>One option's whole recorded span, every snapshot (30 days at 1 minute: 43,200 points), six fields.</summary>
    [Benchmark]
    public Task<IReadOnlyList<SeriesPoint>> OptionSeries() =>
        _board.Store.OptionSeriesAsync(Venue.Bybit, _board.Symbol, HistoryDatasets.SeriesFields, _board.Start, _board.End, TimeSpan.Zero, CancellationToken.None);

    /// <summary>The chain at an instant as the API's <c>at=</c> gets it: the snapshot at or before it, as a book.</summary>
    [Benchmark]
    public async Task<int> ChainAtInstant()
    {
        var board = await _board.Store.BoardAtAsync(HistoryDatasets.Coin, _instant, CancellationToken.None);
        return board!.ToBook(TimeProvider.System).Index.Count;
    }

    /// <summary><c>atm_iv_30d</c> over a year, every recorded value.</summary>
    [Benchmark]
    public Task<IReadOnlyList<SeriesPoint>> MeasureOverYear() =>
        _measures.Store.MeasureSeriesAsync(HistoryDatasets.Coin, ["atm_iv_30d"], _measures.Start, _measures.End, TimeSpan.Zero, CancellationToken.None);

    /// <summary><c>atm_iv_30d</c> over a year by day, the query behind IV rank.</summary>
    [Benchmark]
    public Task<IReadOnlyList<SeriesPoint>> MeasureOverYearDaily() =>
        _measures.Store.MeasureSeriesAsync(HistoryDatasets.Coin, ["atm_iv_30d"], _measures.Start, _measures.End, TimeSpan.FromDays(1), CancellationToken.None);
}

/// <summary>
/// The generated histories the history benchmarks read, cached outside the repository in
/// <c>$OPTIONSTRACKER_BENCH_DATA</c> (default <c>/tmp/optionstracker-history-bench</c>) or in a PostgreSQL database per
/// dataset, and reused while their settings stay the same (a marker file says a dataset was written whole).
/// </summary>
internal static class HistoryDatasets
{
    public const string Coin = "BTC";
    public const int Options = 4000;
    public static readonly DateTimeOffset Start = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly IReadOnlyList<QuoteField> SeriesFields =
        [QuoteField.MarkPrice, QuoteField.MarkIv, QuoteField.BidPrice, QuoteField.AskPrice, QuoteField.Delta, QuoteField.OpenInterest];

    public static string Directory =>
        Environment.GetEnvironmentVariable("OPTIONSTRACKER_BENCH_DATA") is { Length: > 0 } set ? set : Path.Combine(Path.GetTempPath(), "optionstracker-history-bench");

    public static string? PostgresServer => Environment.GetEnvironmentVariable("OPTIONSTRACKER_BENCH_POSTGRES") is { Length: > 0 } set ? set : null;

    /// <summary>
    /// Days of the board dataset: 30 on DuckDB; PostgreSQL's is shorter by default (<c>OPTIONSTRACKER_BENCH_PG_DAYS</c>,
    /// 3): 30 days of 4,000 options a minute are 173 M rows, tens of GB in PostgreSQL.
    /// </summary>
    public static int BoardDays(string store) =>
        int.Parse(Environment.GetEnvironmentVariable(store == "postgres" ? "OPTIONSTRACKER_BENCH_PG_DAYS" : "OPTIONSTRACKER_BENCH_DAYS") is { Length: > 0 } set
            ? set : store == "postgres" ? "3" : "30", CultureInfo.InvariantCulture);

    public sealed record Dataset(IHistoryStore Store, string Name, DateTimeOffset Start, DateTimeOffset End, string Symbol, string Notes);

    public static async Task<Dataset> BoardAsync(string store, int days, CancellationToken cancellationToken)
    {
        // Quotes only: the board's reads do not touch its measures (a measure over a year has its own dataset), and without
        // the analytics of every snapshot the 30-day board generates about three times faster.
        var settings = new HistoryGeneratorSettings { Coins = [Coin], OptionCount = Options, Start = Start, Span = TimeSpan.FromDays(days), Interval = TimeSpan.FromMinutes(1), Measures = false };
        var name = $"board-{days}d-{Options}-quotes";
        var (opened, notes) = await OpenOrGenerateAsync(store, name, settings, s => new HistoryGenerator(s).WriteAsync(OpenedStore!, new Progress<int>(n => Console.WriteLine($"  {name}: {n} snapshots")), cancellationToken), cancellationToken);
        // What was recorded: a generation stopped early (see the marker's note) leaves a shorter span.
        var end = (await opened.RangeAsync(Coin, cancellationToken))!.Value.Last;
        // A call near the money on an expiry that outlives the span: its series covers every snapshot.
        var board = (await opened.BoardAtAsync(Coin, Start, cancellationToken))!;
        var index = board.Quotes[0].Quote.IndexPrice;
        var symbol = board.Quotes.Where(q => q.Instrument.Type == OptionType.Call && q.Instrument.ExpiryUtc > end)
            .OrderBy(q => q.Instrument.ExpiryUtc).ThenBy(q => Math.Abs(q.Instrument.StrikeValue - index)).First().Instrument.Symbol;
        return new Dataset(opened, name, Start, end, symbol, notes);
    }

    /// <summary>
    /// A year of measures only, cheaply: every 10 minutes (52,560 snapshots) the names of one generated snapshot's measures
    /// (tenors, expiries, coin), their values walking around that snapshot's. A year at 1 minute would be ten times the
    /// rows; the generator's board with CoinAnalytics would take hours.
    /// </summary>
    public static async Task<Dataset> MeasuresYearAsync(string store, CancellationToken cancellationToken)
    {
        const string name = "measures-365d-10m";
        var settings = new HistoryGeneratorSettings { Coins = [Coin], OptionCount = Options, Start = Start, Span = TimeSpan.FromDays(365), Interval = TimeSpan.FromMinutes(10) };
        var (opened, notes) = await OpenOrGenerateAsync(store, name, settings, s => WriteMeasuresAsync(OpenedStore!, s, cancellationToken), cancellationToken);
        var end = Start + settings.Interval * (settings.SnapshotCount - 1);
        if (store == "postgres")
        {
            // Retention's run the day after the last point, as a recorder's would have done each day: PostgreSQL folds closed
            // days of measures into day rows (schema 5). Nothing to do on a dataset the bulk path wrote as day rows; a
            // dataset generated before schema 5 (rows) is folded here once, timed.
            var started = Stopwatch.GetTimestamp();
            await opened.ApplyRetentionAsync(end.AddDays(1), TimeSpan.FromDays(30), TimeSpan.FromDays(730), cancellationToken);
            Console.WriteLine($"  {name}: retention's run (folds closed days of measures) in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        }
        return new Dataset(opened, name, Start, end, "", notes);
    }

    private static async Task<GeneratedHistory> WriteMeasuresAsync(IHistoryStore store, HistoryGeneratorSettings settings, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var template = new HistoryGenerator(settings with { Span = settings.Interval }).Steps(cancellationToken).First().Snapshot.Measures.ToList();
        var random = new Random(settings.Seed);
        // Through the store's bulk path when it has one (a day of snapshots a batch), else one write a snapshot.
        var bulk = store as IHistoryBulkWriter;
        var batch = Enumerable.Range(0, bulk is null ? 1 : 144).Select(_ => new BoardSnapshot()).ToList();
        var filled = 0;
        double level = 0;
        long rows = 0;
        for (var i = 0; i < settings.SnapshotCount; i++)
        {
            var snapshot = batch[filled++];
            snapshot.Clear();
            snapshot.Time = settings.Start + settings.Interval * i;
            snapshot.Coins.Add(Coin);
            level = 0.999 * level + 0.01 * (random.NextDouble() - 0.5);
            foreach (var measure in template)
                snapshot.Measures.Add(measure with { Value = measure.Value * Math.Exp(level + 0.002 * (random.NextDouble() - 0.5)) });
            rows += snapshot.Measures.Count;
            if (filled == batch.Count || i == settings.SnapshotCount - 1)
            {
                if (bulk is null)
                    await store.WriteSnapshotAsync(snapshot, cancellationToken);
                else
                    await bulk.WriteSnapshotsAsync(batch.Take(filled).ToList(), cancellationToken);
                filled = 0;
            }
            if (i % 5000 == 0)
                Console.WriteLine($"  measures: {i} of {settings.SnapshotCount} snapshots");
        }
        return new GeneratedHistory(settings.SnapshotCount, 0, rows, Stopwatch.GetElapsedTime(started));
    }

    [ThreadStatic]
    private static IHistoryStore? OpenedStore;

    private static async Task<(IHistoryStore Store, string Notes)> OpenOrGenerateAsync(string store, string name, HistoryGeneratorSettings settings,
        Func<HistoryGeneratorSettings, Task<GeneratedHistory>> generate, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var marker = Path.Combine(Directory, $"{store}-{name}.done");
        var opened = await OpenAsync(store, name, cancellationToken);
        if (!File.Exists(marker))
        {
            Console.WriteLine($"Generating {store} dataset {name} ({settings.SnapshotCount} snapshots)...");
            OpenedStore = opened;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var written = await generate(settings);
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            if (store == "postgres")
                await VacuumAsync(name, cancellationToken);
            await File.WriteAllTextAsync(marker, string.Create(CultureInfo.InvariantCulture,
                $"{written.Snapshots} snapshots, {written.Quotes} quote rows, {written.Measures} measures, generated and written in {written.Elapsed.TotalMinutes:F1} min ({cpu.TotalMinutes:F1} CPU min)"), cancellationToken);
        }
        return (opened, await File.ReadAllTextAsync(marker, cancellationToken));
    }

    /// <summary>
    /// VACUUM (ANALYZE) of a freshly generated PostgreSQL dataset: what autovacuum does to a recorded history's closed
    /// partitions on its own (insert thresholds, PostgreSQL 13 on) within minutes of their last write; without it the
    /// visibility map is empty (index-only scans visit the heap) and the planner has no statistics.
    /// </summary>
    private static async Task VacuumAsync(string name, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresServer) { Database = "ot_bench_" + name.Replace('-', '_'), CommandTimeout = 3600 };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var vacuum = new NpgsqlCommand("VACUUM (ANALYZE)", connection);
        await vacuum.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<IHistoryStore> OpenAsync(string store, string name, CancellationToken cancellationToken)
    {
        IHistoryStore opened;
        if (store == "postgres")
        {
            var server = PostgresServer ?? throw new InvalidOperationException("OPTIONSTRACKER_BENCH_POSTGRES is not set.");
            var database = "ot_bench_" + name.Replace('-', '_');
            await using (var connection = new NpgsqlConnection(server))
            {
                await connection.OpenAsync(cancellationToken);
                await using var exists = new NpgsqlCommand($"SELECT 1 FROM pg_database WHERE datname = '{database}'", connection);
                if (await exists.ExecuteScalarAsync(cancellationToken) is null)
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
                    await create.ExecuteNonQueryAsync(cancellationToken);
                }
            }
            var builder = new NpgsqlConnectionStringBuilder(server) { Database = database, CommandTimeout = 600 };
            opened = new PostgresHistoryStore(Microsoft.Extensions.Options.Options.Create(new HistoryOptions { Postgres = builder.ConnectionString }), NullLogger<PostgresHistoryStore>.Instance);
        }
        else
        {
            opened = new DuckDbHistoryStore(Microsoft.Extensions.Options.Options.Create(new HistoryOptions { Path = Path.Combine(Directory, name + ".duckdb") }),
                NullLogger<DuckDbHistoryStore>.Instance, TimeProvider.System);
        }
        await opened.OpenAsync(HistoryGenerator.Source, cancellationToken);
        return opened;
    }

    /// <summary>Bytes the dataset takes: the DuckDB file (with its WAL) or the PostgreSQL database.</summary>
    public static async Task<long> SizeAsync(string store, string name, CancellationToken cancellationToken)
    {
        if (store != "postgres")
        {
            var file = new FileInfo(Path.Combine(Directory, name + ".duckdb"));
            var wal = new FileInfo(file.FullName + ".wal");
            return file.Length + (wal.Exists ? wal.Length : 0);
        }
        await using var connection = new NpgsqlConnection(PostgresServer);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT pg_database_size('ot_bench_{name.Replace('-', '_')}')", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}

/// <summary>
/// <c>--history-figures [duckdb|postgres]</c>: the figures of docs/performance.md's "History" section that
/// BenchmarkDotNet does not give: recording's cost per snapshot in wall and CPU time (the whole process's, so a store's
/// own threads count), as a share of a core at 1 minute and at 1 second; bytes per option snapshot and per day; and the
/// reads timed by hand (median of 10 after a warm-up) beside the benchmark's figures.
/// </summary>
internal static class HistoryFigures
{
    public static async Task RunAsync(string store, CancellationToken cancellationToken)
    {
        var days = HistoryDatasets.BoardDays(store);
        var board = await HistoryDatasets.BoardAsync(store, days, cancellationToken);
        var measures = await HistoryDatasets.MeasuresYearAsync(store, cancellationToken);
        Console.WriteLine($"{store}: {board.Name}: {board.Notes}");
        Console.WriteLine($"{store}: {measures.Name}: {measures.Notes}");

        var size = await HistoryDatasets.SizeAsync(store, board.Name, cancellationToken);
        var range = (await board.Store.RangeAsync(HistoryDatasets.Coin, cancellationToken))!.Value;
        var boardAt = (await board.Store.BoardAtAsync(HistoryDatasets.Coin, board.End, cancellationToken))!;
        // The option snapshots actually recorded (the dataset's marker counts them): the board grows as expiries are
        // listed, so the last board's size times the snapshots (what this printed before 4 December) overstates them.
        var rows = double.Parse(System.Text.RegularExpressions.Regex.Match(board.Notes, @"(\d+) quote rows").Groups[1].Value, CultureInfo.InvariantCulture);
        var recordedDays = range.Snapshots / 1440.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{store}: size {size / 1e9:F2} GB for {range.Snapshots} snapshots, {rows / 1e6:F1} M option snapshots ({rows / range.Snapshots:F0} options a snapshot on average, {boardAt.Quotes.Count} at the end): {size / rows:F1} B per option snapshot, {size / recordedDays / 1e6:F0} MB per day (measures, instruments and settlements included)"));
        var measureSize = await HistoryDatasets.SizeAsync(store, measures.Name, cancellationToken);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{store}: a year of measures every 10 minutes: {measureSize / 1e6:F0} MB"));

        await TimeAsync($"{store}: option series {range.Snapshots} snapshots ({recordedDays:F2} days), 6 fields, every snapshot", async () =>
            (await board.Store.OptionSeriesAsync(Venue.Bybit, board.Symbol, HistoryDatasets.SeriesFields, board.Start, board.End, TimeSpan.Zero, cancellationToken)).Count);
        await TimeAsync($"{store}: option series {recordedDays:F2} days, hourly", async () =>
            (await board.Store.OptionSeriesAsync(Venue.Bybit, board.Symbol, HistoryDatasets.SeriesFields, board.Start, board.End, TimeSpan.FromHours(1), cancellationToken)).Count);
        var instant = board.Start + (board.End - board.Start) / 2 + TimeSpan.FromSeconds(17);
        await TimeAsync($"{store}: chain at an instant (BoardAtAsync + ToBook)", async () =>
            (await board.Store.BoardAtAsync(HistoryDatasets.Coin, instant, cancellationToken))!.ToBook(TimeProvider.System).Index.Count);
        // The same call's two halves apart: the store's read, and the book built from it (in this process only).
        await TimeAsync($"{store}: of which BoardAtAsync", async () =>
            (await board.Store.BoardAtAsync(HistoryDatasets.Coin, instant, cancellationToken))!.Quotes.Count);
        var read = (await board.Store.BoardAtAsync(HistoryDatasets.Coin, instant, cancellationToken))!;
        await TimeAsync($"{store}: of which ToBook", () => Task.FromResult(read.ToBook(TimeProvider.System).Index.Count));
        await TimeAsync($"{store}: atm_iv_30d over a year, every value", async () =>
            (await measures.Store.MeasureSeriesAsync(HistoryDatasets.Coin, ["atm_iv_30d"], measures.Start, measures.End, TimeSpan.Zero, cancellationToken)).Count);
        await TimeAsync($"{store}: atm_iv_30d over a year, daily", async () =>
            (await measures.Store.MeasureSeriesAsync(HistoryDatasets.Coin, ["atm_iv_30d"], measures.Start, measures.End, TimeSpan.FromDays(1), cancellationToken)).Count);

        await board.Store.DisposeAsync();
        await measures.Store.DisposeAsync();
        await RecordingCostAsync(store, cancellationToken);
    }

    /// <summary>
    /// Writes snapshots of the 4,000-option board (generated beforehand, copied, so only the write is measured) into a
    /// fresh store after 30 warm-up snapshots, and measures the process's CPU time over 60 of them.
    /// </summary>
    private static async Task RecordingCostAsync(string store, CancellationToken cancellationToken)
    {
        const int warmUp = 30, measured = 60;
        var settings = new HistoryGeneratorSettings { Coins = [HistoryDatasets.Coin], OptionCount = HistoryDatasets.Options, Start = HistoryDatasets.Start, Span = TimeSpan.FromMinutes(warmUp + measured) };
        var snapshots = new List<BoardSnapshot>();
        foreach (var step in new HistoryGenerator(settings).Steps(cancellationToken))
        {
            var copy = new BoardSnapshot { Time = step.Snapshot.Time };
            copy.Coins.AddRange(step.Snapshot.Coins);
            copy.Quotes.AddRange(step.Snapshot.Quotes);
            copy.Measures.AddRange(step.Snapshot.Measures);
            snapshots.Add(copy);
        }
        var name = $"write-{Guid.NewGuid():N}"[..14];
        var target = await HistoryDatasets.OpenAsync(store, name, cancellationToken);
        try
        {
            foreach (var snapshot in snapshots.Take(warmUp))
                await target.WriteSnapshotAsync(snapshot, cancellationToken);
            var process = Process.GetCurrentProcess();
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var serverCpu = ServerCpu();
            var started = Stopwatch.GetTimestamp();
            foreach (var snapshot in snapshots.Skip(warmUp))
                await target.WriteSnapshotAsync(snapshot, cancellationToken);
            var wall = Stopwatch.GetElapsedTime(started) / measured;
            process.Refresh();
            var cpuPer = (process.TotalProcessorTime - cpu) / measured;
            var serverPer = (ServerCpu() - serverCpu) / measured;
            var server = store == "postgres"
                ? string.Create(CultureInfo.InvariantCulture,
                    $"; the server's processes {serverPer.TotalMilliseconds:F1} ms CPU a snapshot ({(cpuPer + serverPer).TotalSeconds / 60:P2} of a core at 1 minute with this process)")
                : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{store}: one snapshot write of {snapshots[^1].Quotes.Count} options and {snapshots[^1].Measures.Count} measures: {wall.TotalMilliseconds:F1} ms wall, {cpuPer.TotalMilliseconds:F1} ms CPU; " +
                $"CPU share of a core at 1 minute {cpuPer.TotalSeconds / 60:P2}, at 1 second {cpuPer.TotalSeconds:P1}{server}"));
            if (store == "postgres")
            {
                // Retention's hourly run at the last snapshot: the first hour (60 snapshots) is closed and becomes blocks,
                // encoded by this process (its CPU counted beside the server's).
                process.Refresh();
                cpu = process.TotalProcessorTime;
                serverCpu = ServerCpu();
                started = Stopwatch.GetTimestamp();
                await target.ApplyRetentionAsync(snapshots[^1].Time, TimeSpan.FromDays(30), TimeSpan.FromDays(730), cancellationToken);
                var compaction = Stopwatch.GetElapsedTime(started);
                process.Refresh();
                var compactionOwnCpu = process.TotalProcessorTime - cpu;
                var compactionCpu = ServerCpu() - serverCpu;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{store}: compacting one closed hour into blocks: {compaction.TotalMilliseconds:F0} ms wall, {compactionOwnCpu.TotalMilliseconds:F0} ms CPU this process, the server's processes {compactionCpu.TotalMilliseconds:F0} ms ({(compactionOwnCpu + compactionCpu).TotalSeconds / 3600:P3} of a core, once an hour)"));
            }
        }
        finally
        {
            await target.DisposeAsync();
            if (store != "postgres")
            {
                foreach (var file in System.IO.Directory.GetFiles(HistoryDatasets.Directory, name + ".duckdb*"))
                    File.Delete(file);
            }
        }
    }

    /// <summary>
    /// CPU time of every process named postgres on this machine (user + system, from /proc): the local server the harness
    /// was pointed at, whose CPU a client cannot see otherwise. Zero where /proc is absent.
    /// </summary>
    private static TimeSpan ServerCpu()
    {
        long ticks = 0;
        if (!System.IO.Directory.Exists("/proc"))
            return TimeSpan.Zero;
        foreach (var directory in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var close = stat.LastIndexOf(')');
                if (close < 0 || !stat.AsSpan(0, close).Contains("(postgres", StringComparison.Ordinal))
                    continue;
                var fields = stat[(close + 2)..].Split(' ');
                // Fields 14 and 15 of stat (utime, stime), counted from the state (field 3) after the name.
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended between the listing and the read.
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's process this one may not read: not the server the harness started.
            }
        }
        // USER_HZ is 100 on Linux.
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    private static async Task TimeAsync(string what, Func<Task<int>> run)
    {
        var count = await run();
        // Warmed up until the JIT is quiet: tiered compilation recompiles hot methods in the background (after ~100 ms,
        // then again with dynamic PGO), and one warm-up call left that to happen inside the timed calls, charged to their
        // wall and CPU time (ToBook: 40 ms a call and 63 CPU ms, against 16 and 16 with the JIT's tiers off). A running
        // tracker serves these reads from compiled code.
        var jitRounds = 0;
        var quiet = false;
        for (var compiled = System.Runtime.JitInfo.GetCompiledMethodCount(); !quiet && jitRounds < 10; jitRounds++)
        {
            for (var i = 0; i < 3; i++)
                await run();
            await Task.Delay(500);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            quiet = now - compiled < 5;
            compiled = now;
        }
        var times = new List<double>();
        // CPU time beside the wall time: on a loaded machine the wall time of a call is mostly waiting for a core, the CPU
        // time (this process's, and every local postgres process's) is what the call costs.
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var serverCpu = ServerCpu();
        for (var i = 0; i < 10; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await run();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        process.Refresh();
        var clientMs = (process.TotalProcessorTime - cpu).TotalMilliseconds / 10;
        var serverMs = (ServerCpu() - serverCpu).TotalMilliseconds / 10;
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {count} rows, median {times[5]:F1} ms, min {times[0]:F1} ms; CPU a call: {clientMs:F1} ms this process, {serverMs:F1} ms local postgres processes (warm-up: {jitRounds} rounds of 3, {(quiet ? "then the JIT was quiet" : "the JIT still compiling")})"));
    }
}
