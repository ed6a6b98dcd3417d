using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// PostgreSQL's closed hours as QuoteBlocks (schema 7, quote_blocks): retention's run moves each closed hour's rows into
/// one block per (instrument, hour), the generator's bulk path writes them so directly, hour rows of schemas 4-6
/// (quote_hours) read as before and are encoded as blocks by the next run, and every read (the chain at an instant, a
/// series, the export) answers exactly as it did from the rows: same snapshots, same values to the bit, NULLs still
/// missing, nothing twice. Bytes are printed, not asserted.
/// </summary>
public sealed class PostgresQuoteBlocksTests(PostgresServerFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresServerFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    // Two and a half hours of a 200-option BTC board at 1 minute, as the generator moves it (values at Bybit's decimals).
    private static HistoryGeneratorSettings Settings => new()
    {
        Coins = ["BTC"], OptionCount = 200, Start = Start, Span = TimeSpan.FromMinutes(150), Interval = TimeSpan.FromMinutes(1), Measures = false,
    };

    private async Task<(PostgresHistoryStore Store, string ConnectionString)> OpenAsync()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        var store = new PostgresHistoryStore(Options.Create(new HistoryOptions { Postgres = connectionString }), NullLogger<PostgresHistoryStore>.Instance);
        await store.OpenAsync(HistoryGenerator.Source, Token);
        return (store, connectionString);
    }

    [Fact]
    public async Task Closed_hours_become_blocks_and_every_read_answers_as_it_did_from_the_rows()
    {
        var (store, connectionString) = await OpenAsync();
        await using var _ = store;
        foreach (var step in new HistoryGenerator(Settings).Steps(Token))
            await store.WriteSnapshotAsync(step.Snapshot, Token);
        var symbols = await SymbolsAsync(store);
        var before = await ReadEverythingAsync(store, symbols);
        var rowsBefore = await ScalarAsync(connectionString, "SELECT count(*) FROM quotes");
        var rowBytes = await ScalarAsync(connectionString, PartitionBytes("quotes"));

        // 02:30:30: hours 00 and 01 are closed (and within KeepFull), 02 is being recorded.
        Assert.Equal(0, await store.ApplyRetentionAsync(Start.AddMinutes(150.5), TimeSpan.FromDays(30), TimeSpan.FromDays(365), Token));

        var inHours = await BlockSnapshotsAsync(connectionString);
        var hourRows = await ScalarAsync(connectionString, "SELECT count(*) FROM quote_blocks");
        var stillRows = await ScalarAsync(connectionString, "SELECT count(*) FROM quotes");
        Assert.Equal(rowsBefore, inHours + stillRows);
        Assert.Equal(await ScalarAsync(connectionString, $"SELECT count(*) FROM quotes WHERE time >= '{Start.AddHours(2):yyyy-MM-dd HH:mm:ss}+00'"), stillRows);
        Assert.Equal(await ScalarAsync(connectionString, "SELECT count(DISTINCT (hour, instrument_id)) FROM quote_blocks"), hourRows);
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM quote_hours"));
        Assert.Equal(before, await ReadEverythingAsync(store, symbols));
        var hourBytes = await ScalarAsync(connectionString, PartitionBytes("quote_blocks"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rows: {rowBytes / (double)rowsBefore:F0} B per option snapshot ({rowsBefore} rows); blocks: {hourBytes / (double)inHours:F0} B per option snapshot ({hourRows} blocks of {inHours} snapshots)"));

        // A late write into a compacted hour (a snapshot time not recorded yet) reads at once, and the next run makes it a
        // second block of those instruments in that hour: read once, never twice.
        var late = Start.AddMinutes(30.5);
        var lateSnapshot = (await store.BoardAtAsync("BTC", Start.AddMinutes(30), Token))!;
        var write = new BoardSnapshot { Time = late };
        write.Coins.Add("BTC");
        write.Quotes.AddRange(lateSnapshot.Quotes);
        await store.WriteSnapshotAsync(write, Token);
        var lateBoard = await store.BoardAtAsync("BTC", late, Token);
        Assert.Equal(late, lateBoard!.AsOf);
        Assert.Equal(lateSnapshot.Quotes.Select(Text), lateBoard.Quotes.Select(Text));
        Assert.Equal(0, await store.ApplyRetentionAsync(Start.AddMinutes(150.5), TimeSpan.FromDays(30), TimeSpan.FromDays(365), Token));
        Assert.Equal(hourRows + lateSnapshot.Quotes.Count, await ScalarAsync(connectionString, "SELECT count(*) FROM quote_blocks"));
        Assert.Equal(lateSnapshot.Quotes.Select(Text), (await store.BoardAtAsync("BTC", late, Token))!.Quotes.Select(Text));
        var all = await store.ReadQuotesAsync("BTC", Start, Start.AddHours(3), Token).ToListAsync(Token);
        Assert.Equal(rowsBefore + lateSnapshot.Quotes.Count, all.Count);
        Assert.Equal(all.Count, all.Select(r => (r.Time, r.Instrument.Key)).Distinct().Count());

        // Beyond KeepFull the hours are thinned to their first snapshot, as rows again, and nothing else is left.
        var hourFirsts = (await store.BoardAtAsync("BTC", Start.AddHours(1), Token))!;
        var removed = await store.ApplyRetentionAsync(Start.AddDays(3), TimeSpan.FromDays(1), TimeSpan.FromDays(365), Token);
        var kept = await store.ReadQuotesAsync("BTC", Start, Start.AddHours(3), Token).ToListAsync(Token);
        Assert.Equal([Start, Start.AddHours(1), Start.AddHours(2)], kept.Select(r => r.Time).Distinct());
        Assert.Equal(all.Count - kept.Count, removed);
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM quote_blocks"));
        var thinned = (await store.BoardAtAsync("BTC", Start.AddMinutes(90), Token))!;
        Assert.Equal(Start.AddHours(1), thinned.AsOf);
        Assert.Equal(hourFirsts.Quotes.Select(Text), thinned.Quotes.Select(Text));
        Assert.Equal(0, await store.ApplyRetentionAsync(Start.AddDays(3), TimeSpan.FromDays(1), TimeSpan.FromDays(365), Token));
    }

    [Fact]
    public async Task Hour_buckets_equal_the_last_of_every_snapshot()
    {
        var (store, _) = await OpenAsync();
        await using var __ = store;
        await new HistoryGenerator(Settings).WriteAsync(store, progress: null, Token);
        // A late write after hour 0's last snapshot (00:59:30): compacted into a second block of that hour, which then holds
        // the hour's last snapshot; and one into the open hour's rows (02:31:30).
        var symbols = await SymbolsAsync(store);
        foreach (var late in (DateTimeOffset[])[Start.AddMinutes(59.5), Start.AddMinutes(151.5)])
        {
            var write = new BoardSnapshot { Time = late };
            write.Coins.Add("BTC");
            write.Quotes.AddRange((await store.BoardAtAsync("BTC", late, Token))!.Quotes.Take(50));
            await store.WriteSnapshotAsync(write, Token);
        }
        Assert.Equal(0, await store.ApplyRetentionAsync(Start.AddMinutes(152), TimeSpan.FromDays(30), TimeSpan.FromDays(365), Token));

        QuoteField[] fields = [QuoteField.MarkPrice, QuoteField.Delta, QuoteField.OpenInterest];
        foreach (var symbol in symbols.Take(60))
        {
            var every = (await store.OptionSeriesAsync(Venue.Bybit, symbol, fields, Start, Start.AddHours(3), TimeSpan.Zero, Token)).ToList();
            foreach (var (from, to) in new[] { (Start, Start.AddHours(3)), (Start.AddMinutes(30), Start.AddMinutes(100.5)), (Start.AddMinutes(59.75), Start.AddHours(2)) })
            {
                var span = every.Where(p => p.Time >= from && p.Time <= to).ToList();
                foreach (var interval in (TimeSpan[])[TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromDays(1)])
                {
                    var bucketed = await store.OptionSeriesAsync(Venue.Bybit, symbol, fields, from, to, interval, Token);
                    Assert.Equal(SeriesPoint.LastOfEachBucket(span, (long)interval.TotalMilliseconds).Select(PointText), bucketed.Select(PointText));
                }
            }
        }
    }

    [Fact]
    public async Task The_generator_writes_whole_hours_as_blocks_that_read_as_recorded_rows_do()
    {
        var (recorded, recordedConnection) = await OpenAsync();
        await using var _ = recorded;
        foreach (var step in new HistoryGenerator(Settings).Steps(Token))
            await recorded.WriteSnapshotAsync(step.Snapshot, Token);
        var (generated, generatedConnection) = await OpenAsync();
        await using var __ = generated;
        await new HistoryGenerator(Settings).WriteAsync(generated, progress: null, Token);

        // Every hour of the generated history is a whole UTC hour in one batch: no row in quotes.
        Assert.Equal(0, await ScalarAsync(generatedConnection, "SELECT count(*) FROM quotes"));
        Assert.Equal(await ScalarAsync(recordedConnection, "SELECT count(*) FROM quotes"),
            await BlockSnapshotsAsync(generatedConnection));
        var symbols = await SymbolsAsync(recorded);
        Assert.Equal(await ReadEverythingAsync(recorded, symbols), await ReadEverythingAsync(generated, symbols));
    }

    [Fact]
    public async Task A_block_holds_an_option_s_hour_and_at_most_64_snapshots_and_the_chain_reads_the_one_holding_its_instant()
    {
        var (store, connectionString) = await OpenAsync();
        await using var _ = store;
        // 150 snapshots at 1 second, all in one hour: three blocks an option (64, 64, 22 snapshots).
        var settings = Settings with { Span = TimeSpan.FromSeconds(150), Interval = TimeSpan.FromSeconds(1) };
        await new HistoryGenerator(settings).WriteAsync(store, progress: null, Token);
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM quotes"));
        Assert.Equal(3 * 200, await ScalarAsync(connectionString, "SELECT count(*) FROM quote_blocks"));
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM quote_blocks WHERE NOT (first_ms IN (0, 64000, 128000) AND last_ms = first_ms + CASE first_ms WHEN 128000 THEN 21000 ELSE 63000 END)"));
        Assert.Equal(8, await ScalarAsync(connectionString, "SELECT value::bigint FROM history_meta WHERE key = 'schema_version'"));
        foreach (var second in (int[])[0, 63, 64, 100, 127, 128, 149])
        {
            var board = (await store.BoardAtAsync("BTC", Start.AddSeconds(second), Token))!;
            Assert.Equal(Start.AddSeconds(second), board.AsOf);
            Assert.Equal(200, board.Quotes.Count);
        }
        var series = await store.OptionSeriesAsync(Venue.Bybit, (await SymbolsAsync(store))[1], [QuoteField.MarkPrice], Start.AddSeconds(60), Start.AddSeconds(130), TimeSpan.Zero, Token);
        Assert.Equal(Enumerable.Range(60, 71).Select(s => Start.AddSeconds(s)), series.Select(p => p.Time));
    }

    [Fact]
    public async Task Hour_rows_of_schema_5_read_as_they_did_and_the_next_run_encodes_them_as_blocks()
    {
        var (store, connectionString) = await OpenAsync();
        await using (store)
        {
            foreach (var step in new HistoryGenerator(Settings).Steps(Token))
                await store.WriteSnapshotAsync(step.Snapshot, Token);
        }
        var (reference, _) = await OpenAsync();
        await using var __ = reference;
        foreach (var step in new HistoryGenerator(Settings).Steps(Token))
            await reference.WriteSnapshotAsync(step.Snapshot, Token);
        var symbols = await SymbolsAsync(reference);
        var expected = await ReadEverythingAsync(reference, symbols);

        // The database as schema 5 left it: quote_hours without blocks, hour 00 compacted as schema 4 did (NULL where a
        // value is missing), hour 01 as schema 5 did (NaN), both into one float8[25][n] vals; hour 02 still rows.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(Token);
            var downgrade = "ALTER TABLE quote_hours " + string.Join(", ", Enumerable.Range(0, 6).Select(k => $"DROP COLUMN block{k}")) +
                ", ALTER vals SET NOT NULL; UPDATE history_meta SET value = '5' WHERE key = 'schema_version';";
            string Fold(DateTimeOffset hour, bool nan)
            {
                string Value(string column) => nan ? $"coalesce({column}, 'NaN')" : column;
                var columns = new[] { "delivery_price" }.Concat(PostgresHistoryStore.ValueColumns);
                return $"""
                    CREATE TABLE IF NOT EXISTS quote_hours_{hour:yyyyMMdd} PARTITION OF quote_hours FOR VALUES FROM ('{hour:yyyy-MM-dd} 00:00+00') TO ('{hour.AddDays(1):yyyy-MM-dd} 00:00+00');
                    WITH moved AS (DELETE FROM quotes WHERE time >= '{hour:yyyy-MM-dd HH:mm}+00' AND time < '{hour.AddHours(1):yyyy-MM-dd HH:mm}+00' RETURNING *)
                    INSERT INTO quote_hours (hour, instrument_id, offsets_ms, exchange_time_ms, received_at_ms, status, vals)
                    SELECT '{hour:yyyy-MM-dd HH:mm}+00', instrument_id, array_agg((extract(epoch FROM time - '{hour:yyyy-MM-dd HH:mm}+00') * 1000)::integer ORDER BY time),
                        array_agg(exchange_time_ms ORDER BY time), array_agg(received_at_ms ORDER BY time), array_agg(status ORDER BY time),
                        ARRAY[{string.Join(", ", columns.Select(c => $"array_agg({Value(c)} ORDER BY time)"))}]
                    FROM moved GROUP BY instrument_id;
                    """;
            }
            await using var command = new NpgsqlCommand(downgrade + Fold(Start, nan: false) + Fold(Start.AddHours(1), nan: true), connection);
            await command.ExecuteNonQueryAsync(Token);
        }
        Assert.True(await ScalarAsync(connectionString, "SELECT count(*) FROM quote_hours WHERE EXISTS (SELECT 1 FROM unnest(vals) v WHERE v IS NULL)") > 0);

        // Opened by this version: quote_blocks added, the old hour rows read as they are until retention's run encodes them.
        var upgraded = new PostgresHistoryStore(Options.Create(new HistoryOptions { Postgres = connectionString }), NullLogger<PostgresHistoryStore>.Instance);
        await using var ___ = upgraded;
        await upgraded.OpenAsync(HistoryGenerator.Source, Token);
        Assert.Equal(8, await ScalarAsync(connectionString, "SELECT value::bigint FROM history_meta WHERE key = 'schema_version'"));
        Assert.Equal(1, await ScalarAsync(connectionString, "SELECT count(*) FROM history_meta WHERE key = 'hour_rows_to_encode'"));
        var oldRows = await ScalarAsync(connectionString, "SELECT count(*) FROM quote_hours");
        var oldSnapshots = await ScalarAsync(connectionString, "SELECT sum(cardinality(offsets_ms)) FROM quote_hours");
        Assert.True(oldRows > 0);
        Assert.Equal(expected, await ReadEverythingAsync(upgraded, symbols));

        // 02:30:30: the run encodes every old hour row as a block and drops their partitions (hour 02 is being recorded
        // and stays rows).
        Assert.Equal(0, await upgraded.ApplyRetentionAsync(Start.AddMinutes(150.5), TimeSpan.FromDays(30), TimeSpan.FromDays(365), Token));
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM quote_hours"));
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'quote_hours'::regclass"));
        Assert.Equal(oldRows, await ScalarAsync(connectionString, "SELECT count(*) FROM quote_blocks"));
        Assert.Equal(oldSnapshots, await BlockSnapshotsAsync(connectionString));
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM history_meta WHERE key = 'hour_rows_to_encode'"));
        Assert.Equal(expected, await ReadEverythingAsync(upgraded, symbols));

        // Thinning after the migration puts rows back from blocks, NULLs where values were missing, as from the rows.
        var removed = await upgraded.ApplyRetentionAsync(Start.AddDays(3), TimeSpan.FromDays(1), TimeSpan.FromDays(365), Token);
        Assert.Equal(removed, await reference.ApplyRetentionAsync(Start.AddDays(3), TimeSpan.FromDays(1), TimeSpan.FromDays(365), Token));
        Assert.Equal(await ReadEverythingAsync(reference, symbols), await ReadEverythingAsync(upgraded, symbols));
        Assert.Equal(await ScalarAsync(connectionString, "SELECT count(*) FROM quotes WHERE bid_price IS NULL"),
            await ScalarAsync(reference.ConnectionString, "SELECT count(*) FROM quotes WHERE bid_price IS NULL"));
    }

    /// <summary>Three options of the first board: the first, one in the middle, the last.</summary>
    private static async Task<string[]> SymbolsAsync(PostgresHistoryStore store)
    {
        var board = (await store.BoardAtAsync("BTC", Start, Token))!;
        return [board.Quotes[0].Instrument.Symbol, board.Quotes[board.Quotes.Count / 2].Instrument.Symbol, board.Quotes[^1].Instrument.Symbol];
    }

    /// <summary>What the reads answer, as text (doubles round-trip exact, NaN as NaN): boards, series, the export.</summary>
    private static async Task<List<string>> ReadEverythingAsync(PostgresHistoryStore store, string[] symbols)
    {
        var answers = new List<string>();
        foreach (var at in (DateTimeOffset[])[Start, Start.AddMinutes(17).AddSeconds(5), Start.AddMinutes(59), Start.AddHours(1), Start.AddMinutes(90.5), Start.AddMinutes(149), Start.AddDays(1)])
        {
            var board = await store.BoardAtAsync("BTC", at, Token);
            answers.Add($"board {at:O}: {board?.AsOf:O} {board?.Quotes.Count}");
            answers.AddRange(board?.Quotes.Select(Text) ?? []);
        }
        QuoteField[] fields = [QuoteField.MarkPrice, QuoteField.BidPrice, QuoteField.MarkIv, QuoteField.Delta, QuoteField.OpenInterest, QuoteField.MarkPrice];
        foreach (var symbol in symbols)
        {
            // Buckets of whole hours read only each hour row's last block, except the hour holding `to`: `to` inside an
            // hour, at an hour's end, past the last snapshot.
            foreach (var (from, to, interval) in new[]
            {
                (Start, Start.AddMinutes(140), TimeSpan.Zero), (Start.AddMinutes(7), Start.AddMinutes(140), TimeSpan.FromMinutes(15)),
                (Start.AddMinutes(61), Start.AddMinutes(140), TimeSpan.Zero), (Start.AddMinutes(7), Start.AddMinutes(140), TimeSpan.FromHours(1)),
                (Start, Start.AddMinutes(100.5), TimeSpan.FromHours(1)), (Start.AddMinutes(30), Start.AddHours(2), TimeSpan.FromHours(2)),
                (Start.AddMinutes(59.5), Start.AddMinutes(119), TimeSpan.FromHours(1)), (Start, Start.AddDays(1), TimeSpan.FromDays(1)),
            })
            {
                var series = await store.OptionSeriesAsync(Venue.Bybit, symbol, fields, from, to, interval, Token);
                answers.Add($"series {symbol} {from:O} {to:O} {interval}: {series.Count}");
                answers.AddRange(series.Select(PointText));
            }
        }
        await foreach (var row in store.ReadQuotesAsync("BTC", Start.AddMinutes(3), Start.AddMinutes(125), Token))
            answers.Add($"{row.Time:O} {Text(new RecordedQuote(row.Instrument, row.Quote, Changed: true))}");
        return answers;
    }

    // A series point as text: its time and every value to the bit ("R"), NaN as NaN.
    internal static string PointText(SeriesPoint point) =>
        $"{point.Time:O} {string.Join(' ', point.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}";

    internal static string Text(RecordedQuote recorded)
    {
        var quote = recorded.Quote;
        var values = new double[QuoteFields.Count];
        for (var i = 0; i < values.Length; i++)
            values[i] = quote.Values[i];
        return string.Create(CultureInfo.InvariantCulture,
            $"{recorded.Instrument.Venue.Id}:{recorded.Instrument.Symbol} {quote.ExchangeTimeMs} {quote.ReceivedAtMs} {quote.Status} {quote.DeliveryPrice:R} {string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}");
    }

    /// <summary>The option snapshots held in quote_blocks (each block decoded: PostgreSQL cannot count inside one).</summary>
    private static async Task<long> BlockSnapshotsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand("SELECT block FROM quote_blocks", connection);
        await using var reader = await command.ExecuteReaderAsync(Token);
        long snapshots = 0;
        while (await reader.ReadAsync(Token))
            snapshots += new DecodedBlock(reader.GetFieldValue<byte[]>(0)).Count;
        return snapshots;
    }

    internal static string PartitionBytes(string parent) =>
        $"SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '{parent}'::regclass";

    internal static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Token), CultureInfo.InvariantCulture);
    }
}
