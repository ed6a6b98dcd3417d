using System.Text.Json;

namespace OptionsTracker.Tests.Simulator;

public class ListingTests
{
    private static async Task<List<string>> RestSymbolsAsync(OptionsTracker.Simulator.BybitSimulator simulator, string coin)
    {
        using var json = await simulator.GetJsonAsync($"/v5/market/tickers?category=option&baseCoin={coin}");
        return [.. json.RootElement.GetProperty("result").GetProperty("list").EnumerateArray().Select(i => i.GetProperty("symbol").GetString()!)];
    }

    [Fact]
    public async Task ListNewInstrument_appears_in_REST_and_can_be_subscribed()
    {
        await using var simulator = await TestSimulator.StartAsync();
        int before = simulator.InstrumentCount;
        string newStrike = simulator.ListNewInstrument("BTC");
        string newExpiry = simulator.ListNewInstrument("BTC");
        Assert.Equal(before + 2, simulator.InstrumentCount);
        Assert.NotEqual(newStrike.Split('-')[1], newExpiry.Split('-')[1]);
        Assert.DoesNotContain(newExpiry.Split('-')[1], simulator.GetInstruments("BTC").SkipLast(1).Select(i => i.Symbol.Split('-')[1]));

        var symbols = await RestSymbolsAsync(simulator, "BTC");
        Assert.Contains(newStrike, symbols);
        Assert.Contains(newExpiry, symbols);
        using (var info = await simulator.GetJsonAsync($"/v5/market/instruments-info?category=option&symbol={newExpiry}"))
            Assert.Equal(newExpiry, info.RootElement.GetProperty("result").GetProperty("list")[0].GetProperty("symbol").GetString());

        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("tickers." + newStrike, "tickers." + newExpiry);
        var ack = await ws.ReceiveAckAsync();
        Assert.Equal(2, ack.GetProperty("data").GetProperty("successTopics").GetArrayLength());
        await ws.ReceivePushAsync(newStrike);
        await ws.ReceivePushAsync(newExpiry);
    }

    [Fact]
    public async Task DeliverNextExpiry_stops_the_nearest_expiry_trading_and_lists_it_as_Delivering()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var nearest = simulator.GetInstruments("ETH").Min(i => i.DeliveryTime);
        var expected = simulator.GetInstruments("ETH").Where(i => i.DeliveryTime == nearest).Select(i => i.Symbol).ToList();
        string survivor = simulator.GetInstruments("ETH").First(i => i.DeliveryTime != nearest).Symbol;

        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("tickers." + expected[0], "tickers." + survivor);
        await ws.ReceivePushAsync(expected[0]);

        var delivered = simulator.DeliverNextExpiry("ETH");
        long deliveredAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(expected.Order(), delivered.Order());
        Assert.False(simulator.TryGetTicker(expected[0], out _));
        Assert.DoesNotContain(simulator.GetInstruments("ETH"), i => i.DeliveryTime == nearest);

        var symbols = await RestSymbolsAsync(simulator, "ETH");
        Assert.Empty(symbols.Intersect(delivered));
        // Still listed, as Delivering, with a delivery price, until 12:00 UTC of the delivery day.
        Assert.Equal(expected.Order(), simulator.GetDeliveringInstruments("ETH").Select(i => i.Symbol).Order());
        using (var info = await simulator.GetJsonAsync($"/v5/market/instruments-info?category=option&symbol={expected[0]}"))
            Assert.Equal("Delivering", info.RootElement.GetProperty("result").GetProperty("list")[0].GetProperty("status").GetString());
        Assert.True(simulator.TryGetDeliveryPrice(expected[0], out double price) && price > 0);
        using (var one = await simulator.GetJsonAsync($"/v5/market/tickers?category=option&symbol={expected[0]}"))
            Assert.Equal(10001, one.RootElement.GetProperty("retCode").GetInt32());

        // Pushes of the delivered topic stop while the survivor keeps pushing.
        // Pushes stamped after the delivery come from the survivor only.
        for (int i = 0; i < 10; i++)
        {
            var push = await ws.ReceiveAsync(e => e.TryGetProperty("ts", out var ts) && ts.GetInt64() > deliveredAtMs, "push after delivery");
            Assert.Equal("tickers." + survivor, push.GetProperty("topic").GetString());
        }

        await ws.SubscribeAsync("tickers." + expected[1]);
        var ack = await ws.ReceiveAckAsync();
        Assert.Equal(["tickers." + expected[1]], ack.GetProperty("data").GetProperty("failTopics").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Instruments_info_read_while_expiries_are_delivered_lists_every_option_once()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var all = simulator.GetInstruments("BTC").Select(i => i.Symbol).Order(StringComparer.Ordinal).ToList();
        int expiries = simulator.GetInstruments("BTC").Select(i => i.DeliveryTime).Distinct().Count();

        // A reader pages through instruments-info again and again while the main thread delivers expiry after expiry:
        // an option moving from Trading to Delivering must be in every answer, as one or the other.
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var listed = await InstrumentsInfoSymbolsAsync(simulator, "BTC");
                Assert.Equal(all, listed.Order(StringComparer.Ordinal));
                reads++;
            }
        }, TestContext.Current.CancellationToken);
        for (int i = 0; i < expiries - 1 && !reader.IsCompleted; i++)
        {
            Assert.NotEmpty(simulator.DeliverNextExpiry("BTC"));
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
        await stop.CancelAsync();
        await reader;

        Assert.True(reads > 0);
        Assert.Equal(all, (await InstrumentsInfoSymbolsAsync(simulator, "BTC")).Order(StringComparer.Ordinal));
        Assert.Equal(expiries - 1, simulator.GetDeliveringInstruments("BTC").Select(i => i.DeliveryTime).Distinct().Count());
    }

    private static async Task<List<string>> InstrumentsInfoSymbolsAsync(OptionsTracker.Simulator.BybitSimulator simulator, string coin)
    {
        var symbols = new List<string>();
        var cursor = "";
        do
        {
            // Sent back as received: Bybit's cursors come percent-encoded already (InstrumentsInfoTests).
            using var json = await simulator.GetJsonAsync(
                $"/v5/market/instruments-info?category=option&baseCoin={coin}&limit=1000&cursor={cursor}");
            var result = json.RootElement.GetProperty("result");
            symbols.AddRange(result.GetProperty("list").EnumerateArray().Select(i => i.GetProperty("symbol").GetString()!));
            cursor = result.GetProperty("nextPageCursor").GetString()!;
        }
        while (cursor.Length > 0);
        return symbols;
    }
}
