using System.Globalization;
using System.Text.Json;

namespace OptionsTracker.Tests.Simulator;

public class InstrumentsInfoTests
{
    [Fact]
    public async Task Instruments_paginate_in_short_pages_and_the_union_equals_GetInstruments()
    {
        await using var simulator = await TestSimulator.StartAsync(o => o.MaxInstrumentsPageSize = 250);
        foreach (string coin in simulator.BaseCoins)
        {
            var symbols = new List<string>();
            string cursor = "";
            int pages = 0;
            do
            {
                // Sent back as received: Bybit's cursors come percent-encoded already.
                using var json = await simulator.GetJsonAsync(
                    $"/v5/market/instruments-info?category=option&baseCoin={coin}&limit=1000&cursor={cursor}");
                var result = json.RootElement.GetProperty("result");
                var list = result.GetProperty("list");
                Assert.InRange(list.GetArrayLength(), 1, 250);
                symbols.AddRange(list.EnumerateArray().Select(i => i.GetProperty("symbol").GetString()!));
                cursor = result.GetProperty("nextPageCursor").GetString()!;
                pages++;
            }
            while (cursor.Length > 0);

            Assert.True(pages > 1, $"{coin} fits one page; the test needs several");
            Assert.Equal(simulator.GetInstruments(coin).Select(i => i.Symbol), symbols);
        }
    }

    [Fact]
    public async Task Envelope_and_items_have_the_exchange_shape()
    {
        await using var simulator = await TestSimulator.StartAsync();
        using var json = await simulator.GetJsonAsync("/v5/market/instruments-info?category=option&baseCoin=ETH&limit=5");
        var root = json.RootElement;
        Assert.Equal(["retCode", "retMsg", "result", "retExtInfo", "time"], root.PropertyNames());
        Assert.Equal(0, root.GetProperty("retCode").GetInt32());
        Assert.Equal("OK", root.GetProperty("retMsg").GetString());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("time").ValueKind);
        var result = root.GetProperty("result");
        Assert.Equal(["category", "nextPageCursor", "list"], result.PropertyNames());
        Assert.Equal("option", result.GetProperty("category").GetString());
        Assert.Equal(5, result.GetProperty("list").GetArrayLength());

        var item = result.GetProperty("list")[0];
        Assert.Equal(
            ["symbol", "status", "baseCoin", "quoteCoin", "settleCoin", "optionsType", "launchTime", "deliveryTime", "deliveryFeeRate", "priceFilter", "lotSizeFilter", "displayName", "symbolId"],
            item.PropertyNames());
        Assert.Equal(["minPrice", "maxPrice", "tickSize"], item.GetProperty("priceFilter").PropertyNames());
        Assert.Equal(["maxOrderQty", "minOrderQty", "qtyStep"], item.GetProperty("lotSizeFilter").PropertyNames());
        Assert.Equal(JsonValueKind.Number, item.GetProperty("symbolId").ValueKind);
        Assert.Equal("ETH", item.GetProperty("baseCoin").GetString());
        Assert.Equal("USDT", item.GetProperty("settleCoin").GetString());
        Assert.Equal("Trading", item.GetProperty("status").GetString());

        string symbol = item.GetProperty("symbol").GetString()!;
        long deliveryMs = long.Parse(item.GetProperty("deliveryTime").GetString()!, CultureInfo.InvariantCulture);
        var delivery = DateTimeOffset.FromUnixTimeMilliseconds(deliveryMs);
        string[] parts = symbol.Split('-');
        Assert.Equal(5, parts.Length);
        Assert.Equal("USDT", parts[4]);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"{delivery.Day}{delivery.ToString("MMM", CultureInfo.InvariantCulture).ToUpperInvariant()}{delivery.Year % 100:00}"), parts[1]);
        Assert.Equal($"ETHUSDT-{parts[1]}-{parts[2]}-{parts[3]}", item.GetProperty("displayName").GetString());
        Assert.True(long.Parse(item.GetProperty("launchTime").GetString()!, CultureInfo.InvariantCulture) < deliveryMs);
    }

    [Fact]
    public async Task Instruments_without_baseCoin_list_BTC_only()
    {
        await using var simulator = await TestSimulator.StartAsync(o => o.MaxInstrumentsPageSize = 1000);
        using var json = await simulator.GetJsonAsync("/v5/market/instruments-info?category=option&limit=1000");
        var coins = json.RootElement.GetProperty("result").GetProperty("list").EnumerateArray().Select(i => i.GetProperty("baseCoin").GetString()).Distinct();
        Assert.Equal(["BTC"], coins);
    }

    [Fact]
    public async Task Default_limit_is_500_and_limit_is_honoured_up_to_1000()
    {
        await using var simulator = await TestSimulator.StartAsync();
        int count = simulator.GetInstruments("BTC").Count;
        Assert.True(count > 500, "the test needs more than 500 BTC options");
        using (var json = await simulator.GetJsonAsync("/v5/market/instruments-info?category=option&baseCoin=BTC"))
            Assert.Equal(500, json.RootElement.GetProperty("result").GetProperty("list").GetArrayLength());
        using (var json = await simulator.GetJsonAsync("/v5/market/instruments-info?category=option&baseCoin=BTC&limit=1000"))
        {
            Assert.Equal(Math.Min(count, 1000), json.RootElement.GetProperty("result").GetProperty("list").GetArrayLength());
            Assert.Equal(count > 1000, json.RootElement.GetProperty("result").GetProperty("nextPageCursor").GetString() != "");
        }
    }

    [Theory]
    [InlineData("/v5/market/instruments-info?baseCoin=BTC")]
    [InlineData("/v5/market/instruments-info?category=linear&baseCoin=BTC")]
    [InlineData("/v5/market/instruments-info?category=option&limit=0")]
    [InlineData("/v5/market/instruments-info?category=option&limit=1001")]
    [InlineData("/v5/market/instruments-info?category=option&limit=ten")]
    [InlineData("/v5/market/instruments-info?category=option&cursor=garbage")]
    public async Task Bad_parameters_answer_retCode_10001_with_a_message(string pathAndQuery)
    {
        await using var simulator = await TestSimulator.StartAsync();
        using var json = await simulator.GetJsonAsync(pathAndQuery);
        Assert.Equal(10001, json.RootElement.GetProperty("retCode").GetInt32());
        Assert.StartsWith("params error", json.RootElement.GetProperty("retMsg").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_path_is_404()
    {
        await using var simulator = await TestSimulator.StartAsync();
        using var response = await simulator.GetAsync("/v5/market/kline?category=option");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
