using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// PostgreSQL's closed days of measures as day rows (schema 5, measure_days): retention's run folds each closed UTC day
/// of measure rows into one row per (measure, day), today's stay rows, and every measure read (every value, buckets,
/// ranges that cut days) answers exactly as it did from the rows, across folded and unfolded days; a late write into a
/// folded day is read once; retention still drops whole month partitions and trims the day that straddles its cutoff; a
/// schema-4 database gets the table when opened and its rows folded by the next run.
/// </summary>
public sealed class PostgresMeasureDaysTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>
{
    // 20:00 on the last day of September: the span crosses two midnights and the first of a month.
    private static readonly DateTimeOffset Start = new(2026, 9, 30, 20, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);
    private const int Snapshots = 6 * 40; // 40 hours: to 2026-10-02 12:00
    private static readonly string[] Names = ["atm_iv_30d", "index_price", "rr25_7d"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<(PostgresHistoryStore Store, string ConnectionString)> OpenAsync(string? connectionString = null)
    {
        connectionString ??= await postgres.Server.CreateDatabaseAsync();
        var store = new PostgresHistoryStore(Options.Create(new HistoryOptions { Postgres = connectionString }), NullLogger<PostgresHistoryStore>.Instance);
        await store.OpenAsync(HistoryGenerator.Source, Token);
        return (store, connectionString);
    }

    /// <summary>BTC and ETH measures every 10 minutes, snapshot by snapshot (as the recorder writes), a value missing now and then.</summary>
    private static async Task WriteAsync(PostgresHistoryStore store)
    {
        for (var i = 0; i < Snapshots; i++)
            await store.WriteSnapshotAsync(Snapshot(Start + Interval * i, i), Token);
    }

    private static BoardSnapshot Snapshot(DateTimeOffset time, int i)
    {
        var snapshot = new BoardSnapshot { Time = time };
        foreach (var coin in (string[])["BTC", "ETH"])
        {
            snapshot.Coins.Add(coin);
            foreach (var name in Names)
                snapshot.Measures.Add(new RecordedMeasure(coin, name, i % 11 == 4 && name == "rr25_7d" ? double.NaN : Math.Sin(i * 0.37 + name.Length) * coin.Length + i / 7.0));
        }
        return snapshot;
    }

    /// <summary>What the measure reads answer, as text (doubles round-trip exact, NaN as NaN).</summary>
    private static async Task<List<string>> ReadEverythingAsync(PostgresHistoryStore store)
    {
        var answers = new List<string>();
        var end = Start + Interval * (Snapshots - 1);
        foreach (var (from, to) in new[] { (Start, end), (Start.AddMinutes(35), end.AddMinutes(-65)), (Start.AddHours(4), Start.AddHours(4)), (Start.AddHours(5), Start.AddHours(29)), (Start.AddDays(-1), end.AddDays(1)) })
        {
            foreach (var interval in (TimeSpan[])[TimeSpan.Zero, TimeSpan.FromMinutes(25), TimeSpan.FromHours(1), TimeSpan.FromDays(1)])
            {
                foreach (var coin in (string[])["BTC", "ETH"])
                {
                    var series = await store.MeasureSeriesAsync(coin, ["rr25_7d", "atm_iv_30d", "missing", "rr25_7d"], from, to, interval, Token);
                    answers.Add($"{coin} {from:O} {to:O} {interval}: {series.Count}");
                    answers.AddRange(series.Select(p => $"{p.Time:O} {string.Join(' ', p.Values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}"));
                }
            }
        }
        return answers;
    }

    [Fact]
    public async Task Closed_days_fold_into_day_rows_and_every_read_answers_as_it_did_from_the_rows()
    {
        var (store, connectionString) = await OpenAsync();
        await using var _ = store;
        await WriteAsync(store);
        var before = await ReadEverythingAsync(store);
        var rowsBefore = await ScalarAsync(connectionString, "SELECT count(*) FROM measures");
        Assert.Equal(Snapshots * 2L * Names.Length, rowsBefore);

        // 2026-10-02 12:30: 30 September and 1 October are closed, 2 October is today.
        var now = Start.AddHours(40.5);
        var today = new DateTimeOffset(2026, 10, 2, 0, 0, 0, TimeSpan.Zero);
        await store.ApplyRetentionAsync(now, TimeSpan.FromDays(30), TimeSpan.FromDays(730), Token);

        Assert.Equal(await ScalarAsync(connectionString, $"SELECT count(*) FROM measures WHERE time >= '{today:yyyy-MM-dd}+00'"),
            await ScalarAsync(connectionString, "SELECT count(*) FROM measures"));
        Assert.Equal(2L * 2 * Names.Length, await ScalarAsync(connectionString, "SELECT count(*) FROM measure_days"));
        Assert.Equal(rowsBefore, await ScalarAsync(connectionString,
            "SELECT (SELECT count(*) FROM measures) + (SELECT sum(cardinality(offsets_ms)) FROM measure_days)"));
        // The closed September month, all of whose rows moved, is emptied (its space back at once).
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT pg_relation_size('measures_202609')"));
        Assert.Equal(before, await ReadEverythingAsync(store));
        // A second run finds nothing to fold.
        await store.ApplyRetentionAsync(now, TimeSpan.FromDays(30), TimeSpan.FromDays(730), Token);
        Assert.Equal(2L * 2 * Names.Length, await ScalarAsync(connectionString, "SELECT count(*) FROM measure_days"));

        // A late write into a folded day (a time not recorded yet) reads at once, and the next run makes it a second day
        // row of those measures: read once, never twice.
        var late = Start.AddMinutes(125);
        await store.WriteSnapshotAsync(Snapshot(late, 1000), Token);
        var lateSeries = await store.MeasureSeriesAsync("ETH", ["atm_iv_30d"], late.AddMinutes(-10), late.AddMinutes(10), TimeSpan.Zero, Token);
        Assert.Equal([late.AddMinutes(-5), late, late.AddMinutes(5)], lateSeries.Select(p => p.Time));
        await store.ApplyRetentionAsync(now, TimeSpan.FromDays(30), TimeSpan.FromDays(730), Token);
        Assert.Equal(2L * 2 * Names.Length + 2 * Names.Length, await ScalarAsync(connectionString, "SELECT count(*) FROM measure_days"));
        Assert.Equal(lateSeries.Select(p => (p.Time, p.Values[0])),
            (await store.MeasureSeriesAsync("ETH", ["atm_iv_30d"], late.AddMinutes(-10), late.AddMinutes(10), TimeSpan.Zero, Token)).Select(p => (p.Time, p.Values[0])));
        var all = await store.MeasureSeriesAsync("BTC", ["index_price"], Start, now, TimeSpan.Zero, Token);
        Assert.Equal(Snapshots + 1, all.Count);
        Assert.Equal(all.Count, all.Select(p => p.Time).Distinct().Count());
    }

    [Fact]
    public async Task The_bulk_path_writes_a_day_as_day_rows_that_read_as_recorded_rows_do()
    {
        var (recorded, _) = await OpenAsync();
        await using var __ = recorded;
        await WriteAsync(recorded);
        var (bulk, bulkConnection) = await OpenAsync();
        await using var ___ = bulk;
        // Batches as the measures' generator makes them: one UTC day each (the first and last days partial).
        var snapshots = Enumerable.Range(0, Snapshots).Select(i => Snapshot(Start + Interval * i, i)).ToList();
        foreach (var day in snapshots.GroupBy(s => s.Time.UtcDateTime.Date))
            await bulk.WriteSnapshotsAsync([.. day], Token);

        Assert.Equal(0, await ScalarAsync(bulkConnection, "SELECT count(*) FROM measures"));
        Assert.Equal(3L * 2 * Names.Length, await ScalarAsync(bulkConnection, "SELECT count(*) FROM measure_days"));
        Assert.Equal(await ReadEverythingAsync(recorded), await ReadEverythingAsync(bulk));
    }

    [Fact]
    public async Task Retention_drops_whole_months_of_day_rows_and_trims_the_day_that_straddles_its_cutoff()
    {
        var (store, connectionString) = await OpenAsync();
        await using var _ = store;
        await WriteAsync(store);
        var now = Start.AddHours(40.5);
        await store.ApplyRetentionAsync(now, TimeSpan.FromDays(30), TimeSpan.FromDays(730), Token);
        Assert.Equal(1, await ScalarAsync(connectionString, "SELECT count(*) FROM pg_class WHERE relname = 'measure_days_202609'"));

        // Keep 30 hours: the cutoff is 2026-10-01 06:30, so September's month of day rows goes whole (DROP TABLE), and
        // 1 October keeps its points from 06:30 on.
        var keep = TimeSpan.FromHours(30);
        var cutoff = now - keep;
        var expected = (await store.MeasureSeriesAsync("BTC", Names, cutoff, now, TimeSpan.Zero, Token)).Select(p => $"{p.Time:O} {string.Join(' ', p.Values)}").ToList();
        await store.ApplyRetentionAsync(now, keep, keep, Token);

        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM pg_class WHERE relname IN ('measure_days_202609', 'measures_202609')"));
        var kept = await store.MeasureSeriesAsync("BTC", Names, Start.AddDays(-1), now, TimeSpan.Zero, Token);
        Assert.Equal(expected, kept.Select(p => $"{p.Time:O} {string.Join(' ', p.Values)}"));
        Assert.Equal(cutoff, kept[0].Time);
        Assert.Equal(0, await ScalarAsync(connectionString,
            $"SELECT count(*) FROM measure_days d, unnest(d.offsets_ms) o WHERE d.day + o * interval '1 millisecond' < '{cutoff:yyyy-MM-dd HH:mm:ss}+00'"));
        // The trimmed day's offsets stay ascending, and a later run changes nothing.
        await store.ApplyRetentionAsync(now, keep, keep, Token);
        Assert.Equal(expected, (await store.MeasureSeriesAsync("BTC", Names, Start.AddDays(-1), now, TimeSpan.Zero, Token)).Select(p => $"{p.Time:O} {string.Join(' ', p.Values)}"));
    }

    [Fact]
    public async Task A_schema_4_database_gets_day_rows_when_opened_and_its_closed_days_folded_by_the_next_run()
    {
        var (store, connectionString) = await OpenAsync();
        await WriteAsync(store);
        var before = await ReadEverythingAsync(store);
        await store.DisposeAsync();
        // Back to schema 4: no measure_days (the measures were rows only).
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(Token);
            await using var downgrade = new NpgsqlCommand("DROP TABLE measure_days; UPDATE history_meta SET value = '4' WHERE key = 'schema_version'", connection);
            await downgrade.ExecuteNonQueryAsync(Token);
        }

        var (reopened, _) = await OpenAsync(connectionString);
        await using var __ = reopened;
        // 5 (measure day rows), 6 (hour rows as float8 blocks), then 7 (QuoteBlocks) in the same open.
        Assert.Equal(8, await ScalarAsync(connectionString, "SELECT value::bigint FROM history_meta WHERE key = 'schema_version'"));
        Assert.Equal(0, await ScalarAsync(connectionString, "SELECT count(*) FROM measure_days"));
        Assert.Equal(before, await ReadEverythingAsync(reopened));
        await reopened.ApplyRetentionAsync(Start.AddHours(40.5), TimeSpan.FromDays(30), TimeSpan.FromDays(730), Token);
        Assert.True(await ScalarAsync(connectionString, "SELECT count(*) FROM measure_days") > 0);
        Assert.Equal(before, await ReadEverythingAsync(reopened));
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Token), CultureInfo.InvariantCulture);
    }
}
