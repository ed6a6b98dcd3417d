using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Tests.Fixtures;
using static OptionsTracker.Tests.History.PostgresQuoteBlocksTests;

namespace OptionsTracker.Tests.History;

/// <summary>
/// PostgreSQL's thinned days as QuoteBlocks (schema 8, quote_day_blocks): a day wholly older than KeepFull keeps the first
/// snapshot of each hour as one block per option and day, the day's rows are dropped, and every read (the chain at an
/// instant, a series, the export) answers exactly what was written at those snapshots; the hourly cutoff trims the day
/// blocks it falls in and drops whole months; a day thinned to rows before schema 8 is encoded by the next run. The
/// expected answers come from the generator's snapshots kept in memory, not from the store. Bytes are printed.
/// </summary>
public sealed class PostgresDayBlocksTests(PostgresServerFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresServerFixture>
{
    // Three days of a 200-option BTC board every 20 minutes, across a month's end: 30 and 31 October, 1 November.
    private static readonly DateTimeOffset Start = new(2026, 10, 30, 0, 0, 0, TimeSpan.Zero);

    private static readonly QuoteField[] Fields = [QuoteField.MarkPrice, QuoteField.BidPrice, QuoteField.MarkIv, QuoteField.Delta, QuoteField.OpenInterest];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static HistoryGeneratorSettings Settings(TimeSpan span) => new()
    {
        Coins = ["BTC"], OptionCount = 200, Start = Start, Span = span, Interval = TimeSpan.FromMinutes(20), Measures = false,
    };

    /// <summary>What was written at one snapshot: each option's symbol, its quote as text and the <see cref="Fields"/>.</summary>
    private sealed record Written(DateTimeOffset Time, List<(string Symbol, string Text, double[] Values)> Quotes);

    private async Task<(PostgresHistoryStore Store, string ConnectionString, List<Written> Written)> WriteAsync(TimeSpan span)
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync();
        var store = new PostgresHistoryStore(Options.Create(new HistoryOptions { Postgres = connectionString }), NullLogger<PostgresHistoryStore>.Instance);
        await store.OpenAsync(HistoryGenerator.Source, Token);
        var written = new List<Written>();
        foreach (var step in new HistoryGenerator(Settings(span)).Steps(Token))
        {
            await store.WriteSnapshotAsync(step.Snapshot, Token);
            written.Add(new Written(step.Snapshot.Time, step.Snapshot.Quotes
                .Select(q => (q.Instrument.Symbol, Text(q), Fields.Select(f => q.Quote.Values[(int)f]).ToArray()))
                .OrderBy(q => q.Symbol, StringComparer.Ordinal).ToList()));
        }
        return (store, connectionString, written);
    }

    /// <summary>The snapshots retention keeps: the first of each UTC hour before <paramref name="fullCutoff"/>, all after, none before <paramref name="hourlyCutoff"/>.</summary>
    private static List<Written> Kept(List<Written> written, DateTimeOffset fullCutoff, DateTimeOffset hourlyCutoff) =>
        written.Where(w => w.Time >= hourlyCutoff && (w.Time >= fullCutoff || w.Time.Minute == 0)).ToList();

    [Fact]
    public async Task Thinned_days_become_day_blocks_and_read_as_the_snapshots_kept()
    {
        var (store, connectionString, written) = await WriteAsync(TimeSpan.FromDays(3));
        await using var _ = store;
        var symbols = SeriesSymbols(written);
        var rowBytes = await ScalarAsync(connectionString, PartitionBytes("quotes")) / (double)written.Sum(w => w.Quotes.Count);

        // 2 November 01:00, full resolution for a day: 30 and 31 October are thinned into day blocks, 1 November's first
        // hour is thinned as rows (the day straddles the cutoff), the rest stays whole.
        var now = Start.AddDays(3).AddHours(1);
        var fullCutoff = now.AddDays(-1);
        var removed = await store.ApplyRetentionAsync(now, TimeSpan.FromDays(1), TimeSpan.FromDays(365), Token);
        var kept = Kept(written, fullCutoff, DateTimeOffset.MinValue);
        Assert.Equal(written.Sum(w => w.Quotes.Count) - kept.Sum(w => w.Quotes.Count), removed);
        Assert.Equal(0, await ScalarAsync(connectionString, $"SELECT count(*) FROM quotes WHERE time < '{Start.AddDays(2):yyyy-MM-dd}'"));
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM pg_class WHERE relname IN ('quotes_20261030', 'quotes_20261031', 'quotes_20261030_hourly', 'quotes_20261031_hourly')"));
        Assert.Equal(written.Where(w => w.Time < Start.AddDays(2)).SelectMany(w => w.Quotes.Select(q => (w.Time.Date, q.Symbol))).Distinct().Count(),
            await ScalarAsync(connectionString, "SELECT count(*) FROM quote_day_blocks"));
        Assert.Equal(Expected(kept, symbols), await ReadEverythingAsync(store, symbols));
        var dayBlockBytes = await ScalarAsync(connectionString, PartitionBytes("quote_day_blocks"))
            / (double)kept.Where(w => w.Time < Start.AddDays(2)).Sum(w => w.Quotes.Count);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rows: {rowBytes:F0} B per option snapshot; thinned days as day blocks: {dayBlockBytes:F0} B per option snapshot kept (the table's size with its indexes)"));

        // A second run finds nothing more to do.
        Assert.Equal(0, await store.ApplyRetentionAsync(now, TimeSpan.FromDays(1), TimeSpan.FromDays(365), Token));
        Assert.Equal(Expected(kept, symbols), await ReadEverythingAsync(store, symbols));

        // The hourly cutoff at 30 October 12:00 falls inside a day of blocks: re-encoded without its morning.
        var hourlyCutoff = Start.AddHours(12);
        removed = await store.ApplyRetentionAsync(now, TimeSpan.FromDays(1), now - hourlyCutoff, Token);
        var trimmed = Kept(written, fullCutoff, hourlyCutoff);
        Assert.Equal(kept.Sum(w => w.Quotes.Count) - trimmed.Sum(w => w.Quotes.Count), removed);
        Assert.Equal(Expected(trimmed, symbols), await ReadEverythingAsync(store, symbols));
        Assert.Equal(0, await store.ApplyRetentionAsync(now, TimeSpan.FromDays(1), now - hourlyCutoff, Token));

        // At 1 November 00:30 October is wholly older than the hourly cutoff: its partition is dropped.
        hourlyCutoff = Start.AddDays(2).AddMinutes(30);
        removed = await store.ApplyRetentionAsync(now, TimeSpan.FromDays(1), now - hourlyCutoff, Token);
        var last = Kept(written, fullCutoff, hourlyCutoff);
        Assert.Equal(trimmed.Sum(w => w.Quotes.Count) - last.Sum(w => w.Quotes.Count), removed);
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM pg_class WHERE relname = 'quote_day_blocks_202610'"));
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM quote_day_blocks"));
        Assert.Equal(Expected(last, symbols), await ReadEverythingAsync(store, symbols));
    }

    [Fact]
    public async Task A_day_thinned_to_rows_before_schema_8_is_encoded_by_the_next_run()
    {
        var (store, connectionString, written) = await WriteAsync(TimeSpan.FromDays(1));
        await using var _ = store;
        var symbols = SeriesSymbols(written);
        // 30 October as schema 7's retention left it once thinned: the first snapshot of each hour, rows in quotes_20261030_hourly.
        await ScalarAsync(connectionString, $"""
            WITH firsts AS (SELECT min(time) AS time FROM snapshots GROUP BY date_bin('1 hour', time, timestamptz 'epoch')),
            gone_quotes AS (DELETE FROM quotes WHERE time NOT IN (SELECT time FROM firsts) RETURNING 1),
            gone_coins AS (DELETE FROM snapshot_coins WHERE time NOT IN (SELECT time FROM firsts) RETURNING 1),
            gone AS (DELETE FROM snapshots WHERE time NOT IN (SELECT time FROM firsts) RETURNING 1)
            SELECT (SELECT count(*) FROM gone_quotes) + (SELECT count(*) FROM gone_coins) + (SELECT count(*) FROM gone)
            """);
        await ScalarAsync(connectionString, "ALTER TABLE quotes_20261030 RENAME TO quotes_20261030_hourly; SELECT 0");
        var kept = Kept(written, Start.AddDays(1), DateTimeOffset.MinValue);
        Assert.Equal(Expected(kept, symbols), await ReadEverythingAsync(store, symbols));

        Assert.Equal(0, await store.ApplyRetentionAsync(Start.AddDays(2), TimeSpan.FromDays(1), TimeSpan.FromDays(365), Token));
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM pg_class WHERE relname = 'quotes_20261030_hourly'"));
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM quotes"));
        Assert.Equal(kept.SelectMany(w => w.Quotes.Select(q => q.Symbol)).Distinct().Count(), await ScalarAsync(connectionString, "SELECT count(*) FROM quote_day_blocks"));
        Assert.Equal(Expected(kept, symbols), await ReadEverythingAsync(store, symbols));
    }

    // The instants, series spans and export span every read is asked about.
    private static readonly DateTimeOffset[] Instants =
        [Start, Start.AddMinutes(50), Start.AddHours(11).AddMinutes(59), Start.AddHours(12), Start.AddDays(1).AddHours(23).AddMinutes(59),
         Start.AddDays(2).AddMinutes(10), Start.AddDays(2).AddHours(1), Start.AddDays(2).AddHours(7).AddMinutes(41), Start.AddDays(4)];

    private static readonly (DateTimeOffset From, DateTimeOffset To, TimeSpan Interval)[] Spans =
        [(Start, Start.AddDays(3), TimeSpan.Zero), (Start.AddHours(5).AddMinutes(10), Start.AddDays(2).AddHours(3), TimeSpan.Zero),
         (Start, Start.AddDays(3), TimeSpan.FromDays(1)), (Start.AddHours(1), Start.AddDays(2).AddHours(2), TimeSpan.FromHours(6))];

    private static readonly (DateTimeOffset From, DateTimeOffset To) Export = (Start.AddMinutes(30), Start.AddDays(2).AddHours(2).AddMinutes(10));

    private static string[] SeriesSymbols(List<Written> written) =>
        [written[0].Quotes[0].Symbol, written[0].Quotes[written[0].Quotes.Count / 2].Symbol, written[0].Quotes[^1].Symbol];

    /// <summary>What every read should answer when the store holds <paramref name="kept"/>, as text.</summary>
    private static List<string> Expected(List<Written> kept, string[] symbols)
    {
        var answers = new List<string>();
        foreach (var at in Instants)
        {
            var board = kept.LastOrDefault(w => w.Time <= at);
            answers.Add($"board {at:O}: {board?.Time:O} {board?.Quotes.Count}");
            answers.AddRange(board?.Quotes.Select(q => q.Text) ?? []);
        }
        foreach (var symbol in symbols)
        {
            foreach (var (from, to, interval) in Spans)
            {
                var points = kept.Where(w => w.Time >= from && w.Time <= to)
                    .SelectMany(w => w.Quotes.Where(q => q.Symbol == symbol).Select(q => new SeriesPoint(w.Time, q.Values))).ToList();
                var series = interval == TimeSpan.Zero ? points : SeriesPoint.LastOfEachBucket(points, (long)interval.TotalMilliseconds);
                answers.Add($"series {symbol} {from:O} {to:O} {interval}: {series.Count}");
                answers.AddRange(series.Select(PointText));
            }
        }
        foreach (var w in kept.Where(w => w.Time >= Export.From && w.Time <= Export.To))
            answers.AddRange(w.Quotes.Select(q => $"{w.Time:O} {q.Text}"));
        return answers;
    }

    /// <summary>What the store's reads answer, as text, asked the same questions as <see cref="Expected"/>.</summary>
    private static async Task<List<string>> ReadEverythingAsync(PostgresHistoryStore store, string[] symbols)
    {
        var answers = new List<string>();
        foreach (var at in Instants)
        {
            var board = await store.BoardAtAsync("BTC", at, Token);
            answers.Add($"board {at:O}: {board?.AsOf:O} {board?.Quotes.Count}");
            answers.AddRange(board?.Quotes.Select(Text) ?? []);
        }
        foreach (var symbol in symbols)
        {
            foreach (var (from, to, interval) in Spans)
            {
                var series = await store.OptionSeriesAsync(Venue.Bybit, symbol, Fields, from, to, interval, Token);
                answers.Add($"series {symbol} {from:O} {to:O} {interval}: {series.Count}");
                answers.AddRange(series.Select(PointText));
            }
        }
        await foreach (var row in store.ReadQuotesAsync("BTC", Export.From, Export.To, Token))
            answers.Add($"{row.Time:O} {Text(new RecordedQuote(row.Instrument, row.Quote, Changed: true))}");
        return answers;
    }
}
