using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OptionsTracker.Book;
using static OptionsTracker.Tests.Api.OptionsApiTests;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

public class ScreensApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Summary_counts_types_and_expiries_and_computes_ratios_and_max_pain()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        var rows = host.Book.Index.TryGetCoin("BTC", out var coin) ? coin.Slots.Select(s => (s.Instrument, Quote: s.ReadQuote())).ToList() : [];

        var body = await GetJsonAsync(http, "/api/summary/btc");

        Assert.Equal("BTC", (string?)body["asset"]);
        Assert.Equal(56, (int)body["total"]!);
        Assert.Equal(28, (int)body["counts_by_type"]!["call"]!);
        Assert.Equal(28, (int)body["counts_by_type"]!["put"]!);
        Assert.Equal(4, body["counts_by_expiry"]!.AsArray().Count);
        Assert.Equal(4, body["max_pain"]!.AsArray().Count);
        Assert.Equal(100000m, (decimal)body["atm_strike"]!);
        var callOi = rows.Where(r => r.Instrument.Type == OptionType.Call && double.IsFinite(r.Quote.OpenInterest)).Sum(r => r.Quote.OpenInterest);
        var putOi = rows.Where(r => r.Instrument.Type == OptionType.Put && double.IsFinite(r.Quote.OpenInterest)).Sum(r => r.Quote.OpenInterest);
        Assert.Equal(callOi, (double)body["open_interest"]!["call"]!, 6);
        Assert.Equal(putOi / callOi, (double)body["put_call_ratio"]!["open_interest"]!, 9);
    }

    [Fact]
    public async Task Max_pain_is_the_strike_where_holders_receive_least()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        var expiry = BookBuilder.Expiries(host.Book.TimeProvider.GetUtcNow())[1];
        host.Book.AddInstruments([
            BookBuilder.Create("BTC", expiry, 90000m, 'C'), BookBuilder.Create("BTC", expiry, 100000m, 'C'), BookBuilder.Create("BTC", expiry, 110000m, 'C'),
            BookBuilder.Create("BTC", expiry, 90000m, 'P'), BookBuilder.Create("BTC", expiry, 100000m, 'P'), BookBuilder.Create("BTC", expiry, 110000m, 'P')]);
        // Payouts: 210k at 90k, 200k at 100k, 210k at 110k.
        SetOpenInterest(host.Book, expiry, 90000m, 'C', 10);
        SetOpenInterest(host.Book, expiry, 110000m, 'P', 10);
        SetOpenInterest(host.Book, expiry, 100000m, 'C', 1);
        SetOpenInterest(host.Book, expiry, 100000m, 'P', 1);
        using var http = host.Http();

        var body = await GetJsonAsync(http, "/api/summary/BTC");

        Assert.Equal(100000m, (decimal)body["max_pain"]![0]!["strike"]!);
    }

    private static void SetOpenInterest(OptionBook book, DateOnly expiry, decimal strike, char type, double openInterest)
    {
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, BookBuilder.Create("BTC", expiry, strike, type).Symbol, out var slot));
        var update = new QuoteUpdate { ExchangeTimeMs = book.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() };
        update.Set(QuoteField.OpenInterest, openInterest);
        book.Apply(slot, update);
    }

    [Fact]
    public async Task Greeks_report_mean_std_min_max_over_present_values()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        Assert.True(host.Book.Index.TryGetCoin("BTC", out var coin));
        var deltas = coin.Slots.Where(s => s.Instrument.Type == OptionType.Put).Select(s => s.ReadQuote().Delta).Where(double.IsFinite).ToList();

        var body = await GetJsonAsync(http, "/api/greeks/BTC?type=put");

        var delta = body["delta"]!;
        Assert.Equal(deltas.Count, (int)delta["count"]!);
        Assert.Equal(deltas.Average(), (double)delta["mean"]!, 9);
        Assert.Equal(Math.Sqrt(deltas.Average(d => Math.Pow(d - deltas.Average(), 2))), (double)delta["std"]!, 9);
        Assert.Equal(deltas.Min(), (double)delta["min"]!);
        Assert.Equal(deltas.Max(), (double)delta["max"]!);
        Assert.NotNull(body["vega"]!["mean"]);
    }

    [Fact]
    public async Task Atm_returns_calls_and_puts_at_the_strikes_nearest_the_underlying()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        var body = await GetJsonAsync(http, "/api/atm/BTC?num_strikes=3");

        var items = body["data"]!.AsArray();
        Assert.Equal(4 * 3 * 2, (int)body["total"]!);
        Assert.Equal([95000m, 100000m, 105000m], items.Select(i => (decimal)i!["strike"]!).Distinct().Order());
    }

    [Fact]
    public async Task High_volume_and_high_iv_keep_options_above_the_threshold_highest_first()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        var expectedVolume = host.Book.Index.All.Count(s => s.ReadQuote().Volume24h >= 250);
        var expectedIv = host.Book.Index.All.Count(s => s.Instrument.BaseCoin == "BTC" && s.ReadQuote().MarkIv >= 0.9);

        var volume = await GetJsonAsync(http, "/api/high-volume?min_volume=250&limit=1000");
        var iv = await GetJsonAsync(http, "/api/high-iv?min_iv=0.9&asset=btc&limit=1000");
        var ivPercent = await GetJsonAsync(http, "/api/high-iv?min_iv=90&asset=btc&limit=1000");

        Assert.Equal(expectedVolume, (int)volume["total"]!);
        Assert.Equal("all", (string?)volume["asset"]);
        var volumes = volume["data"]!.AsArray().Select(i => (double)i!["volume_24h"]!).ToList();
        Assert.Equal(volumes.OrderDescending(), volumes);
        Assert.All(volumes, v => Assert.True(v >= 250));
        Assert.Equal(expectedIv, (int)iv["total"]!);
        Assert.Equal(expectedIv, (int)ivPercent["total"]!);
        var ivs = iv["data"]!.AsArray().Select(i => (double)i!["iv"]!).ToList();
        Assert.Equal(ivs.OrderDescending(), ivs);
    }

    [Fact]
    public async Task Recent_lists_only_options_updated_within_the_window()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        var before = await GetJsonAsync(http, "/api/recent?seconds=3600");
        var quoted = host.Book.Index.All.Count(s => s.ReadQuote().HasData);
        Assert.Equal(quoted, (int)before["total"]!);

        var symbol = host.Book.Index.All[0].Instrument.Symbol;
        BookBuilder.SetMarkPrice(host.Book, symbol, 12.5);
        var recent = await GetJsonAsync(http, "/api/recent?seconds=1");

        Assert.Contains(recent["data"]!.AsArray(), i => (string?)i!["symbol"] == symbol);
    }

    [Fact]
    public async Task Symbols_list_every_option_or_one_asset()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        var all = await GetJsonAsync(http, "/api/symbols");
        var xrp = await GetJsonAsync(http, "/api/symbols?asset=XRP");

        Assert.Equal(host.Book.Index.Count, (int)all["total"]!);
        Assert.Equal(10, (int)xrp["total"]!);
        Assert.All(xrp["data"]!.AsArray(), s => Assert.StartsWith("XRP-", (string?)s, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Post_query_filters_by_strike_range_type_volume_and_iv()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        var expected = host.Book.Index.All
            .Where(s => s.Instrument.BaseCoin == "BTC" && s.Instrument.Type == OptionType.Call && s.Instrument.Strike is >= 90000 and <= 105000)
            .Where(s => s.ReadQuote().Volume24h >= 100 && s.ReadQuote().MarkIv >= 0.5)
            .Select(s => s.Instrument.Symbol)
            .ToList();

        using var content = new StringContent("""{"asset":"btc","min_strike":90000,"max_strike":"105000","option_type":"Call","min_volume":100,"min_iv":0.5,"limit":500}""", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/query", content, Ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, body["data"]!.AsArray().Select(i => (string?)i!["symbol"]));
        Assert.Equal(expected.Count, (int)body["total"]!);
    }

    [Fact]
    public async Task Csv_export_parses_back_to_the_same_rows_as_the_json_list()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        using var response = await http.GetAsync("/api/export/csv?asset=BTC&type=call", Ct);
        var csv = await response.Content.ReadAsStringAsync(Ct);
        var json = await GetJsonAsync(http, "/api/options/BTC?type=call");

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var items = json["data"]!.AsArray();
        Assert.Equal(items[0]!.AsObject().Select(p => p.Key), header);
        Assert.Equal(items.Count, lines.Length - 1);
        for (var i = 0; i < items.Count; i++)
        {
            var cells = lines[i + 1].Split(',');
            for (var c = 0; c < header.Length; c++)
            {
                var value = items[i]![header[c]];
                if (value is null)
                    Assert.Equal("", cells[c]);
                else if (header[c] == "days_to_expiry")
                    Assert.Equal((double)value, double.Parse(cells[c], System.Globalization.CultureInfo.InvariantCulture), 0.01); // read a moment apart
                else if (value.GetValueKind() == System.Text.Json.JsonValueKind.Number)
                    Assert.Equal((double)value, double.Parse(cells[c], System.Globalization.CultureInfo.InvariantCulture));
                else if (header[c] is "expiry_date" or "updated_at")
                    Assert.Equal(value.GetValue<DateTime>().ToUniversalTime(), DateTime.Parse(cells[c], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal));
                else
                    Assert.Equal((string?)value, cells[c]);
            }
        }
    }

    [Fact]
    public async Task Json_export_is_an_attachment_with_the_envelope()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        using var response = await http.GetAsync("/api/export/json?asset=xrp&fields=symbol", Ct);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(10, (int)body["total"]!);
        Assert.Equal("XRP", (string?)body["asset"]);
    }
}
