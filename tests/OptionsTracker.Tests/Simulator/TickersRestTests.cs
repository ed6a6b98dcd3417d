using System.Text.Json;
using OptionsTracker.Simulator;

namespace OptionsTracker.Tests.Simulator;

public class TickersRestTests
{
    private static readonly string[] RestTickerFields =
    [
        "symbol", "bid1Price", "bid1Size", "bid1Iv", "ask1Price", "ask1Size", "ask1Iv", "lastPrice", "highPrice24h", "lowPrice24h",
        "markPrice", "indexPrice", "markIv", "underlyingPrice", "openInterest", "turnover24h", "volume24h", "totalVolume",
        "totalTurnover", "delta", "gamma", "vega", "theta", "predictedDeliveryPrice", "change24h",
    ];

    [Fact]
    public async Task Tickers_use_REST_field_names_and_every_value_is_a_plain_number_string()
    {
        await using var simulator = await TestSimulator.StartAsync();
        using var json = await simulator.GetJsonAsync("/v5/market/tickers?category=option&baseCoin=SOL");
        var result = json.RootElement.GetProperty("result");
        Assert.Equal(["category", "list"], result.PropertyNames());
        var list = result.GetProperty("list");
        Assert.Equal(simulator.GetInstruments("SOL").Count, list.GetArrayLength());
        foreach (var item in list.EnumerateArray())
        {
            Assert.Equal(RestTickerFields, item.PropertyNames());
            foreach (var field in item.EnumerateObject().Skip(1))
            {
                Assert.Equal(JsonValueKind.String, field.Value.ValueKind);
                string text = field.Value.GetString()!;
                Assert.DoesNotContain("E", text, StringComparison.OrdinalIgnoreCase);
                Assert.True(text.Length == 0 || double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out _), $"{field.Name}={text}");
            }
        }
    }

    [Fact]
    public async Task Ticker_for_one_symbol_matches_TryGetTicker()
    {
        await using var simulator = await TestSimulator.StartAsync();
        string symbol = simulator.GetInstruments("BTC")[10].Symbol;
        simulator.SetMarkPrice(symbol, 1234.5);
        using var json = await simulator.GetJsonAsync($"/v5/market/tickers?category=option&symbol={symbol}");
        var item = Assert.Single(json.RootElement.GetProperty("result").GetProperty("list").EnumerateArray());
        Assert.Equal(symbol, item.GetProperty("symbol").GetString());
        Assert.Equal("1234.5", item.GetProperty("markPrice").GetString());
    }

    [Fact]
    public async Task Never_traded_options_send_zeros_like_the_exchange_and_empty_book_sides_send_zero()
    {
        // Bybit's examples and a live sample (ccxt PR 21878) show "0", not "", for these fields of a never-traded option.
        await using var simulator = await TestSimulator.StartAsync();
        using var json = await simulator.GetJsonAsync("/v5/market/tickers?category=option&baseCoin=BTC");
        var items = json.RootElement.GetProperty("result").GetProperty("list").EnumerateArray().ToList();
        var untraded = items.Where(i => i.GetProperty("lastPrice").GetString() == "0").ToList();
        Assert.NotEmpty(untraded);
        Assert.All(untraded, i =>
        {
            Assert.Equal("0", i.GetProperty("highPrice24h").GetString());
            Assert.Equal("0", i.GetProperty("lowPrice24h").GetString());
            Assert.Equal("0", i.GetProperty("change24h").GetString());
            // A price all the same: a far out-of-the-money option in its last hour may be marked at 0 (its value rounds
            // away), so only most of them are checked to be above it.
            Assert.True(double.Parse(i.GetProperty("markPrice").GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= 0);
        });
        Assert.True(untraded.Count(i => i.GetProperty("markPrice").GetString() != "0") > untraded.Count / 2,
            "the never-traded options are still marked: zeros only where Bybit sends them");
        Assert.Contains(items, i => i.GetProperty("lastPrice").GetString() != "0");
        Assert.All(items, i => Assert.All(i.EnumerateObject(), field => Assert.NotEqual("", field.Value.GetString())));
        Assert.Contains(items, i => i.GetProperty("bid1Price").GetString() == "0" && i.GetProperty("bid1Size").GetString() == "0");
        // A predicted delivery price only in the last 30 minutes before delivery (from 07:30 UTC for today's expiry).
        var deliveries = simulator.GetInstruments("BTC").ToDictionary(i => i.Symbol, i => i.DeliveryTime);
        Assert.All(items.Where(i => deliveries[i.GetProperty("symbol").GetString()!] - DateTimeOffset.UtcNow > TimeSpan.FromMinutes(31)),
            i => Assert.Equal("0", i.GetProperty("predictedDeliveryPrice").GetString()));
    }

    [Fact]
    public async Task Tickers_filter_by_expDate()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var expiry = simulator.GetInstruments("BTC").Select(i => i.DeliveryTime).Distinct().Order().ElementAt(1);
        string code = expiry.ToString("dMMMyy", System.Globalization.CultureInfo.InvariantCulture).ToUpperInvariant();
        using var json = await simulator.GetJsonAsync($"/v5/market/tickers?category=option&baseCoin=BTC&expDate={code}");
        var symbols = json.RootElement.GetProperty("result").GetProperty("list").EnumerateArray().Select(i => i.GetProperty("symbol").GetString()).ToList();
        Assert.Equal(simulator.GetInstruments("BTC").Where(i => i.DeliveryTime == expiry).Select(i => i.Symbol), symbols);
    }

    [Theory]
    [InlineData("/v5/market/tickers?category=option", "params error")]
    [InlineData("/v5/market/tickers?baseCoin=BTC", "params error")]
    [InlineData("/v5/market/tickers?category=option&symbol=BTC-1JAN20-1000-C-USDT", "params error: symbol invalid")]
    [InlineData("/v5/market/tickers?category=option&symbol=BTCUSDT-1JAN20-1000-C", "params error: symbol invalid")]
    [InlineData("/v5/market/tickers?category=option&baseCoin=BTC&expDate=31FOO26", "params error")]
    public async Task Bad_ticker_requests_answer_retCode_10001(string pathAndQuery, string message)
    {
        await using var simulator = await TestSimulator.StartAsync();
        using var json = await simulator.GetJsonAsync(pathAndQuery);
        Assert.Equal(10001, json.RootElement.GetProperty("retCode").GetInt32());
        Assert.StartsWith(message, json.RootElement.GetProperty("retMsg").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RestFailure.Http429, 429, 0)]
    [InlineData(RestFailure.Http403, 403, 0)]
    [InlineData(RestFailure.RetCode10006, 200, 10006)]
    [InlineData(RestFailure.RetCode10016, 200, 10016)]
    public async Task FailNextRestRequests_fails_exactly_that_many_requests(RestFailure failure, int status, int retCode)
    {
        await using var simulator = await TestSimulator.StartAsync();
        simulator.Faults.FailNextRestRequests(2, failure);
        for (int i = 0; i < 2; i++)
        {
            using var response = await simulator.GetAsync("/v5/market/tickers?category=option&baseCoin=BTC");
            Assert.Equal(status, (int)response.StatusCode);
            if (retCode != 0)
            {
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
                Assert.Equal(retCode, json.RootElement.GetProperty("retCode").GetInt32());
            }
        }

        using var ok = await simulator.GetJsonAsync("/v5/market/tickers?category=option&baseCoin=BTC");
        Assert.Equal(0, ok.RootElement.GetProperty("retCode").GetInt32());
        Assert.Equal(3, simulator.RestRequestsReceived);
    }
}
