using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// PostgreSQL's closed hours as hour rows (schema 4, quote_hours): retention's run moves each closed hour's rows into one
/// row per (instrument, hour) of arrays, the generator's bulk path writes them so directly, and every read (the chain at an
/// instant, a series, the export) answers exactly as it did from the rows: same snapshots, same values to the bit, NULLs
/// still missing, nothing twice. Bytes are printed, not asserted.
/// </summary>
public sealed class PostgresHourRowsTests(PostgresServerFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresServerFixture>
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
    public async Task Closed_hours_become_hour_rows_and_every_read_answers_as_it_did_from_the_rows()
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

        var inHours = await ScalarAsync(connectionString, "SELECT coalesce(sum(cardinality(offsets_ms)), 0) FROM quote_hours");
        var hourRows = await ScalarAsync(connectionString, "SELECT count(*) FROM quote_hours");
        var stillRows = await ScalarAsync(connectionString, "SELECT count(*) FROM quotes");
        Assert.Equal(rowsBefore, inHours + stillRows);
        Assert.Equal(await ScalarAsync(connectionString, $"SELECT count(*) FROM quotes WHERE time >= '{Start.AddHours(2):yyyy-MM-dd HH:mm:ss}+00'"), stillRows);
        Assert.Equal(await ScalarAsync(connectionString, "SELECT count(DISTINCT (hour, instrument_id)) FROM quote_hours"), hourRows);
        Assert.Equal(before, await ReadEverythingAsync(store, symbols));
        var hourBytes = await ScalarAsync(connectionString, PartitionBytes("quote_hours"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rows: {rowBytes / (double)rowsBefore:F0} B per option snapshot ({rowsBefore} rows); hour rows: {hourBytes / (double)inHours:F0} B per option snapshot ({hourRows} rows of {inHours} snapshots)"));

        // A late write into a compacted hour (a snapshot time not recorded yet) reads at once, and the next run makes it a
        // second hour row of those instruments: read once, never twice.
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
        Assert.Equal(hourRows + lateSnapshot.Quotes.Count, await ScalarAsync(connectionString, "SELECT count(*) FROM quote_hours"));
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
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM quote_hours"));
        var thinned = (await store.BoardAtAsync("BTC", Start.AddMinutes(90), Token))!;
        Assert.Equal(Start.AddHours(1), thinned.AsOf);
        Assert.Equal(hourFirsts.Quotes.Select(Text), thinned.Quotes.Select(Text));
        Assert.Equal(0, await store.ApplyRetentionAsync(Start.AddDays(3), TimeSpan.FromDays(1), TimeSpan.FromDays(365), Token));
    }

    [Fact]
    public async Task The_generator_writes_whole_hours_as_hour_rows_that_read_as_recorded_rows_do()
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
            await ScalarAsync(generatedConnection, "SELECT sum(cardinality(offsets_ms)) FROM quote_hours"));
        var symbols = await SymbolsAsync(recorded);
        Assert.Equal(await ReadEverythingAsync(recorded, symbols), await ReadEverythingAsync(generated, symbols));
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
            foreach (var (from, interval) in new[] { (Start, TimeSpan.Zero), (Start.AddMinutes(7), TimeSpan.FromMinutes(15)), (Start.AddMinutes(61), TimeSpan.Zero) })
            {
                var series = await store.OptionSeriesAsync(Venue.Bybit, symbol, fields, from, Start.AddMinutes(140), interval, Token);
                answers.Add($"series {symbol} {from:O} {interval}: {series.Count}");
                answers.AddRange(series.Select(p => $"{p.Time:O} {string.Join(' ', p.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}"));
            }
        }
        await foreach (var row in store.ReadQuotesAsync("BTC", Start.AddMinutes(3), Start.AddMinutes(125), Token))
            answers.Add($"{row.Time:O} {Text(new RecordedQuote(row.Instrument, row.Quote, Changed: true))}");
        return answers;
    }

    private static string Text(RecordedQuote recorded)
    {
        var quote = recorded.Quote;
        var values = new double[QuoteFields.Count];
        for (var i = 0; i < values.Length; i++)
            values[i] = quote.Values[i];
        return string.Create(CultureInfo.InvariantCulture,
            $"{recorded.Instrument.Venue.Id}:{recorded.Instrument.Symbol} {quote.ExchangeTimeMs} {quote.ReceivedAtMs} {quote.Status} {quote.DeliveryPrice:R} {string.Join(' ', values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}");
    }

    private static string PartitionBytes(string parent) =>
        $"SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '{parent}'::regclass";

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Token), CultureInfo.InvariantCulture);
    }
}
