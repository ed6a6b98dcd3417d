using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Simulator;

namespace OptionsTracker.Tests.Simulator;

/// <summary>
/// The listing life Bybit documents and the simulator plays: PreLaunch, Trading, Delivering from 08:00 to 12:00 UTC with
/// the delivery-price endpoints, legacy USDC symbols, percent-encoded cursors, every option coin, and the REST faults.
/// </summary>
public class ExchangeLifecycleTests
{
    private static readonly DateTimeOffset Monday0900 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static List<JsonElement> List(JsonDocument json) =>
        [.. json.RootElement.GetProperty("result").GetProperty("list").EnumerateArray()];

    [Fact]
    public async Task Delivered_options_are_listed_as_Delivering_with_their_price_until_noon_utc()
    {
        var clock = new FakeTimeProvider(Monday0900);
        await using var simulator = await TestSimulator.StartAsync(o =>
        {
            o.TimeProvider = clock;
            o.BaseCoins = ["BTC"];
        });
        var first = simulator.GetInstruments("BTC").Min(i => i.DeliveryTime);
        var expiring = simulator.GetInstruments("BTC").Where(i => i.DeliveryTime == first).Select(i => i.Symbol).Order().ToList();
        using (var before = await simulator.GetJsonAsync("/v5/market/delivery-price?category=option&baseCoin=BTC&settleCoin=USDT"))
            Assert.Empty(List(before));

        clock.Advance(first - clock.GetUtcNow() + TimeSpan.FromSeconds(1));

        // Delivered: no ticker, but still in instruments-info as Delivering until 12:00 UTC.
        Assert.False(simulator.TryGetTicker(expiring[0], out _));
        using (var info = await simulator.GetJsonAsync("/v5/market/instruments-info?category=option&baseCoin=BTC&status=Delivering&limit=1000"))
        {
            var items = List(info);
            Assert.Equal(expiring, items.Select(i => i.GetProperty("symbol").GetString()!).Order());
            Assert.All(items, i => Assert.Equal("Delivering", i.GetProperty("status").GetString()));
        }
        using (var all = await simulator.GetJsonAsync("/v5/market/instruments-info?category=option&baseCoin=BTC&limit=1000"))
            Assert.Contains(List(all), i => i.GetProperty("symbol").GetString() == expiring[0]);

        // delivery-price: USDT options need settleCoin=USDT (its documented default is USDC); paged at most 200.
        using (var usdc = await simulator.GetJsonAsync("/v5/market/delivery-price?category=option&baseCoin=BTC"))
            Assert.Empty(List(usdc));
        var priced = new List<JsonElement>();
        string cursor = "";
        do
        {
            using var page = await simulator.GetJsonAsync($"/v5/market/delivery-price?category=option&baseCoin=BTC&settleCoin=USDT&limit=7&cursor={cursor}");
            Assert.Equal(["category", "nextPageCursor", "list"], page.RootElement.GetProperty("result").PropertyNames());
            priced.AddRange(List(page).Select(i => i.Clone()));
            cursor = page.RootElement.GetProperty("result").GetProperty("nextPageCursor").GetString()!;
        }
        while (cursor.Length > 0);
        Assert.Equal(expiring, priced.Select(i => i.GetProperty("symbol").GetString()!).Order());
        var item = priced[0];
        Assert.Equal(["symbol", "deliveryPrice", "deliveryTime"], item.PropertyNames());
        Assert.Equal(first.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), item.GetProperty("deliveryTime").GetString());
        var price = double.Parse(item.GetProperty("deliveryPrice").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(simulator.TryGetDeliveryPrice(expiring[0], out var expected));
        Assert.Equal(expected, price, 6);
        Assert.InRange(price, simulator.GetIndexPrice("BTC") * 0.5, simulator.GetIndexPrice("BTC") * 2);

        // new-delivery-price: one price per delivery time, newest first, baseCoin required.
        using (var history = await simulator.GetJsonAsync("/v5/market/new-delivery-price?category=option&baseCoin=BTC"))
        {
            var entry = Assert.Single(List(history));
            Assert.Equal(["deliveryPrice", "deliveryTime"], entry.PropertyNames());
            Assert.Equal(price, double.Parse(entry.GetProperty("deliveryPrice").GetString()!, CultureInfo.InvariantCulture), 6);
        }
        using (var missing = await simulator.GetJsonAsync("/v5/market/new-delivery-price?category=option"))
            Assert.Equal(10001, missing.RootElement.GetProperty("retCode").GetInt32());

        // 12:00 UTC: no longer listed; the price stays in the history and by symbol.
        clock.Advance(first.AddHours(4) - clock.GetUtcNow() + TimeSpan.FromSeconds(1));
        Assert.Empty(simulator.GetDeliveringInstruments("BTC"));
        using (var after = await simulator.GetJsonAsync($"/v5/market/instruments-info?category=option&symbol={expiring[0]}"))
            Assert.Empty(List(after));
        using (var bySymbol = await simulator.GetJsonAsync($"/v5/market/delivery-price?category=option&symbol={expiring[0]}"))
            Assert.Equal(expiring[0], Assert.Single(List(bySymbol)).GetProperty("symbol").GetString());
        using (var history = await simulator.GetJsonAsync("/v5/market/new-delivery-price?category=option&baseCoin=BTC"))
            Assert.Single(List(history));
    }

