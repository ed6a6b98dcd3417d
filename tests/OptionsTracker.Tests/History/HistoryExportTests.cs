using System.Globalization;
using System.IO.Compression;
using DuckDB.NET.Data;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// <c>/api/history/export</c>: the CSV and the Parquet (read back with DuckDB, partitioned by coin and day) hold exactly
/// the rows written, with missing values missing; bad parameters are 400s naming them; the temporary files are removed.
/// </summary>
public sealed class HistoryExportTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly DateOnly Expiry = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(60));

    private static readonly OptionInstrument[] Btc =
    [
        BookBuilder.Create("BTC", Expiry, 90000m, 'C', 5, 0.01),
        BookBuilder.Create("BTC", Expiry, 100000m, 'P', 5, 0.01),
        BookBuilder.Create("BTC", Expiry, 110000m, 'C', 5, 0.01),
    ];

    private static readonly OptionInstrument[] Xrp = [BookBuilder.Create("XRP", Expiry, 2.25m, 'C', 0.0001, 1), BookBuilder.Create("XRP", Expiry, 2.25m, 'P', 0.0001, 1)];

    /// <summary>Three snapshots: two a minute apart late on one UTC day, one on the next (so two day partitions).</summary>
    private static readonly DateTimeOffset[] Times = Snapshots();

    private static DateTimeOffset[] Snapshots()
    {
        var day = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-3), TimeSpan.Zero);
        return [day.AddHours(23).AddMinutes(58), day.AddHours(23).AddMinutes(59), day.AddDays(1).AddHours(0).AddMinutes(1)];
    }

    /// <summary>A quote with a distinct value per field, snapshot and option; fields where (field + salt) % 5 == 2 missing.</summary>
    private static OptionQuote QuoteOf(int salt, DateTimeOffset time)
    {
        var quote = OptionQuote.Empty;
        quote.ExchangeTimeMs = time.ToUnixTimeMilliseconds() - 300 - salt;
        quote.ReceivedAtMs = time.ToUnixTimeMilliseconds() - 100;
        quote.Status = ListingStatus.Trading;
        for (var field = 0; field < QuoteFields.Count; field++)
            quote.Values[field] = (field + salt) % 5 == 2 ? double.NaN : Math.Round(field * 10.25 + salt * 0.001 + 0.5, 6);
        return quote;
    }

    private static async Task<(HistoryApiHost Host, List<RecordedRow> Written)> WithSnapshotsAsync()
    {
        var host = await HistoryApiHost.StartAsync(settings => TrackerApp.StartForApiAsync(settings));
        var written = new List<RecordedRow>();
        for (var s = 0; s < Times.Length; s++)
        {
            var snapshot = new BoardSnapshot { Time = Times[s], Coins = { "BTC", "XRP" } };
            var i = 0;
            foreach (var instrument in Btc.Concat(Xrp))
            {
                var quote = QuoteOf(s * 10 + i++, Times[s]);
                snapshot.Quotes.Add(new RecordedQuote(instrument, quote, Changed: true));
                written.Add(new RecordedRow(Times[s], instrument, quote));
            }
            await host.Store.WriteSnapshotAsync(snapshot, Token);
        }
        return (host, written);
    }

    private static string Range => $"from={TimeTravelTests.Format(Times[0])}&to={TimeTravelTests.Format(Times[^1])}";

    /// <summary>The columns every export has: the item's fields after time, venue and symbol.</summary>
    private static readonly string[] Columns = ["time", "venue", "symbol", .. OptionsTracker.Api.HistoryExportApi.FieldNames];

    [Fact]
    public async Task Csv_export_holds_every_written_row_with_the_item_field_names()
    {
        var (host, written) = await WithSnapshotsAsync();
        await using var _ = host;
        using var response = await host.Http.GetAsync($"/api/history/export?asset=btc&{Range}&format=csv", Token);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Token));
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("attachment; filename=\"history-BTC-", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var lines = (await response.Content.ReadAsStringAsync(Token)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(",", Columns), lines[0]);
        Assert.Contains("mark_price", Columns);
        Assert.DoesNotContain("model_iv", Columns);

        var expected = written.Where(w => w.Instrument.BaseCoin == "BTC").OrderBy(w => w.Time).ThenBy(w => w.Instrument.Symbol, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Count, lines.Length - 1);
        for (var r = 0; r < expected.Count; r++)
        {
            var cells = lines[r + 1].Split(',');
            var row = expected[r];
            var cell = (string name) => cells[Array.IndexOf(Columns, name)];
            Assert.Equal(row.Time.UtcDateTime, DateTime.Parse(cell("time"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
            Assert.Equal("bybit", cell("venue"));
            Assert.Equal(row.Instrument.Symbol, cell("symbol"));
            Assert.Equal(row.Instrument.Strike.ToString(CultureInfo.InvariantCulture), cell("strike"));
            Assert.Equal("Trading", cell("status"));
            AssertValue(row.Quote.MarkPrice, cell("mark_price"));
            AssertValue(row.Quote.MarkIv, cell("mark_iv"));
            AssertValue(row.Quote.BidIv, cell("bid_iv"));
            AssertValue(row.Quote.OpenInterest, cell("open_interest"));
            AssertValue(row.Quote.UnderlyingPrice, cell("underlying"));
            AssertValue(row.Quote.Delta, cell("delta"));
            AssertValue(row.Quote.PredictedDeliveryPrice, cell("predicted_delivery_price"));
            // Days to expiry as of the snapshot, not of the export.
            AssertValue(Math.Round((row.Instrument.ExpiryUtc - row.Time).TotalDays, 6), cell("days_to_expiry"));
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(row.Quote.ExchangeTimeMs).UtcDateTime,
                DateTime.Parse(cell("updated_at"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
        }

        // Every asset without one; nothing in a range with no snapshot is a header alone.
        var all = (await host.Http.GetStringAsync($"/api/history/export?{Range}", Token)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(written.Count + 1, all.Length);
        var none = (await host.Http.GetStringAsync($"/api/history/export?asset=BTC&from={TimeTravelTests.Format(Times[0].AddDays(-5))}&to={TimeTravelTests.Format(Times[0].AddDays(-4))}", Token))
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(none);
    }

    private static void AssertValue(double expected, string cell)
    {
        if (double.IsNaN(expected))
            Assert.Equal("", cell);
        else
            Assert.Equal(expected, double.Parse(cell, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Parquet_export_is_partitioned_by_coin_and_day_and_reads_back_as_written()
    {
        var (host, written) = await WithSnapshotsAsync();
        await using var _ = host;
        var exports = ExportDirectories();
        using var response = await host.Http.GetAsync($"/api/history/export?{Range}&format=parquet", Token);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Token));
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        var zip = await response.Content.ReadAsByteArrayAsync(Token);

        var directory = Directory.CreateTempSubdirectory("history-export-read-").FullName;
        try
        {
            using (var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
            {
                var days = Times.Select(t => DateOnly.FromDateTime(t.UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Distinct().ToList();
                var partitions = archive.Entries.Select(e => Path.GetDirectoryName(e.FullName)!.Replace('\\', '/')).Distinct().Order(StringComparer.Ordinal).ToList();
                Assert.Equal(
                    new[] { "BTC", "XRP" }.SelectMany(c => days.Select(d => $"coin={c}/day={d}")).Order(StringComparer.Ordinal),
                    partitions);
                Assert.All(archive.Entries, e => Assert.EndsWith(".parquet", e.Name, StringComparison.Ordinal));
                archive.ExtractToDirectory(directory);
            }

            await using var duck = new DuckDBConnection("DataSource=:memory:");
            await duck.OpenAsync(Token);
            using var command = duck.CreateCommand();
            command.CommandText = $"""
                SELECT coin, day, epoch_ms(time), venue, symbol, strike, mark_price, mark_iv, open_interest, delta, status, epoch_ms(updated_at), days_to_expiry
                FROM read_parquet('{directory.Replace("'", "''", StringComparison.Ordinal)}/**/*.parquet', hive_partitioning = true)
                ORDER BY time, symbol
                """;
            using var reader = command.ExecuteReader();
            var expected = written.OrderBy(w => w.Time).ThenBy(w => w.Instrument.Symbol, StringComparer.Ordinal).ToList();
            var r = 0;
            while (reader.Read())
            {
                var row = expected[r++];
                Assert.Equal(row.Instrument.BaseCoin, reader.GetString(0));
                Assert.Equal(DateOnly.FromDateTime(row.Time.UtcDateTime), DateOnly.FromDateTime(reader.GetDateTime(1)));
                Assert.Equal(row.Time.ToUnixTimeMilliseconds(), reader.GetInt64(2));
                Assert.Equal("bybit", reader.GetString(3));
                Assert.Equal(row.Instrument.Symbol, reader.GetString(4));
                Assert.Equal(row.Instrument.StrikeValue, reader.GetDouble(5));
                AssertColumn(reader, 6, row.Quote.MarkPrice);
                AssertColumn(reader, 7, row.Quote.MarkIv);
                AssertColumn(reader, 8, row.Quote.OpenInterest);
                AssertColumn(reader, 9, row.Quote.Delta);
                Assert.Equal("Trading", reader.GetString(10));
                Assert.Equal(row.Quote.ExchangeTimeMs, reader.GetInt64(11));
                Assert.Equal(Math.Round((row.Instrument.ExpiryUtc - row.Time).TotalDays, 6), reader.GetDouble(12));
            }
            Assert.Equal(expected.Count, r);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
        // The export's own temporary files are gone once it answered.
        Assert.Equal(exports, ExportDirectories());
    }

    private static void AssertColumn(System.Data.Common.DbDataReader reader, int column, double expected)
    {
        if (double.IsNaN(expected))
            Assert.True(reader.IsDBNull(column), $"column {column} is NULL where the quote had no value");
        else
            Assert.Equal(expected, reader.GetDouble(column));
    }

    private static string[] ExportDirectories() =>
        [.. Directory.GetDirectories(Path.GetTempPath(), "optionstracker-export-*").Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData("/api/history/export?format=xlsx", 400, "format")]
    [InlineData("/api/history/export?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", 400, "from")]
    [InlineData("/api/history/export?to=tomorrow", 400, "to")]
    [InlineData("/api/history/export?asset=DOGE", 404, null)]
    public async Task A_bad_export_request_is_refused_naming_the_parameter(string path, int status, string? parameter)
    {
        await using var host = await HistoryApiHost.StartAsync(settings => TrackerApp.StartForApiAsync(settings));
        var (answered, problem) = await host.GetProblemAsync(path);
        Assert.Equal(status, answered);
        if (parameter is not null)
            Assert.Equal([parameter], problem["errors"]!.AsObject().Select(e => e.Key));
    }
}
