using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

public class OptionsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Options_answer_the_envelope_with_every_item_field()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        var body = await GetJsonAsync(http, "/api/options/btc");

        Assert.Equal("BTC", (string?)body["asset"]);
        Assert.Equal(56, (int)body["total"]!);
        var items = body["data"]!.AsArray();
        Assert.Equal(56, items.Count);
        var first = items[0]!.AsObject();
        Assert.Equal(
            ["symbol", "base_coin", "type", "strike", "expiry", "expiry_date", "days_to_expiry", "last_price", "mark_price", "bid_price", "bid_size", "bid_iv",
             "ask_price", "ask_size", "ask_iv", "mark_iv", "iv", "delta", "gamma", "theta", "vega", "volume_24h", "turnover_24h", "open_interest",
             "high_price_24h", "low_price_24h", "change_24h", "total_volume", "total_turnover", "index_price", "underlying", "predicted_delivery_price", "updated_at",
             "status", "delivery_price", "venue"],
            first.Select(p => p.Key));
        Assert.Equal("Call", (string?)first["type"]);
        Assert.Equal(80000m, (decimal)first["strike"]!);
        Assert.Matches("^[0-9]{2}[A-Z]{3}[0-9]{2}$", (string?)first["expiry"]);
        Assert.Equal(JsonValueKind.Number, first["days_to_expiry"]!.GetValueKind());
        Assert.Equal(first["mark_iv"]?.ToJsonString(), first["iv"]?.ToJsonString());
    }

    [Fact]
    public async Task Missing_values_are_null_and_never_quoted_options_have_no_update_time()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        var items = (await GetJsonAsync(http, "/api/options/BTC"))["data"]!.AsArray();

        Assert.Contains(items, i => i!["updated_at"] is null && i["mark_price"] is null);
        Assert.Contains(items, i => i!["updated_at"] is not null && i["last_price"] is null);
        Assert.All(items, i => Assert.NotEqual(JsonValueKind.String, i!["mark_price"]?.GetValueKind()));
    }

    [Fact]
    public async Task Tracked_asset_without_options_answers_an_empty_envelope()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        using var http = host.Http();

        var body = await GetJsonAsync(http, "/api/options/eth");

        Assert.Equal("ETH", (string?)body["asset"]);
        Assert.Equal(0, (int)body["total"]!);
        Assert.Empty(body["data"]!.AsArray());
    }

    [Fact]
    public async Task Expiry_filter_accepts_padded_unpadded_and_iso_forms()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        var date = BookBuilder.Expiries(host.Book.TimeProvider.GetUtcNow())[2];
        var padded = OptionsTracker.Book.ExpiryLabel.Format(date);

        foreach (var form in new[] { padded, BookBuilder.ExchangeExpiry(date), date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), padded.ToLowerInvariant() })
        {
            var body = await GetJsonAsync(http, $"/api/options/BTC?expiry={form}");
            Assert.Equal(14, (int)body["total"]!);
            Assert.All(body["data"]!.AsArray(), i => Assert.Equal(padded, (string?)i!["expiry"]));
        }
    }

    [Fact]
    public async Task Paging_sorting_and_fields_apply_after_total_is_counted()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        var body = await GetJsonAsync(http, "/api/options/BTC?type=put&sort=-strike&limit=3&offset=1&fields=symbol,strike");

        Assert.Equal(28, (int)body["total"]!);
        var items = body["data"]!.AsArray();
        Assert.Equal(3, items.Count);
        Assert.All(items, i => Assert.Equal(["symbol", "strike"], i!.AsObject().Select(p => p.Key)));
        Assert.All(items, i => Assert.EndsWith("-P-USDT", (string?)i!["symbol"], StringComparison.Ordinal));
        Assert.Equal([120000m, 120000m, 120000m], items.Select(i => (decimal)i!["strike"]!));
    }

    [Fact]
    public async Task Expiries_are_chronological_across_a_new_year()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        var body = await GetJsonAsync(http, "/api/expiries/BTC");

        var dates = BookBuilder.Expiries(host.Book.TimeProvider.GetUtcNow());
        Assert.Equal(4, (int)body["total"]!);
        Assert.Equal("BTC", (string?)body["asset"]);
        var items = body["data"]!.AsArray();
        Assert.Equal(dates.Select(OptionsTracker.Book.ExpiryLabel.Format), items.Select(i => (string?)i!["expiry"]));
        Assert.All(items, i => Assert.Equal(14, (int)i!["count"]!));
        Assert.True(items[0]!["expiry_date"] is not null, body.ToJsonString());
        Assert.Equal(dates[0].ToDateTime(new TimeOnly(8, 0), DateTimeKind.Utc), items[0]!["expiry_date"]!.GetValue<DateTime>().ToUniversalTime());
    }

    [Fact]
    public async Task Strikes_are_sorted_numerically_including_decimals()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        var body = await GetJsonAsync(http, "/api/strikes/xrp");

        Assert.Equal([1.5m, 2m, 2.25m, 2.5m, 10m], body["data"]!.AsArray().Select(s => (decimal)s!));
        Assert.Equal(5, (int)body["total"]!);
    }

    [Fact]
    public async Task Single_option_is_found_by_symbol_and_unknown_symbol_is_404_problem()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        var symbol = host.Book.Index.All[3].Instrument.Symbol;

        var item = await GetJsonAsync(http, $"/api/option/{symbol}");
        Assert.Equal(symbol, (string?)item["symbol"]);

        using var missing = await http.GetAsync("/api/option/BTC-1JAN20-1-C", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    internal static async Task<JsonNode> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}
