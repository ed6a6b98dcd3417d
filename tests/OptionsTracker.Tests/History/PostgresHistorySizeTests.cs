using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// What the PostgreSQL history costs on disk, on a board like Bybit's (4,000 options of three coins; every option's
/// mark, IVs, Greeks, bid, ask, underlying and index changing every snapshot, some options without a bid, OI and
/// volumes moving now and then): the figures of docs/history.md, "The PostgreSQL store", printed, not asserted
/// (sizes depend on the server's version and page layout). What is asserted is that what was written reads back.
/// </summary>
public sealed class PostgresHistorySizeTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>
{
    private static readonly HistorySource Source = new("bybit", ["https://api.bybit.com/", "wss://stream.bybit.com/v5/public/option"]);
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
    private const int Snapshots = 30;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bytes_per_option_snapshot_and_per_day_on_a_4000_option_board_changing_every_minute()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        await using var store = new PostgresHistoryStore(Options.Create(new HistoryOptions { Postgres = connectionString }), NullLogger<PostgresHistoryStore>.Instance);
        await store.OpenAsync(Source, Token);
        var board = Board();
        var random = new Random(16);
        var quotes = board.Select(b => Initial(b.Instrument, b.Spot, random)).ToArray();
        var writeTime = TimeSpan.Zero;
        BoardSnapshot? last = null;
        for (var minute = 0; minute < Snapshots; minute++)
        {
            var time = T0.AddMinutes(minute);
            var snapshot = new BoardSnapshot { Time = time };
            snapshot.Coins.AddRange(["BTC", "ETH", "SOL"]);
            for (var i = 0; i < board.Length; i++)
            {
                Move(ref quotes[i], time, random);
                snapshot.Quotes.Add(new RecordedQuote(board[i].Instrument, quotes[i], Changed: true));
            }
            foreach (var coin in snapshot.Coins)
            {
                // About what MeasureNames.Collect gives a coin: 6 tenors × 7 kinds, ~15 expiries × 9 kinds, 6 per coin.
                for (var m = 0; m < 183; m++)
                    snapshot.Measures.Add(new RecordedMeasure(coin, $"m{m}", random.NextDouble()));
            }
            var watch = Stopwatch.StartNew();
            await store.WriteSnapshotAsync(snapshot, Token);
            writeTime += watch.Elapsed;
            last = snapshot;
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Token);
        var quoteRows = await ScalarAsync(connection, "SELECT count(*) FROM quotes");
        var quoteBytes = await SizeAsync(connection, "quotes");
        var measureRows = await ScalarAsync(connection, "SELECT count(*) FROM measures");
        var measureBytes = await SizeAsync(connection, "measures");
        var heapBytes = await ScalarAsync(connection,
            "SELECT sum(pg_relation_size(c.oid)) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'quotes'::regclass");
        Assert.Equal(Snapshots * (long)board.Length, quoteRows);
        Assert.Equal(Snapshots * 3L * 183, measureRows);

        // What was written reads back (a board and an option's series), timed for the record.
        var read = Stopwatch.StartNew();
        var btc = await store.BoardAtAsync("BTC", T0.AddHours(1), Token);
        var firstBoardMs = read.Elapsed.TotalMilliseconds;
        read.Restart();
        await store.BoardAtAsync("BTC", T0.AddMinutes(10), Token);
        var boardMs = read.Elapsed.TotalMilliseconds;
        Assert.Equal(T0.AddMinutes(Snapshots - 1), btc!.AsOf);
        var written = last!.Quotes.Where(q => q.Instrument.BaseCoin == "BTC").ToDictionary(q => q.Instrument.Key);
        Assert.Equal(written.Count, btc.Quotes.Count);
        foreach (var q in btc.Quotes)
            Assert.Equal(written[q.Instrument.Key].Quote.MarkPrice, q.Quote.MarkPrice);
        read.Restart();
        var series = await store.OptionSeriesAsync(Venue.Bybit, board[0].Instrument.Symbol, [QuoteField.MarkPrice, QuoteField.MarkIv], T0, T0.AddHours(1), TimeSpan.Zero, Token);
        var seriesMs = read.Elapsed.TotalMilliseconds;
        Assert.Equal(Snapshots, series.Count);

