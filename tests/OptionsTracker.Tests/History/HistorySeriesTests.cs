using System.Text.Json.Nodes;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// <c>/api/history/option/{symbol}</c>, <c>/api/history/{asset}/measures</c> and <c>/api/history/{asset}/range</c> over
/// snapshots the test writes: the values written come back, bucketed by the last value of each bucket; bad parameters
/// are 400s naming them; and the term answer's IV rank equals a recomputation from the measures written.
/// </summary>
public sealed class HistorySeriesTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly DateOnly Expiry = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(40));

    private static readonly OptionInstrument Call = BookBuilder.Create("BTC", Expiry, 100000m, 'C', 5, 0.01);
    private static readonly OptionInstrument Put = BookBuilder.Create("BTC", Expiry, 100000m, 'P', 5, 0.01);

    /// <summary>An hour boundary two hours back: the snapshots are minutes after it, so 5-minute buckets start on them.</summary>
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 3_600_000 * 3_600_000).AddHours(-2);

    /// <summary>Snapshot k's quote of the call: mark 100 + k, mark IV 0.5 + k/100, OI missing on odd k.</summary>
    private static OptionQuote QuoteAt(int k, DateTimeOffset time)
    {
        var quote = OptionQuote.Empty;
        quote.ExchangeTimeMs = time.ToUnixTimeMilliseconds() - 100;
        quote.ReceivedAtMs = time.ToUnixTimeMilliseconds() - 50;
        quote.Status = ListingStatus.Trading;
        quote.Values[(int)QuoteField.MarkPrice] = 100 + k;
        quote.Values[(int)QuoteField.MarkIv] = 0.5 + k / 100.0;
        quote.Values[(int)QuoteField.OpenInterest] = k % 2 == 1 ? double.NaN : 10 * k;
        quote.Values[(int)QuoteField.UnderlyingPrice] = 100_000 + k;
        quote.Values[(int)QuoteField.Delta] = 0.5 - k / 1000.0;
        return quote;
    }

    private static async Task<HistoryApiHost> WithTenSnapshotsAsync()
    {
        var host = await HistoryApiHost.StartAsync(settings => TrackerApp.StartForApiAsync(settings));
        for (var k = 0; k < 10; k++)
        {
            var time = T0.AddMinutes(k);
            var snapshot = new BoardSnapshot { Time = time, Coins = { "BTC" } };
            snapshot.Quotes.Add(new RecordedQuote(Call, QuoteAt(k, time), Changed: true));
            snapshot.Quotes.Add(new RecordedQuote(Put, QuoteAt(k + 50, time), Changed: true));
            snapshot.Measures.Add(new RecordedMeasure("BTC", "atm_iv_30d", 0.4 + k / 100.0));
            snapshot.Measures.Add(new RecordedMeasure("BTC", "index_price", k == 3 ? double.NaN : 100_000 + k));
            await host.Store.WriteSnapshotAsync(snapshot, Token);
        }
        return host;
    }

    private static string At(DateTimeOffset time) => TimeTravelTests.Format(time);

    private static double? Number(JsonNode? node) => node is null ? null : (double)node;

    [Fact]
    public async Task Option_series_returns_the_values_written_and_buckets_keep_each_buckets_last_value()
    {
        await using var host = await WithTenSnapshotsAsync();
        var raw = await host.GetJsonAsync($"/api/history/option/{Call.Symbol}?from={At(T0)}&to={At(T0.AddMinutes(9))}&interval=raw&fields=mark_price,mark_iv,open_interest,underlying,delta,iv");
        Assert.Equal(Call.Symbol, (string?)raw["symbol"]);
        Assert.Equal("bybit", (string?)raw["venue"]);
        Assert.Equal("BTC", (string?)raw["asset"]);
        Assert.Equal("raw", (string?)raw["interval"]);
        Assert.Equal(["mark_price", "mark_iv", "open_interest", "underlying", "delta", "iv"], raw["fields"]!.AsArray().Select(f => (string?)f));
        var rows = raw["data"]!.AsArray();
        Assert.Equal(10, rows.Count);
        Assert.Equal(10, (int)raw["total"]!);
        for (var k = 0; k < 10; k++)
        {
            var row = rows[k]!;
            var quote = QuoteAt(k, T0.AddMinutes(k));
            Assert.Equal(T0.AddMinutes(k).UtcDateTime, (DateTime)row["time"]!);
            Assert.Equal(["time", "mark_price", "mark_iv", "open_interest", "underlying", "delta", "iv"], row.AsObject().Select(p => p.Key));
            Assert.Equal(quote.MarkPrice, Number(row["mark_price"]));
            Assert.Equal(quote.MarkIv, Number(row["mark_iv"]));
            Assert.Equal(quote.MarkIv, Number(row["iv"]));
            Assert.Equal(double.IsNaN(quote.OpenInterest) ? null : quote.OpenInterest, Number(row["open_interest"]));
            Assert.Equal(quote.UnderlyingPrice, Number(row["underlying"]));
            Assert.Equal(quote.Delta, Number(row["delta"]));
        }

        // 5-minute buckets from T0 (an hour boundary): minutes 0–4 and 5–9, each carrying its last snapshot's values.
        var bucketed = await host.GetJsonAsync($"/api/history/option/{Call.Symbol.ToLowerInvariant()}?from={At(T0)}&to={At(T0.AddMinutes(9))}&interval=5m&fields=mark_price,open_interest");
        var buckets = bucketed["data"]!.AsArray();
        Assert.Equal([T0.UtcDateTime, T0.AddMinutes(5).UtcDateTime], buckets.Select(b => (DateTime)b!["time"]!));
        Assert.Equal([104.0, 109.0], buckets.Select(b => (double)b!["mark_price"]!));
        // The last snapshot of a bucket had no OI: missing stays missing, never an older value nor zero.
        Assert.Null(buckets[1]!["open_interest"]);

        // Defaults: the chart's fields, the day before now, an automatic interval.
        var defaults = await host.GetJsonAsync($"/api/history/option/{Put.Symbol}");
        Assert.Equal(["mark_price", "mark_iv", "bid_iv", "ask_iv", "open_interest", "underlying"], defaults["fields"]!.AsArray().Select(f => (string?)f));
        Assert.Equal("1m", (string?)defaults["interval"]);
        Assert.Equal(10, defaults["data"]!.AsArray().Count);
        Assert.Equal(150.0, (double)defaults["data"]![0]!["mark_price"]!);
        Assert.Null(defaults["data"]![0]!["bid_iv"]);
    }

    [Fact]
    public async Task Measure_series_and_the_recorded_range_return_what_was_written()
    {
        await using var host = await WithTenSnapshotsAsync();
        var raw = await host.GetJsonAsync($"/api/history/btc/measures?names=atm_iv_30d,index_price,rr25_30d&from={At(T0)}&to={At(T0.AddMinutes(9))}&interval=raw");
        Assert.Equal("BTC", (string?)raw["asset"]);
        Assert.Equal(["atm_iv_30d", "index_price", "rr25_30d"], raw["names"]!.AsArray().Select(n => (string?)n));
        var rows = raw["data"]!.AsArray();
        Assert.Equal(10, rows.Count);
        for (var k = 0; k < 10; k++)
        {
            Assert.Equal(T0.AddMinutes(k).UtcDateTime, (DateTime)rows[k]!["time"]!);
            Assert.Equal(0.4 + k / 100.0, (double)rows[k]!["atm_iv_30d"]!);
            Assert.Equal(k == 3 ? null : 100_000 + k, Number(rows[k]!["index_price"]));
            // Never recorded: null in every row.
            Assert.Null(rows[k]!["rr25_30d"]);
        }
        var bucketed = await host.GetJsonAsync($"/api/history/BTC/measures?names=atm_iv_30d&from={At(T0)}&to={At(T0.AddMinutes(9))}&interval=5m");
        Assert.Equal([0.44, 0.49], bucketed["data"]!.AsArray().Select(r => Math.Round((double)r!["atm_iv_30d"]!, 10)));

        var range = await host.GetJsonAsync("/api/history/btc/range");
        Assert.Equal("BTC", (string?)range["asset"]);
        Assert.Equal(T0.UtcDateTime, (DateTime)range["first"]!);
        Assert.Equal(T0.AddMinutes(9).UtcDateTime, (DateTime)range["last"]!);
        Assert.Equal(10, (long)range["snapshots"]!);
        Assert.Equal("duckdb", (string?)range["store"]);
        Assert.Equal("bybit", (string?)range["source"]);
        Assert.Equal(3600, (double)range["interval_seconds"]!);
        // A tracked coin with nothing recorded: an empty range, not an error.
        var empty = await host.GetJsonAsync("/api/history/ETH/range");
        Assert.Equal(0, (long)empty["snapshots"]!);
        Assert.Null(empty["first"]);
    }

    [Theory]
    [InlineData("/api/history/option/{call}?fields=strike", "fields")]
    [InlineData("/api/history/option/{call}?fields=mark_price,nonsense", "fields")]
    [InlineData("/api/history/option/{call}?interval=7x", "interval")]
    [InlineData("/api/history/option/{call}?interval=0s", "interval")]
    [InlineData("/api/history/option/{call}?from=2026-01-01T00:00:00Z&to=2026-01-20T00:00:00Z&interval=1s", "interval")]
    [InlineData("/api/history/option/{call}?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [InlineData("/api/history/option/{call}?to=2026-02-01", "to")]
    [InlineData("/api/history/option/{call}?venue=nowhere", "venue")]
    [InlineData("/api/history/BTC/measures", "names")]
    [InlineData("/api/history/BTC/measures?names=atm_iv_30d,atm_iv_30x", "names")]
    [InlineData("/api/history/BTC/measures?names=rr25@2026-13-01", "names")]
    [InlineData("/api/history/BTC/measures?names=index_price&from=1990-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    public async Task A_bad_parameter_is_a_400_naming_it(string path, string parameter)
    {
        await using var host = await HistoryApiHost.StartAsync(settings => TrackerApp.StartForApiAsync(settings));
        var (status, problem) = await host.GetProblemAsync(path.Replace("{call}", Call.Symbol, StringComparison.Ordinal));
        Assert.Equal(400, status);
        Assert.Equal([parameter], problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains(parameter + ":", (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_asset_or_option_is_a_404()
    {
        await using var host = await WithTenSnapshotsAsync();
        Assert.Equal(404, (await host.GetProblemAsync("/api/history/DOGE/measures?names=atm_iv_30d")).Status);
        Assert.Equal(404, (await host.GetProblemAsync("/api/history/DOGE/range")).Status);
        Assert.Equal(404, (await host.GetProblemAsync("/api/history/option/DOGE-26DEC25-1-C")).Status);
        // A tracked coin's option never recorded (nor listed now) is unknown too.
        var (status, problem) = await host.GetProblemAsync("/api/history/option/BTC-26DEC25-123456-C");
        Assert.Equal(404, status);
        Assert.Contains("was recorded", (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Term_iv_rank_and_percentile_equal_a_recomputation_from_the_recorded_daily_atm_iv()
    {
        await using var host = await HistoryApiHost.StartAsync(settings => TrackerApp.StartForApiAsync(settings));
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        BookBuilder.AddSmiles(host.App.Book, "BTC", (today.AddDays(20), 0.55), (today.AddDays(45), 0.65));
        var live = await host.GetJsonAsync("/api/analytics/BTC/term");
        var current = (double)live["tenors"]!.AsArray().Single(t => (double)t!["tenor_days"]! == 30)!["atm_iv"]!;
        Assert.Null(live["tenors"]![0]!["iv_rank"]);

        // Twelve days of recorded 30-day ATM IV: two values on some days (the day's last counts), one day missing.
        var midnight = new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var daily = new List<(DateTimeOffset Day, double Value)>();
        for (var day = 12; day >= 1; day--)
        {
            if (day == 5)
                continue;
            var dayStart = midnight.AddDays(-day);
            var value = 0.4 + (day * 37 % 11) / 50.0;
            if (day % 3 == 0)
                await WriteMeasureAsync(host, dayStart.AddHours(3), value + 0.3);
            await WriteMeasureAsync(host, dayStart.AddHours(20), value);
            daily.Add((dayStart, value));
        }

        var term = await host.GetJsonAsync("/api/analytics/BTC/term");
        var askedAt = DateTimeOffset.UtcNow;
        var tenor = term["tenors"]!.AsArray().Single(t => (double)t!["tenor_days"]! == 30)!;
        // The 30-day figure is interpolated at the time of asking, so it moves in the 7th digit between two requests
        // seconds apart on a loaded machine: the rank is checked against this answer's own current value.
        Assert.Equal(current, (double)tenor["atm_iv"]!, 5);
        current = (double)tenor["atm_iv"]!;
        var values = daily.Select(d => d.Value).ToList();
        var min = Math.Min(values.Min(), current);
        var max = Math.Max(values.Max(), current);
        Assert.Equal((current - min) / (max - min), (double)tenor["iv_rank"]!, 12);
        Assert.Equal(values.Count(v => v < current) / (double)values.Count, (double)tenor["iv_percentile"]!, 12);
        Assert.InRange((double)tenor["lookback_days"]!, (askedAt - daily[0].Day).TotalDays - 0.01, (askedAt - daily[0].Day).TotalDays + 0.01);
        // Tenors whose ATM IV was never recorded have no rank.
        Assert.Null(term["tenors"]!.AsArray().Single(t => (double)t!["tenor_days"]! == 7)!["iv_rank"]);

        // A lookback of 4 days ranks among the last 4 days only.
        var short4 = (await host.GetJsonAsync("/api/analytics/BTC/term?lookback=4"))["tenors"]!.AsArray().Single(t => (double)t!["tenor_days"]! == 30)!;
        var recent = daily.Where(d => d.Day >= midnight.AddDays(-4)).Select(d => d.Value).ToList();
        Assert.Equal(recent.Count(v => v < current) / (double)recent.Count, (double)short4["iv_percentile"]!, 12);
        Assert.Equal(400, (await host.GetProblemAsync("/api/analytics/BTC/term?lookback=0")).Status);

        // With at=, the rank is as of that instant: the days after it do not count, and its own board gives the current value.
        var at = midnight.AddDays(-6).AddHours(21);
        var past = await host.GetJsonAsync($"/api/analytics/BTC/term?at={At(at)}");
        Assert.Equal(midnight.AddDays(-6).AddHours(20).UtcDateTime, (DateTime)past["as_of"]!);
        var pastTenor = past["tenors"]!.AsArray().Single(t => (double)t!["tenor_days"]! == 30)!;
        var pastCurrent = (double)pastTenor["atm_iv"]!;
        var before = daily.Where(d => d.Day <= midnight.AddDays(-6)).Select(d => d.Value).ToList();
        var pastMin = Math.Min(before.Min(), pastCurrent);
        var pastMax = Math.Max(before.Max(), pastCurrent);
        Assert.Equal((pastCurrent - pastMin) / (pastMax - pastMin), (double)pastTenor["iv_rank"]!, 12);
        Assert.Equal(before.Count(v => v < pastCurrent) / (double)before.Count, (double)pastTenor["iv_percentile"]!, 12);
        // Over the days up to the snapshot answering (as_of), not up to the instant asked.
        Assert.Equal((midnight.AddDays(-6).AddHours(20) - daily[0].Day).TotalDays, (double)pastTenor["lookback_days"]!, 3);
    }

    /// <summary>A snapshot of the host's board at <paramref name="time"/> whose recorded 30-day ATM IV is <paramref name="atmIv30"/>.</summary>
    private static async Task WriteMeasureAsync(HistoryApiHost host, DateTimeOffset time, double atmIv30)
    {
        var snapshot = host.Capture(time);
        snapshot.Measures.RemoveAll(m => m.Name == "atm_iv_30d");
        snapshot.Measures.Add(new RecordedMeasure("BTC", "atm_iv_30d", atmIv30));
        await host.Store.WriteSnapshotAsync(snapshot, Token);
    }

    [Fact]
    public async Task A_30_day_series_answers_every_bucket_recorded()
    {
        await using var host = await HistoryApiHost.StartAsync(settings => TrackerApp.StartForApiAsync(settings));
        // Thirty days at thirty minutes (1,440 snapshots of two options, written one by one as the recorder would): the
        // month a chart shows, at a resolution this shared machine writes in seconds. The full-size figures (4,000
        // options at one minute, built by the generator) are the benchmarks'.
        var step = TimeSpan.FromMinutes(30);
        // On a whole hour, so the hourly buckets are exactly 720 whenever the test runs (from a half hour there would be 721).
        var end = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 3_600_000 * 3_600_000);
        var start = end.AddDays(-30);
        var count = 0;
        var writing = System.Diagnostics.Stopwatch.StartNew();
        for (var time = start; time < end; time += step)
        {
            var snapshot = new BoardSnapshot { Time = time, Coins = { "BTC" } };
            snapshot.Quotes.Add(new RecordedQuote(Call, QuoteAt(count % 100, time), Changed: true));
            snapshot.Quotes.Add(new RecordedQuote(Put, QuoteAt(count % 100 + 1, time), Changed: true));
            snapshot.Measures.Add(new RecordedMeasure("BTC", "atm_iv_30d", 0.4 + count % 100 / 1000.0));
            await host.Store.WriteSnapshotAsync(snapshot, Token);
            count++;
        }
        var written = writing.Elapsed;

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var fromStore = await host.Store.OptionSeriesAsync(Call.Venue, Call.Symbol, [QuoteField.MarkPrice, QuoteField.MarkIv, QuoteField.OpenInterest, QuoteField.UnderlyingPrice],
            start, end, TimeSpan.Zero, Token);
        var storeMs = watch.Elapsed.TotalMilliseconds;
        Assert.Equal(count, fromStore.Count);
        var rawPath = $"/api/history/option/{Call.Symbol}?from={At(start)}&to={At(end)}&interval=raw&fields=mark_price,mark_iv,open_interest,underlying";
        watch.Restart();
        await host.Http.GetByteArrayAsync(rawPath, Token);
        var coldMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var bytes = await host.Http.GetByteArrayAsync(rawPath, Token);
        var bytesMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var raw = await host.GetJsonAsync($"/api/history/option/{Call.Symbol}?from={At(start)}&to={At(end)}&interval=raw&fields=mark_price,mark_iv,open_interest,underlying");
        var rawMs = watch.Elapsed.TotalMilliseconds;
        Assert.Equal(count, (int)raw["total"]!);
        Assert.Equal(QuoteAt((count - 1) % 100, end - step).MarkPrice, (double)raw["data"]![count - 1]!["mark_price"]!);
        watch.Restart();
        var hourly = await host.GetJsonAsync($"/api/history/option/{Call.Symbol}?from={At(start)}&to={At(end)}&interval=1h");
        var hourlyMs = watch.Elapsed.TotalMilliseconds;
        Assert.Equal(30 * 24, (int)hourly["total"]!);
        watch.Restart();
        var measure = await host.GetJsonAsync($"/api/history/BTC/measures?names=atm_iv_30d&from={At(start)}&to={At(end)}");
        var measureMs = watch.Elapsed.TotalMilliseconds;
        Assert.Equal("30m", (string?)measure["interval"]);
        Assert.Equal(count, (int)measure["total"]!);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{count} snapshots written in {written.TotalSeconds:0.0} s; 30-day option series of {count} rows, 4 fields: store {storeMs:0} ms, "
            + $"API first call {coldMs:0} ms, then {bytesMs:0} ms ({bytes.Length / 1024} KB), API parsed {rawMs:0} ms; hourly {hourlyMs:0} ms; 30-day measure (auto 30m) {measureMs:0} ms");
    }
}
