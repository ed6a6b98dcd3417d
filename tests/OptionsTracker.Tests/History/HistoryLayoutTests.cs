using DuckDB.NET.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// The layouts of schema version 2 and the bulk path, on both stores: a history written through the bulk path
/// (<see cref="HistoryGenerator.WriteAsync"/> uses it) reads exactly as the same history written snapshot by snapshot,
/// a repeated bulk write changes nothing, and a version-1 history is migrated when opened.
/// </summary>
public abstract class HistoryLayoutTests : IAsyncLifetime
{
    /// <summary>
    /// 20:00 UTC on the last day of October: the span crosses midnight (a day's measures closed), the first of a month
    /// (a month's measures rewritten) and 08:00 (a delivery: statuses, settlements, listings).
    /// </summary>
    protected static readonly DateTimeOffset Start = new(2026, 10, 31, 20, 0, 0, TimeSpan.Zero);

    protected static readonly HistoryGeneratorSettings Settings = new()
    {
        Coins = ["BTC"],
        OptionCount = 120,
        Start = Start,
        Span = TimeSpan.FromHours(14),
        Interval = TimeSpan.FromMinutes(5),
    };

    private readonly List<IHistoryStore> _stores = [];

    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A new store over storage of its own (<paramref name="name"/> tells two apart within a test), not opened.</summary>
    protected abstract Task<IHistoryStore> CreateStoreAsync(string name);

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
            await store.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected async Task<IHistoryStore> StoreAsync(string name)
    {
        var store = await CreateStoreAsync(name);
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task A_bulk_written_history_reads_as_the_same_history_written_snapshot_by_snapshot()
    {
        var bulk = await StoreAsync("bulk");
        Assert.IsAssignableFrom<IHistoryBulkWriter>(bulk);
        var written = await new HistoryGenerator(Settings).WriteAsync(bulk, progress: null, Token);

        var single = await StoreAsync("single");
        await single.OpenAsync(HistoryGenerator.Source, Token);
        foreach (var step in new HistoryGenerator(Settings).Steps(Token))
        {
            await single.WriteSnapshotAsync(step.Snapshot, Token);
            if (step.Settlements.Count > 0)
                await single.WriteSettlementsAsync(step.Settlements, Token);
            foreach (var (coin, points) in step.RealisedVolatility)
                await single.WriteRealisedVolatilityAsync(coin, points, Token);
        }

        Assert.Equal(Settings.SnapshotCount, written.Snapshots);
        await AssertSameHistoryAsync(single, bulk);

        // Written again (a generator run over a span already there): nothing changes.
        await new HistoryGenerator(Settings).WriteAsync(bulk, progress: null, Token);
        await AssertSameHistoryAsync(single, bulk);
    }

    private static async Task AssertSameHistoryAsync(IHistoryStore expected, IHistoryStore actual)
    {
        var range = await expected.RangeAsync("BTC", Token);
        Assert.Equal(range, await actual.RangeAsync("BTC", Token));
        var end = range!.Value.Last;
        for (var at = Start; at <= end; at += TimeSpan.FromMinutes(95))
        {
            var want = (await expected.BoardAtAsync("BTC", at, Token))!;
            var got = (await actual.BoardAtAsync("BTC", at, Token))!;
            Assert.Equal(want.AsOf, got.AsOf);
            Assert.Equal(want.Quotes.Select(q => q.Instrument.Symbol), got.Quotes.Select(q => q.Instrument.Symbol));
            for (var i = 0; i < want.Quotes.Count; i++)
            {
                var (w, g) = (want.Quotes[i].Quote, got.Quotes[i].Quote);
                Assert.Equal(w.Status, g.Status);
                Assert.Equal(w.ExchangeTimeMs, g.ExchangeTimeMs);
                Assert.Equal(w.ReceivedAtMs, g.ReceivedAtMs);
                Assert.Equal(w.DeliveryPrice, g.DeliveryPrice);
                for (var f = 0; f < QuoteFields.Count; f++)
                    Assert.Equal(w.Values[f], g.Values[f]);
            }
        }
        var board = (await expected.BoardAtAsync("BTC", end, Token))!;
        QuoteField[] fields = [QuoteField.MarkPrice, QuoteField.MarkIv, QuoteField.BidPrice, QuoteField.OpenInterest];
        foreach (var symbol in board.Quotes.Select(q => q.Instrument.Symbol).Where((_, i) => i % 17 == 0))
        {
            foreach (var interval in (TimeSpan[])[TimeSpan.Zero, TimeSpan.FromHours(1)])
            {
                var want = await expected.OptionSeriesAsync(Venue.Bybit, symbol, fields, Start, end, interval, Token);
                var got = await actual.OptionSeriesAsync(Venue.Bybit, symbol, fields, Start, end, interval, Token);
                Assert.NotEmpty(want);
                AssertSameSeries(want, got);
            }
        }
        string[] names = ["atm_iv_30d", "index_price", "rr25_7d", "atm_iv_30d"];
        foreach (var interval in (TimeSpan[])[TimeSpan.Zero, TimeSpan.FromHours(1), TimeSpan.FromDays(1)])
        {
            var want = await expected.MeasureSeriesAsync("BTC", names, Start, end, interval, Token);
            Assert.NotEmpty(want);
            AssertSameSeries(want, await actual.MeasureSeriesAsync("BTC", names, Start, end, interval, Token));
        }
        Assert.Equal(await expected.SettlementsAsync("BTC", Start, end, Token), await actual.SettlementsAsync("BTC", Start, end, Token));
        Assert.Equal(await expected.RealisedVolatilityAsync("BTC", 30, Start, end, Token), await actual.RealisedVolatilityAsync("BTC", 30, Start, end, Token));
    }

    private static void AssertSameSeries(IReadOnlyList<SeriesPoint> want, IReadOnlyList<SeriesPoint> got)
    {
        Assert.Equal(want.Select(p => p.Time), got.Select(p => p.Time));
        for (var i = 0; i < want.Count; i++)
            Assert.Equal(want[i].Values, got[i].Values);
    }
}

/// <summary>The layout tests on DuckDB files, and the DuckDB store's own layout: measures sorted by day and month, migration from version 1.</summary>
public sealed class DuckDbHistoryLayoutTests(ITestOutputHelper output) : HistoryLayoutTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("history-layout-").FullName;

