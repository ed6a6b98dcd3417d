using DuckDB.NET.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.History;

namespace OptionsTracker.Tests.History;

/// <summary>
/// Schema 4: closed days kept a second time as day runs (quotes_days) for one option's series, beside the hour runs the
/// chain reads. A series reads the same points whichever table a day is in; the day runs are in the file sorted by option
/// then time within each day; a late snapshot of a copied day, retention's thinning and a schema-3 file (its days copied
/// one a snapshot after the migration) keep the two copies equal.
/// </summary>
public sealed class DuckDbQuoteDaysTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>20:00 UTC, 40 hours: the span crosses two midnights (two days closed) and ends at noon of a third day.</summary>
    private static readonly DateTimeOffset Start = new(2026, 10, 30, 20, 0, 0, TimeSpan.Zero);

    private static readonly HistoryGeneratorSettings Settings = new()
    {
        Coins = ["BTC"],
        OptionCount = 60,
        Start = Start,
        Span = TimeSpan.FromHours(40),
        Interval = TimeSpan.FromMinutes(10),
    };

    private static readonly DateTimeOffset Oct31 = new(2026, 10, 31, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Nov1 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Nov2 = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private static readonly QuoteField[] Fields = [QuoteField.MarkPrice, QuoteField.MarkIv, QuoteField.BidPrice, QuoteField.Delta, QuoteField.OpenInterest];

    private readonly string _directory = Directory.CreateTempSubdirectory("history-days-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    private DuckDbHistoryStore Store(string name) =>
        new(Options.Create(new HistoryOptions { Path = Path.Combine(_directory, name + ".duckdb") }), NullLogger<DuckDbHistoryStore>.Instance, TimeProvider.System);

    private DuckDBConnection OpenByPath(string name)
    {
        var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = Path.Combine(_directory, name + ".duckdb") }.ToString());
        connection.Open();
        return connection;
    }

    [Fact]
    public async Task Closed_days_are_copied_as_day_runs_which_series_read_as_the_hour_runs_say()
    {
        var store = Store("days");
        await store.OpenAsync(HistoryGenerator.Source, Token);
        var late = Oct31 + TimeSpan.FromMinutes(185);
        foreach (var step in new HistoryGenerator(Settings).Steps(Token))
        {
            await store.WriteSnapshotAsync(step.Snapshot, Token);
            if (step.Snapshot.Time == Nov1)
            {
                // That write copied October 31 into the day runs; a snapshot of that day written now (late, between two
                // recorded ones) must join them, or series over the day would miss it.
                var copy = new BoardSnapshot { Time = late };
                copy.Coins.AddRange(step.Snapshot.Coins);
                copy.Quotes.AddRange(step.Snapshot.Quotes);
                await store.WriteSnapshotAsync(copy, Token);
            }
        }
        var end = Start + Settings.Interval * (Settings.SnapshotCount - 1);
        var symbols = await AssertSeriesAsync(store, end);
        var lateSeries = await store.OptionSeriesAsync(Venue.Bybit, symbols[0], Fields, late, late, TimeSpan.Zero, Token);
        Assert.Equal([late], lateSeries.Select(p => p.Time));

        // Retention thins both copies alike: the full snapshots older than a day become hourly ones.
        await store.ApplyRetentionAsync(end, TimeSpan.FromDays(1), TimeSpan.FromDays(730), Token);
        await AssertSeriesAsync(store, end);
        await store.DisposeAsync();

        using var connection = OpenByPath("days");
        Assert.Equal("4", Text(connection, "SELECT value FROM meta WHERE key = 'schema_version'"));
        Assert.Equal(Nov1.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            Text(connection, "SELECT value FROM meta WHERE key = 'quote_days_until'"));
        AssertDayRuns(connection, Nov1);
    }

    [Fact]
    public async Task A_schema_3_file_reads_its_series_from_the_hour_runs_until_its_days_are_copied_one_a_snapshot()
    {
        var store = Store("v3");
        await store.OpenAsync(HistoryGenerator.Source, Token);
        await new HistoryGenerator(Settings).WriteAsync(store, progress: null, Token);
        await store.DisposeAsync();
        using (var connection = OpenByPath("v3"))
        {
            // What a tracker of schema 3 left: no day runs, no mark of them.
            new DuckDBCommand("""
                DROP TABLE quotes_days;
                DELETE FROM meta WHERE key = 'quote_days_until';
                UPDATE meta SET value = '3' WHERE key = 'schema_version';
                """, connection).ExecuteNonQuery();
        }

        store = Store("v3");
        await store.OpenAsync(HistoryGenerator.Source, Token);
        var end = Start + Settings.Interval * (Settings.SnapshotCount - 1);
        var symbols = await AssertSeriesAsync(store, end);
        // Three snapshots of the next day: the first copies October 30, the second October 31, the third November 1.
        var board = (await store.BoardAtAsync("BTC", end, Token))!;
        for (var i = 0; i < 3; i++)
        {
            var snapshot = new BoardSnapshot { Time = Nov2 + TimeSpan.FromMinutes(i) };
            snapshot.Coins.Add("BTC");
            snapshot.Quotes.AddRange(board.Quotes);
            await store.WriteSnapshotAsync(snapshot, Token);
            await AssertSeriesAsync(store, snapshot.Time, symbols);
        }
        await store.DisposeAsync();

        using (var connection = OpenByPath("v3"))
        {
            Assert.Equal("4", Text(connection, "SELECT value FROM meta WHERE key = 'schema_version'"));
            AssertDayRuns(connection, Nov2);
        }
    }

    /// <summary>
    /// Every option's series (every snapshot, and hourly) over spans inside the day runs, across the day they end on and
    /// inside the hour runs equals the rows as <see cref="IHistoryStore.ReadQuotesAsync"/> reads them (the hour runs and
    /// recent table only). Returns the symbols.
    /// </summary>
    private static async Task<List<string>> AssertSeriesAsync(DuckDbHistoryStore store, DateTimeOffset end, List<string>? only = null)
    {
        var rows = new Dictionary<string, List<(DateTimeOffset Time, double[] Values)>>(StringComparer.Ordinal);
        await foreach (var row in store.ReadQuotesAsync("BTC", Start, end, Token))
        {
            if (!rows.TryGetValue(row.Instrument.Symbol, out var list))
                rows[row.Instrument.Symbol] = list = [];
            list.Add((row.Time, Fields.Select(f => row.Quote.Values[(int)f]).ToArray()));
        }
        var symbols = only ?? rows.Keys.Where((_, i) => i % 7 == 0).ToList();
        (DateTimeOffset From, DateTimeOffset To)[] spans =
            [(Start, end), (Start, Oct31 + TimeSpan.FromHours(5)), (Oct31 + TimeSpan.FromHours(3), Nov1 + TimeSpan.FromHours(2)), (Nov1 + TimeSpan.FromMinutes(30), end)];
        var compared = new int[spans.Length];
        foreach (var symbol in symbols)
        {
            for (var s = 0; s < spans.Length; s++)
            {
                var (from, to) = spans[s];
                // An option listed or delivered within the span has no rows in part of it, or none at all.
                var want = rows[symbol].Where(r => r.Time >= from && r.Time <= to).ToList();
                var got = await store.OptionSeriesAsync(Venue.Bybit, symbol, Fields, from, to, TimeSpan.Zero, Token);
                compared[s] += want.Count;
                Assert.Equal(want.Select(r => r.Time), got.Select(p => p.Time));
                for (var i = 0; i < want.Count; i++)
                    Assert.Equal(want[i].Values, got[i].Values);
                var hourly = await store.OptionSeriesAsync(Venue.Bybit, symbol, Fields, from, to, TimeSpan.FromHours(1), Token);
                var lastOfHour = want.GroupBy(r => r.Time.ToUnixTimeMilliseconds() / 3_600_000).Select(g => g.Last()).ToList();
                Assert.Equal(lastOfHour.Select(r => DateTimeOffset.FromUnixTimeMilliseconds(r.Time.ToUnixTimeMilliseconds() / 3_600_000 * 3_600_000)), hourly.Select(p => p.Time));
                Assert.Equal(lastOfHour.Select(r => r.Values), hourly.Select(p => p.Values));
            }
        }
        Assert.All(compared, points => Assert.True(points > 0));
        return symbols;
    }

    /// <summary>
    /// quotes_days holds exactly the rows of the hour runs and recent table before <paramref name="until"/>, each day one
    /// run in the file's own order: option by option, each in time order.
    /// </summary>
    private void AssertDayRuns(DuckDBConnection connection, DateTimeOffset until)
    {
        var cut = until.ToUnixTimeMilliseconds();
        Assert.Equal(0L, Count(connection, $"""
            SELECT count(*) FROM (
                (SELECT instrument, time_ms, mark_price, delta FROM quotes_days
                 EXCEPT ALL SELECT instrument, time_ms, mark_price, delta FROM all_quotes WHERE time_ms < {cut})
                UNION ALL
                (SELECT instrument, time_ms, mark_price, delta FROM all_quotes WHERE time_ms < {cut}
                 EXCEPT ALL SELECT instrument, time_ms, mark_price, delta FROM quotes_days))
            """));
        var copied = Count(connection, "SELECT count(*) FROM quotes_days");
        Assert.True(copied > 0);
        // Out of order: a row that comes after one of a later day, or of its day's run, a greater (option, time).
        var outOfOrder = Count(connection, """
            SELECT count(*) FROM (
                SELECT instrument, time_ms, lag(instrument) OVER (ORDER BY rowid) AS pi, lag(time_ms) OVER (ORDER BY rowid) AS pt
                FROM quotes_days)
            WHERE pi IS NOT NULL AND time_ms // 86400000 = pt // 86400000 AND (instrument < pi OR (instrument = pi AND time_ms <= pt))
            """);
        var runs = Count(connection, """
            SELECT count(*) FROM (
                SELECT time_ms // 86400000 AS day, lag(time_ms // 86400000) OVER (ORDER BY rowid) AS previous FROM quotes_days)
            WHERE previous IS DISTINCT FROM day
            """);
        output.WriteLine($"{copied} rows in quotes_days, {runs} runs, {outOfOrder} rows out of (option, time) order within a run");
        Assert.Equal(0L, outOfOrder);
    }

    private static long Count(DuckDBConnection connection, string sql)
    {
        using var command = new DuckDBCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Text(DuckDBConnection connection, string sql)
    {
        using var command = new DuckDBCommand(sql, connection);
        return (string)command.ExecuteScalar()!;
    }
}