    [Fact]
    public async Task A_PreLaunch_option_is_listed_without_a_ticker_until_its_launch()
    {
        var clock = new FakeTimeProvider(Monday0900);
        await using var simulator = await TestSimulator.StartAsync(o =>
        {
            o.TimeProvider = clock;
            o.BaseCoins = ["ETH"];
        });
        int trading = simulator.InstrumentCount;
        string symbol = simulator.ListPreLaunchInstrument("ETH", TimeSpan.FromHours(2));

        Assert.Equal(trading, simulator.InstrumentCount);
        Assert.Equal([symbol], simulator.GetPreLaunchInstruments("ETH").Select(i => i.Symbol));
        using (var info = await simulator.GetJsonAsync($"/v5/market/instruments-info?category=option&symbol={symbol}"))
        {
            var item = Assert.Single(List(info));
            Assert.Equal("PreLaunch", item.GetProperty("status").GetString());
            Assert.Equal(clock.GetUtcNow().AddHours(2).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), item.GetProperty("launchTime").GetString());
        }
        using (var prelaunch = await simulator.GetJsonAsync("/v5/market/instruments-info?category=option&baseCoin=ETH&status=PreLaunch"))
            Assert.Equal(symbol, Assert.Single(List(prelaunch)).GetProperty("symbol").GetString());
        Assert.False(simulator.TryGetTicker(symbol, out _));
        using (var ticker = await simulator.GetJsonAsync($"/v5/market/tickers?category=option&symbol={symbol}"))
            Assert.Equal(10001, ticker.RootElement.GetProperty("retCode").GetInt32());

        clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1));

        Assert.True(simulator.TryGetTicker(symbol, out var launched) && launched.MarkPrice > 0);
        Assert.Equal(trading + 1, simulator.InstrumentCount);
        Assert.Empty(simulator.GetPreLaunchInstruments("ETH"));
        using (var info = await simulator.GetJsonAsync($"/v5/market/instruments-info?category=option&symbol={symbol}"))
            Assert.Equal("Trading", Assert.Single(List(info)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Legacy_USDC_options_are_listed_beside_the_USDT_ones_of_the_same_strikes()
    {
        await using var simulator = await TestSimulator.StartAsync(o =>
        {
            o.BaseCoins = ["BTC"];
            o.LegacyUsdcOptions = true;
        });
        var all = simulator.GetInstruments("BTC");
        var legacy = all.Where(i => i.SettleCoin == "USDC").ToList();
        Assert.NotEmpty(legacy);
        Assert.All(legacy, i => Assert.False(i.Symbol.EndsWith("-USDT", StringComparison.Ordinal)));
        Assert.All(legacy, i => Assert.Contains(all, u => u.Symbol == i.Symbol + "-USDT"));

        using var info = await simulator.GetJsonAsync($"/v5/market/instruments-info?category=option&symbol={legacy[0].Symbol}");
        var item = Assert.Single(List(info));
        Assert.Equal("USDC", item.GetProperty("settleCoin").GetString());
        Assert.Equal("USDC", item.GetProperty("quoteCoin").GetString());
        Assert.True(simulator.TryGetTicker(legacy[0].Symbol, out _));
    }

    [Fact]
    public async Task Cursors_come_percent_encoded_and_must_be_sent_back_as_received()
    {
        await using var simulator = await TestSimulator.StartAsync(o => o.MaxInstrumentsPageSize = 100);
        using var first = await simulator.GetJsonAsync("/v5/market/instruments-info?category=option&baseCoin=BTC");
        string cursor = first.RootElement.GetProperty("result").GetProperty("nextPageCursor").GetString()!;
        Assert.Contains("%2C", cursor, StringComparison.Ordinal);

        using (var asReceived = await simulator.GetJsonAsync($"/v5/market/instruments-info?category=option&baseCoin=BTC&cursor={cursor}"))
            Assert.Equal(100, List(asReceived).Count);
        using (var escapedAgain = await simulator.GetJsonAsync($"/v5/market/instruments-info?category=option&baseCoin=BTC&cursor={Uri.EscapeDataString(cursor)}"))
            Assert.Equal(10001, escapedAgain.RootElement.GetProperty("retCode").GetInt32());
    }

    [Fact]
    public async Task Every_coin_Bybit_lists_options_for_has_a_board()
    {
        await using var simulator = await TestSimulator.StartAsync(o =>
        {
            o.BaseCoins = [.. SimulatorOptions.ExchangeOptionCoins];
            o.TargetInstrumentCount = 600;
        });
        Assert.Superset(new HashSet<string> { "BTC", "ETH", "SOL", "XRP", "DOGE", "MNT" }, simulator.BaseCoins.ToHashSet());
        foreach (var coin in new[] { "XRP", "DOGE", "MNT" })
        {
            using var json = await simulator.GetJsonAsync($"/v5/market/instruments-info?category=option&baseCoin={coin}&limit=1");
            Assert.Equal(coin, Assert.Single(List(json)).GetProperty("baseCoin").GetString());
        }
    }

    [Fact]
    public async Task An_IP_ban_answers_every_REST_request_403_until_it_ends()
    {
        var clock = new FakeTimeProvider(Monday0900);
        await using var simulator = await TestSimulator.StartAsync(o => o.TimeProvider = clock);
        simulator.Faults.BanIp(TimeSpan.FromMinutes(10));

        foreach (var path in new[] { "/v5/market/instruments-info?category=option&baseCoin=BTC", "/v5/market/tickers?category=option&baseCoin=ETH",
                     "/v5/market/delivery-price?category=option&baseCoin=SOL" })
        {
            using var response = await simulator.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        Assert.True(simulator.Faults.IsIpBanned);

        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.False(simulator.Faults.IsIpBanned);
        using var after = await simulator.GetJsonAsync("/v5/market/instruments-info?category=option&baseCoin=BTC&limit=1");
        Assert.Equal(0, after.RootElement.GetProperty("retCode").GetInt32());
    }

    [Fact]
    public async Task A_parameter_error_fault_answers_retCode_10001()
    {
        await using var simulator = await TestSimulator.StartAsync();
        simulator.Faults.FailNextRestRequests(1, RestFailure.RetCode10001);
        using (var refused = await simulator.GetJsonAsync("/v5/market/tickers?category=option&baseCoin=BTC"))
        {
            Assert.Equal(10001, refused.RootElement.GetProperty("retCode").GetInt32());
            Assert.StartsWith("params error", refused.RootElement.GetProperty("retMsg").GetString(), StringComparison.Ordinal);
        }
        using var next = await simulator.GetJsonAsync("/v5/market/tickers?category=option&baseCoin=BTC");
        Assert.Equal(0, next.RootElement.GetProperty("retCode").GetInt32());
    }
}