        // Thinned: the day's first snapshot of each hour (here one hour: one snapshot kept) as day blocks, its rows dropped.
        var removed = await store.ApplyRetentionAsync(T0.AddDays(2), TimeSpan.FromDays(1), TimeSpan.FromDays(30), Token);
        Assert.Equal((Snapshots - 1) * (long)board.Length, removed);
        var thinnedBytes = await SizeAsync(connection, "quote_day_blocks");
        // The thinned day serves the hour's first snapshot whole, and a second run finds nothing more to remove.
        Assert.Equal(new RecordedRange(T0, T0, 1), await store.RangeAsync("BTC", Token));
        var hourly = await store.BoardAtAsync("BTC", T0.AddHours(1), Token);
        Assert.Equal(T0, hourly!.AsOf);
        Assert.Equal(written.Count, hourly.Quotes.Count);
        Assert.Equal(["quotes_20261103"], await PartitionNamesAsync(connection));
        Assert.Equal(board.Length, await ScalarAsync(connection, "SELECT count(*) FROM quote_day_blocks"));
        Assert.Equal(0, await store.ApplyRetentionAsync(T0.AddDays(2), TimeSpan.FromDays(1), TimeSpan.FromDays(30), Token));

        var perRow = (double)quoteBytes / quoteRows;
        var perDayMb = perRow * board.Length * 1440 / 1e6;
        var measurePerRow = (double)measureBytes / measureRows;
        var measurePerDayMb = measurePerRow * 3 * 183 * 1440 / 1e6;
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"quotes: {quoteRows} rows, {quoteBytes / 1e6:F1} MB with indexes ({heapBytes / 1e6:F1} MB table): {perRow:F0} bytes per option snapshot");
        output?.WriteLine($"  a {board.Length}-option board at 1 minute: {perDayMb:F0} MB a day at full resolution, {perDayMb / 60:F1} MB a day once thinned to hourly");
        output?.WriteLine($"  thinned day: {thinnedBytes / 1e6:F2} MB of day blocks for {board.Length} option snapshots = {(double)thinnedBytes / board.Length:F0} bytes each (one snapshot a block here: a day of 24 hourly snapshots shares a block, docs/history.md)");
        output?.WriteLine($"measures: {measureRows} rows, {measureBytes / 1e6:F1} MB: {measurePerRow:F0} bytes per measure, {measurePerDayMb:F0} MB a day for 3 coins at 1 minute");
        output?.WriteLine($"write: {writeTime.TotalMilliseconds / Snapshots:F0} ms per snapshot of {board.Length} options (binary COPY); " +
            $"read: BTC board (2,000 options) {firstBoardMs:F1} ms the first time, {boardMs:F1} ms the next, one option's {Snapshots}-point series {seriesMs:F1} ms");
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Token), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> PartitionNamesAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'quotes'::regclass ORDER BY 1", connection);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Token);
        while (await reader.ReadAsync(Token))
            names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>Table, TOAST and indexes of every partition of <paramref name="parent"/> (the parent itself stores nothing).</summary>
    private static Task<long> SizeAsync(NpgsqlConnection connection, string parent) => ScalarAsync(connection,
        $"SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '{parent}'::regclass");

    /// <summary>BTC 2,000, ETH 1,500, SOL 500 options: 10 expiries each, strikes around the spot, calls and puts.</summary>
    private static (OptionInstrument Instrument, double Spot)[] Board()
    {
        var board = new List<(OptionInstrument, double)>();
        foreach (var (coin, spot, count, step, tick) in new[] { ("BTC", 100_000.0, 2000, 500m, 5.0), ("ETH", 3_500.0, 1500, 25m, 0.1), ("SOL", 180.0, 500, 2m, 0.01) })
        {
            var perExpiry = count / 10 / 2;
            for (var e = 0; e < 10; e++)
            {
                var expiry = DateOnly.FromDateTime(T0.UtcDateTime).AddDays(1 + e * 7);
                var first = (decimal)spot - step * (perExpiry / 2);
                for (var s = 0; s < perExpiry; s++)
                {
                    var strike = first + s * step;
                    board.Add((BookBuilder.Create(coin, expiry, strike, 'C', tick, 0.01), spot));
                    board.Add((BookBuilder.Create(coin, expiry, strike, 'P', tick, 0.01), spot));
                }
            }
        }
        return [.. board];
    }

    private static OptionQuote Initial(OptionInstrument instrument, double spot, Random random)
    {
        var quote = OptionQuote.Empty;
        quote.Values[(int)QuoteField.UnderlyingPrice] = spot;
        quote.Values[(int)QuoteField.IndexPrice] = spot;
        quote.Values[(int)QuoteField.MarkIv] = 0.45 + random.NextDouble() * 0.2;
        quote.Values[(int)QuoteField.OpenInterest] = Math.Round(random.NextDouble() * 500, 2);
        quote.Values[(int)QuoteField.Volume24h] = Math.Round(random.NextDouble() * 100, 2);
        quote.Values[(int)QuoteField.Turnover24h] = Math.Round(random.NextDouble() * 1e6, 4);
        quote.Values[(int)QuoteField.TotalVolume] = Math.Round(random.NextDouble() * 10_000, 0);
        quote.Values[(int)QuoteField.TotalTurnover] = Math.Round(random.NextDouble() * 1e8, 0);
        quote.Values[(int)QuoteField.LastPrice] = Math.Round(random.NextDouble() * spot * 0.05, 1);
        quote.Values[(int)QuoteField.HighPrice24h] = quote.LastPrice * 1.1;
        quote.Values[(int)QuoteField.LowPrice24h] = quote.LastPrice * 0.9;
        quote.Values[(int)QuoteField.Change24h] = Math.Round(random.NextDouble() - 0.5, 4);
        quote.Values[(int)QuoteField.PredictedDeliveryPrice] = 0;
        return quote;
    }

    /// <summary>One minute of market: underlying and IV move, so mark, Greeks, bid and ask all change.</summary>
    private static void Move(ref OptionQuote quote, DateTimeOffset time, Random random)
    {
        var spot = quote.UnderlyingPrice * (1 + (random.NextDouble() - 0.5) * 0.002);
        var iv = Math.Max(0.05, quote.MarkIv + (random.NextDouble() - 0.5) * 0.004);
        var mark = Math.Round(spot * iv * 0.04 * (0.5 + random.NextDouble()), 2);
        quote.Values[(int)QuoteField.UnderlyingPrice] = Math.Round(spot, 2);
        quote.Values[(int)QuoteField.IndexPrice] = Math.Round(spot * 0.9998, 2);
        quote.Values[(int)QuoteField.MarkIv] = Math.Round(iv, 4);
        quote.Values[(int)QuoteField.MarkPrice] = mark;
        // One option in ten has no bid (an empty bid from the exchange: missing, not zero).
        var hasBid = random.Next(10) != 0;
        quote.Values[(int)QuoteField.BidPrice] = hasBid ? Math.Round(mark * 0.97, 1) : double.NaN;
        quote.Values[(int)QuoteField.BidSize] = hasBid ? Math.Round(random.NextDouble() * 50, 2) : double.NaN;
        quote.Values[(int)QuoteField.BidIv] = hasBid ? Math.Round(iv - 0.01, 4) : double.NaN;
        quote.Values[(int)QuoteField.AskPrice] = Math.Round(mark * 1.03, 1);
        quote.Values[(int)QuoteField.AskSize] = Math.Round(random.NextDouble() * 50, 2);
        quote.Values[(int)QuoteField.AskIv] = Math.Round(iv + 0.01, 4);
        quote.Values[(int)QuoteField.Delta] = Math.Round(random.NextDouble(), 8);
        quote.Values[(int)QuoteField.Gamma] = Math.Round(random.NextDouble() * 1e-4, 8);
        quote.Values[(int)QuoteField.Vega] = Math.Round(random.NextDouble() * 100, 8);
        quote.Values[(int)QuoteField.Theta] = -Math.Round(random.NextDouble() * 100, 8);
        if (random.Next(5) == 0)
            quote.Values[(int)QuoteField.OpenInterest] = Math.Round(quote.OpenInterest + random.NextDouble(), 2);
        quote.ExchangeTimeMs = time.ToUnixTimeMilliseconds() - random.Next(1, 60_000);
        quote.ReceivedAtMs = quote.ExchangeTimeMs + random.Next(1, 50);
    }
}