    private string FileOf(string name) => Path.Combine(_directory, name + ".duckdb");

    protected override Task<IHistoryStore> CreateStoreAsync(string name) =>
        Task.FromResult<IHistoryStore>(new DuckDbHistoryStore(
            Options.Create(new HistoryOptions { Path = FileOf(name) }), NullLogger<DuckDbHistoryStore>.Instance, TimeProvider.System));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Every_open_writes_row_groups_of_the_store_s_size_which_the_file_does_not_keep()
    {
        // Two opens of one file, each writing 14 hours of a 120-option board every 5 minutes with its measures (~30,000
        // measure rows: more than one small row group, less than one of DuckDB's default 122,880; the quotes are blocks,
        // a few thousand rows).
        var path = FileOf("groups");
        var second = Settings with { Start = Start + Settings.Span, Seed = 7 };
        foreach (var settings in new[] { Settings, second })
        {
            var store = new DuckDbHistoryStore(Options.Create(new HistoryOptions { Path = path }), NullLogger<DuckDbHistoryStore>.Instance, TimeProvider.System);
            await store.OpenAsync(HistoryGenerator.Source, Token);
            await new HistoryGenerator(settings).WriteAsync(store, null, Token);
            await store.CompactAsync(Token);
            await store.DisposeAsync();
        }

        await using var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = Path.GetFullPath(path) }.ToString());
        await connection.OpenAsync(Token);
        var groups = RowGroups(connection, "measures_recent");
        Assert.Equal(Scalar(connection, "SELECT count(*) FROM measures_recent"), groups.Sum());
        Assert.True(groups.Count >= 3, $"{groups.Count} row groups");
        Assert.All(groups, rows => Assert.InRange(rows, 1, DuckDbHistoryStore.RowGroupSize));
        // The same file opened by path (DuckDB's default) writes a table in the default size: the size is the store's
        // ATTACH option on every open, not a property of the file.
        new DuckDBCommand("CREATE TABLE scratch AS SELECT * FROM measures_recent", connection).ExecuteNonQuery();
        Assert.Contains(RowGroups(connection, "scratch"), rows => rows > DuckDbHistoryStore.RowGroupSize);
        output.WriteLine($"measures_recent: {groups.Count} row groups of {string.Join(", ", groups)} rows");
    }

    private static List<long> RowGroups(DuckDBConnection connection, string table)
    {
        using var command = new DuckDBCommand($"""
            SELECT row_group_id, max(count)::BIGINT FROM (
                SELECT row_group_id, column_id, sum(count) AS count FROM pragma_storage_info('{table}')
                WHERE segment_type <> 'VALIDITY' GROUP BY ALL)
            GROUP BY row_group_id ORDER BY row_group_id
            """, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<long>();
        while (reader.Read())
            rows.Add(reader.GetInt64(1));
        return rows;
    }

    [Fact]
    public async Task The_store_s_instance_keeps_to_the_configured_memory_limit_not_DuckDB_s_80_percent_of_RAM()
    {
        var path = FileOf("memory");
        await using var store = new DuckDbHistoryStore(
            Options.Create(new HistoryOptions { Path = path, DuckDbMemoryLimit = "300MB" }), NullLogger<DuckDbHistoryStore>.Instance, TimeProvider.System);
        await store.OpenAsync(HistoryGenerator.Source, Token);

        // A connection to the store's own instance (DuckDB.NET shares one per data source in a process): the setting is
        // the instance's, so every connection of the store has it.
        await using var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = store.InstanceFile }.ToString());
        await connection.OpenAsync(Token);
        var shown = (string)new DuckDBCommand("SELECT current_setting('memory_limit')", connection).ExecuteScalar()!;
        // DuckDB shows it in binary units, rounded ("286.1 MiB").
        var bytes = new HistoryOptions { DuckDbMemoryLimit = shown.Replace(" ", "", StringComparison.Ordinal) }.DuckDbMemoryLimitBytes();
        Assert.NotNull(bytes);
        Assert.InRange(bytes.Value, 299_000_000, 301_000_000);
        output.WriteLine($"memory_limit {shown}");
    }

    [Theory]
    [InlineData("2GB", 2_000_000_000L)]
    [InlineData(" 512 MB ", 512_000_000L)]
    [InlineData("1.5GiB", 1_610_612_736L)]
    [InlineData("300mb", 300_000_000L)]
    public void A_memory_limit_is_read_as_DuckDB_reads_it(string text, long bytes)
    {
        var options = new HistoryOptions { DuckDbMemoryLimit = text };
        Assert.Equal(bytes, options.DuckDbMemoryLimitBytes());
        Assert.Empty(Errors(options));
    }

    [Theory]
    [InlineData("lots", "must be a size such as 2GB", true)]
    [InlineData("2", "must be a size such as 2GB", true)]
    [InlineData("2GB'; DROP TABLE quotes; --", "must be a size such as 2GB", true)]
    [InlineData("100MB", "must be at least 128MB", false)]
    public void A_memory_limit_that_is_no_size_or_too_small_is_refused_with_the_reason(string text, string reason, bool notASize)
    {
        var options = new HistoryOptions { DuckDbMemoryLimit = text };
        Assert.Contains(Errors(options), error => error.Contains(reason, StringComparison.Ordinal));
        // What is no size never reaches SQL, even from a store made in code (no options validation).
        if (notASize)
            Assert.Throws<ArgumentException>(() => new DuckDbHistoryStore(Options.Create(options), NullLogger<DuckDbHistoryStore>.Instance, TimeProvider.System));
    }

    private static List<string> Errors(HistoryOptions options)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage ?? "").ToList();
    }

    [Fact]
    public async Task Closed_days_and_months_of_measures_are_kept_sorted_by_measure_then_time()
    {
        var store = await StoreAsync("sorted");
        await store.OpenAsync(HistoryGenerator.Source, Token);
        // Snapshot by snapshot, as the recorder writes: the day and month moves happen at the boundaries.
        foreach (var step in new HistoryGenerator(Settings).Steps(Token))
            await store.WriteSnapshotAsync(step.Snapshot, Token);

        var last = Start + Settings.Interval * (Settings.SnapshotCount - 1);
        var today = new DateTimeOffset(last.UtcDateTime.Date, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var month = new DateTimeOffset(last.Year, last.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        // Closed first: the store's instance has the file attached, and a second instance over one file must not write.
        await store.DisposeAsync();
        await using var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = Path.GetFullPath(FileOf("sorted")) }.ToString());
        await connection.OpenAsync(Token);
        // Only today's rows wait in the recent table; the closed days (here: October's last evening) moved out.
        Assert.Equal(0L, Scalar(connection, $"SELECT count(*) FROM measures_recent WHERE time_ms < {today}"));
        Assert.True(Scalar(connection, $"SELECT count(*) FROM measures_recent") > 0);
        var closed = Scalar(connection, $"SELECT count(*) FROM measures WHERE time_ms < {month}");
        Assert.True(closed > 0);
        // In the file's own order, the closed month is one run: measure by measure, each in time order.
        Assert.Equal(0L, Scalar(connection, $"""
            SELECT count(*) FROM (
                SELECT measure, time_ms, lag(measure) OVER (ORDER BY rowid) AS pm, lag(time_ms) OVER (ORDER BY rowid) AS pt
                FROM measures WHERE time_ms < {month})
            WHERE pm IS NOT NULL AND (measure < pm OR (measure = pm AND time_ms <= pt))
            """));
        Assert.Equal("4", (string)new DuckDBCommand("SELECT value FROM meta WHERE key = 'schema_version'", connection).ExecuteScalar()!);
        output.WriteLine($"{closed} measure rows of the closed month in one run; {Scalar(connection, "SELECT count(*) FROM measures_recent")} of today recent");
    }

    [Fact]
    public async Task A_version_1_file_has_its_measures_migrated_when_opened()
    {
        var path = FileOf("v1");
        var t0 = new DateTimeOffset(2026, 9, 30, 23, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        // The version-1 schema (as the store created it before version 2): measures named by strings, time-major.
        await using (var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = Path.GetFullPath(path) }.ToString()))
        {
            await connection.OpenAsync(Token);
            var v1 = $"""
                CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
                CREATE TABLE instruments (
                    id INTEGER PRIMARY KEY, venue VARCHAR NOT NULL, symbol VARCHAR NOT NULL, coin VARCHAR NOT NULL, settle_coin VARCHAR,
                    expiry_ms BIGINT NOT NULL, strike VARCHAR NOT NULL, type VARCHAR NOT NULL, tick_size DOUBLE, qty_step DOUBLE,
                    status VARCHAR NOT NULL, UNIQUE (venue, symbol));
                CREATE TABLE snapshots (time_ms BIGINT NOT NULL, coin VARCHAR NOT NULL, options INTEGER NOT NULL, PRIMARY KEY (time_ms, coin));
                CREATE TABLE measures (time_ms BIGINT NOT NULL, coin VARCHAR NOT NULL, name VARCHAR NOT NULL, value DOUBLE);
                INSERT INTO meta VALUES ('source_label', 'simulator'), ('source_urls', ''), ('schema_version', '1');
                INSERT INTO snapshots SELECT {t0} + i * 600000, coin, 0 FROM range(0, 300) t(i), (VALUES ('BTC'), ('ETH')) c(coin);
                INSERT INTO measures
                SELECT {t0} + i * 600000, coin, name, CASE WHEN i % 7 = 3 THEN NULL ELSE i * 0.25 + length(name) + length(coin) END
                FROM range(0, 300) t(i), (VALUES ('BTC'), ('ETH')) c(coin), (VALUES ('atm_iv_30d'), ('index_price'), ('rr25_7d')) n(name);
                """;
            await using var command = new DuckDBCommand(v1, connection);
            await command.ExecuteNonQueryAsync(Token);
        }

        var store = await StoreAsync("v1");
        await store.OpenAsync(HistoryGenerator.Source, Token);
        var from = DateTimeOffset.FromUnixTimeMilliseconds(t0);
        var to = from + TimeSpan.FromMinutes(10 * 299);
        var series = await store.MeasureSeriesAsync("ETH", ["index_price", "atm_iv_30d"], from, to, TimeSpan.Zero, Token);
        Assert.Equal(300, series.Count);
        for (var i = 0; i < 300; i++)
        {
            Assert.Equal(from + TimeSpan.FromMinutes(10 * i), series[i].Time);
            Assert.Equal(i % 7 == 3 ? double.NaN : i * 0.25 + "index_price".Length + 3, series[i].Values[0]);
            Assert.Equal(i % 7 == 3 ? double.NaN : i * 0.25 + "atm_iv_30d".Length + 3, series[i].Values[1]);
        }
        // A new snapshot's measures join the migrated ones under the same ids.
        var snapshot = new BoardSnapshot { Time = to + TimeSpan.FromMinutes(10) };
        snapshot.Coins.Add("ETH");
        snapshot.Measures.Add(new RecordedMeasure("ETH", "index_price", 42));
        await store.WriteSnapshotAsync(snapshot, Token);
        var after = await store.MeasureSeriesAsync("ETH", ["index_price"], to, snapshot.Time, TimeSpan.Zero, Token);
        Assert.Equal([to, snapshot.Time], after.Select(p => p.Time));
        Assert.Equal(42, after[^1].Values[0]);
        await store.DisposeAsync();
        await using (var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = Path.GetFullPath(path) }.ToString()))
        {
            await connection.OpenAsync(Token);
            Assert.Equal("4", (string)new DuckDBCommand("SELECT value FROM meta WHERE key = 'schema_version'", connection).ExecuteScalar()!);
            Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'measures_v1'"));
            Assert.Equal(6L, Scalar(connection, "SELECT count(*) FROM measure_names"));
        }
    }

    [Fact]
    public async Task Closed_hours_are_blocks_closed_days_one_run_by_option_and_every_read_gives_each_value_back_bit_for_bit()
    {
        var store = await StoreAsync("blocks");
        await store.OpenAsync(HistoryGenerator.Source, Token);
        // Snapshot by snapshot, as the recorder writes: hours become blocks at each hour, the day's blocks one run at midnight.
        var expected = await WriteStepsAsync(store, Settings, _ => true);

        var times = expected.Keys.Select(k => k.Time).Distinct().Order().ToList();
        var last = times[^1];
        // A closed day (October's evening), a closed hour of the open day, and the open hour (rows).
        foreach (var at in new[] { times[3], times.First(t => t.Date == last.Date && t.Hour == last.Hour - 2), last })
            AssertBoard(expected, at, (await store.BoardAtAsync("BTC", at.AddSeconds(30), Token))!);
        AssertSeriesAndExport(expected, store, times[0], last);

        await store.DisposeAsync();
        await using var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = Path.GetFullPath(FileOf("blocks")) }.ToString());
        await connection.OpenAsync(Token);
        var today = new DateTimeOffset(last.UtcDateTime.Date, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var openHour = last.ToUnixTimeMilliseconds() / 3_600_000 * 3_600_000;
        Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM quotes"));
        Assert.Equal(0L, Scalar(connection, $"SELECT count(*) FROM quotes_recent WHERE time_ms < {openHour}"));
        Assert.Equal(0L, Scalar(connection, $"SELECT count(*) FROM quote_hours WHERE first_ms < {today} OR first_ms >= {openHour}"));
        Assert.Equal(0L, Scalar(connection, $"SELECT count(*) FROM quote_days WHERE first_ms >= {today}"));
        Assert.True(Scalar(connection, "SELECT count(*) FROM quote_days") > 0);
        Assert.True(Scalar(connection, "SELECT count(*) FROM quote_hours") > 0);
        // In the file's own order a closed day is one run: option by option, each in time order; a block within one hour.
        Assert.Equal(0L, Scalar(connection, """
            SELECT count(*) FROM (
                SELECT instrument, first_ms, last_ms, lag(instrument) OVER (ORDER BY rowid) AS pi, lag(first_ms) OVER (ORDER BY rowid) AS pf
                FROM quote_days)
            WHERE first_ms // 3600000 <> last_ms // 3600000 OR (pi IS NOT NULL AND (instrument < pi OR (instrument = pi AND first_ms <= pf)))
            """));
        output.WriteLine($"{Scalar(connection, "SELECT count(*) FROM quote_days")} blocks of closed days, {Scalar(connection, "SELECT count(*) FROM quote_hours")} of closed hours today");

        // The blocks are stored as they are, never compressed again (FSST, chosen by DuckDB on its own for blobs that
        // repeat, made every read decompress them): even blocks repeated 40,000 times stay uncompressed.
        new DuckDBCommand("""
            INSERT INTO quote_days SELECT q.* FROM (SELECT * FROM quote_days LIMIT 20) q, range(2000);
            INSERT INTO quote_hours SELECT q.* FROM (SELECT * FROM quote_hours LIMIT 20) q, range(2000);
            CHECKPOINT;
            """, connection).ExecuteNonQuery();
        foreach (var table in new[] { "quote_days", "quote_hours" })
        {
            Assert.Equal(0L, Scalar(connection,
                $"SELECT count(*) FROM pragma_storage_info('{table}') WHERE column_name = 'block' AND segment_type = 'BLOB' AND compression <> 'Uncompressed'"));
            Assert.True(Scalar(connection, $"SELECT count(*) FROM pragma_storage_info('{table}') WHERE column_name = 'block' AND segment_type = 'BLOB'") > 0);
        }
    }

    [Fact]
    public async Task A_schema_3_file_keeps_its_sorted_rows_which_every_read_takes_beside_the_new_blocks()
    {
        var path = FileOf("v3");
        // The first hour written and closed in schema 3's layout: sorted rows in quotes, no block tables.
        var store = await StoreAsync("v3");
        await store.OpenAsync(HistoryGenerator.Source, Token);
        var firstHourEnd = Start.AddHours(1);
        var expected = await WriteStepsAsync(store, Settings, step => step < firstHourEnd);
        await store.DisposeAsync();
        await using (var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = Path.GetFullPath(path) }.ToString()))
        {
            await connection.OpenAsync(Token);
            Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM quote_hours"));
            new DuckDBCommand("""
                INSERT INTO quotes SELECT * FROM quotes_recent ORDER BY instrument, time_ms;
                DELETE FROM quotes_recent;
                DROP TABLE quote_hours;
                DROP TABLE quote_days;
                UPDATE meta SET value = '3' WHERE key = 'schema_version';
                """, connection).ExecuteNonQuery();
        }

        var reopened = await StoreAsync("v3");
        await reopened.OpenAsync(HistoryGenerator.Source, Token);
        foreach (var (key, quote) in await WriteStepsAsync(reopened, Settings, step => step >= firstHourEnd))
            expected[key] = quote;
        var times = expected.Keys.Select(k => k.Time).Distinct().Order().ToList();
        AssertBoard(expected, times[2], (await reopened.BoardAtAsync("BTC", times[2], Token))!);
        AssertBoard(expected, times[20], (await reopened.BoardAtAsync("BTC", times[20], Token))!);
        AssertSeriesAndExport(expected, reopened, times[0], times[^1]);
        await reopened.DisposeAsync();
        await using (var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = Path.GetFullPath(path) }.ToString()))
        {
            await connection.OpenAsync(Token);
            Assert.Equal("4", (string)new DuckDBCommand("SELECT value FROM meta WHERE key = 'schema_version'", connection).ExecuteScalar()!);
            Assert.Equal(0L, Scalar(connection, $"SELECT count(*) FROM quotes WHERE time_ms >= {firstHourEnd.ToUnixTimeMilliseconds()}"));
            Assert.True(Scalar(connection, "SELECT count(*) FROM quotes") > 0);
            Assert.True(Scalar(connection, "SELECT count(*) FROM quote_days") + Scalar(connection, "SELECT count(*) FROM quote_hours") > 0);
        }
    }

    /// <summary>Writes the generated steps <paramref name="take"/> keeps, snapshot by snapshot; returns each quote written by (time, symbol).</summary>
    private static async Task<Dictionary<(DateTimeOffset Time, string Symbol), OptionQuote>> WriteStepsAsync(
        IHistoryStore store, HistoryGeneratorSettings settings, Func<DateTimeOffset, bool> take)
    {
        var written = new Dictionary<(DateTimeOffset, string), OptionQuote>();
        foreach (var step in new HistoryGenerator(settings).Steps(Token))
        {
            if (!take(step.Snapshot.Time))
                continue;
            await store.WriteSnapshotAsync(step.Snapshot, Token);
            foreach (var quote in step.Snapshot.Quotes)
                written[(step.Snapshot.Time, quote.Instrument.Symbol)] = quote.Quote;
        }
        return written;
    }

    private static void AssertBoard(Dictionary<(DateTimeOffset Time, string Symbol), OptionQuote> expected, DateTimeOffset at, HistoricalBoard board)
    {
        Assert.Equal(at, board.AsOf);
        var want = expected.Where(e => e.Key.Time == at).OrderBy(e => e.Key.Symbol, StringComparer.Ordinal).ToList();
        Assert.Equal(want.Select(e => e.Key.Symbol), board.Quotes.Select(q => q.Instrument.Symbol));
        for (var i = 0; i < want.Count; i++)
            AssertSameQuote(want[i].Value, board.Quotes[i].Quote);
    }

    private static void AssertSeriesAndExport(
        Dictionary<(DateTimeOffset Time, string Symbol), OptionQuote> expected, IHistoryStore store, DateTimeOffset from, DateTimeOffset to)
    {
        var symbol = expected.Keys.GroupBy(k => k.Symbol).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        var fields = Enum.GetValues<QuoteField>();
        var series = store.OptionSeriesAsync(Venue.Bybit, symbol, fields, from, to, TimeSpan.Zero, Token).GetAwaiter().GetResult();
        var want = expected.Where(e => e.Key.Symbol == symbol).OrderBy(e => e.Key.Time).ToList();
        Assert.Equal(want.Select(e => e.Key.Time), series.Select(p => p.Time));
        for (var i = 0; i < want.Count; i++)
        {
            for (var f = 0; f < fields.Length; f++)
                Assert.Equal(BitConverter.DoubleToInt64Bits(want[i].Value.Values[f]), BitConverter.DoubleToInt64Bits(series[i].Values[f]));
        }
        // The export: every quote once, in (time, venue, symbol) order, each as written.
        var rows = store.ReadQuotesAsync("BTC", from, to, Token).ToListAsync(Token).AsTask().GetAwaiter().GetResult();
        Assert.Equal(
            expected.Keys.OrderBy(k => k.Time).ThenBy(k => k.Symbol, StringComparer.Ordinal),
            rows.Select(r => (r.Time, r.Instrument.Symbol)));
        foreach (var row in rows)
            AssertSameQuote(expected[(row.Time, row.Instrument.Symbol)], row.Quote);
    }

    private static void AssertSameQuote(OptionQuote want, OptionQuote got)
    {
        Assert.Equal(want.ExchangeTimeMs, got.ExchangeTimeMs);
        Assert.Equal(want.ReceivedAtMs, got.ReceivedAtMs);
        Assert.Equal(want.Status, got.Status);
        Assert.Equal(BitConverter.DoubleToInt64Bits(want.DeliveryPrice), BitConverter.DoubleToInt64Bits(got.DeliveryPrice));
        for (var f = 0; f < QuoteFields.Count; f++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(want.Values[f]), BitConverter.DoubleToInt64Bits(got.Values[f]));
    }

    private static long Scalar(DuckDBConnection connection, string sql)
    {
        using var command = new DuckDBCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>The layout tests on PostgreSQL databases, and the version-1 upgrade of the measures' index.</summary>
public sealed class PostgresHistoryLayoutTests(PostgresServerFixture postgres, ITestOutputHelper output) : HistoryLayoutTests, IClassFixture<PostgresServerFixture>
{
    private readonly Dictionary<string, string> _databases = [];

    protected override async Task<IHistoryStore> CreateStoreAsync(string name)
    {
        if (!_databases.TryGetValue(name, out var connectionString))
            _databases[name] = connectionString = await postgres.Server.CreateDatabaseAsync();
        return new PostgresHistoryStore(Options.Create(new HistoryOptions { Postgres = connectionString }), NullLogger<PostgresHistoryStore>.Instance);
    }

    [Fact]
    public async Task A_version_1_database_gets_the_measures_series_index_when_opened()
    {
        var store = await StoreAsync("v1");
        await store.OpenAsync(HistoryGenerator.Source, Token);
        var snapshot = new BoardSnapshot { Time = Start };
        snapshot.Coins.Add("BTC");
        snapshot.Measures.Add(new RecordedMeasure("BTC", "atm_iv_30d", 0.5));
        await store.WriteSnapshotAsync(snapshot, Token);
        await using var connection = new NpgsqlConnection(_databases["v1"]);
        await connection.OpenAsync(Token);
        // Back to version 1's indexes, as a database recorded before version 2 has them.
        await using (var downgrade = new NpgsqlCommand("""
            DROP INDEX measures_series;
            CREATE INDEX measures_measure ON measures (measure_id);
            CREATE INDEX measures_time ON measures (time);
            UPDATE history_meta SET value = '1' WHERE key = 'schema_version';
            """, connection))
        {
            await downgrade.ExecuteNonQueryAsync(Token);
        }

        var reopened = await StoreAsync("v1");
        await reopened.OpenAsync(HistoryGenerator.Source, Token);
        var series = await reopened.MeasureSeriesAsync("BTC", ["atm_iv_30d"], Start, Start, TimeSpan.Zero, Token);
        Assert.Equal(0.5, Assert.Single(series).Values[0]);
        await using var indexes = new NpgsqlCommand("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'measures'", connection);
        Assert.Equal("measures_series", (string)(await indexes.ExecuteScalarAsync(Token))!);
        await using var version = new NpgsqlCommand("SELECT value FROM history_meta WHERE key = 'schema_version'", connection);
        // 3 (price_currency), 4 (hour rows), 5 (measure day rows), 6 (hour rows as float8 blocks), 7 (QuoteBlocks), then 8
        // (day blocks of thinned days): the later schema steps run in the same open.
        Assert.Equal("8", (string)(await version.ExecuteScalarAsync(Token))!);
        await using var plan = new NpgsqlCommand("""
            EXPLAIN SELECT m.time, m.value FROM measures m WHERE m.measure_id = 1 AND m.time >= now() - interval '1 year'
            """, connection);
        await using var reader = await plan.ExecuteReaderAsync(Token);
        while (await reader.ReadAsync(Token))
            output.WriteLine(reader.GetString(0));
    }
}
