using System.Net.WebSockets;
using System.Text.Json;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Simulator;

/// <summary>
/// The simulator's trade faults over real sockets: a connection lost while trades go on (they stay in recent-trade's
/// window), the exchange's duplicate messages, and malformed trade messages.
/// </summary>
public class TradeFaultTests
{
    [Fact]
    public async Task Trades_go_on_while_the_connection_is_down_and_recent_trade_holds_them()
    {
        await using var simulator = await TradeTests.StartAsync(o =>
        {
            o.TradesPerSecond = 20;
            o.BlockEvery = 0;
        });
        var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("publicTrade.BTC");
        await ws.ReceiveAckAsync();
        var first = await ws.ReceiveAsync(e => TradeTests.IsTradeFrame(e, "BTC"), "a trade made on the clock");
        Assert.NotEmpty(first.GetProperty("data").EnumerateArray());

        // The link goes down and stays down: the exchange is unreachable for a while.
        simulator.Faults.RejectNewConnections = true;
        simulator.Faults.DropAllConnections();
        await Assert.ThrowsAnyAsync<Exception>(() => ws.Closed.WaitAsync(TestSimulator.Timeout, TestContext.Current.CancellationToken));
        await ws.DisposeAsync();
        int atDrop = simulator.EmittedTrades("BTC").Count;
        var madeWhileDown = simulator.EmitTrades("BTC", 5);
        await Eventually.Until(() => simulator.EmittedTrades("BTC").Count >= atDrop + 5 + 40, "trades made on the clock while the connection is down");
        using (var refused = new ClientWebSocket())
            await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(simulator.WsUrl, TestContext.Current.CancellationToken));

        // Every trade made since the drop is in the REST window, newest first, as made.
        var record = simulator.EmittedTrades("BTC");
        var sinceDrop = record.Skip(atDrop).ToList();
        Assert.Subset(sinceDrop.Select(t => t.Id).ToHashSet(), madeWhileDown.Select(t => t.Id).ToHashSet());
        using (var json = await simulator.GetJsonAsync("/v5/market/recent-trade?category=option&baseCoin=BTC&limit=1000"))
        {
            var list = json.RootElement.GetProperty("result").GetProperty("list").EnumerateArray().ToList();
            Assert.True(list.Count >= sinceDrop.Count);
            var byId = list.Select((item, index) => (Id: item.GetProperty("execId").GetString()!, Item: item, Index: index)).ToDictionary(x => x.Id);
            int previous = int.MaxValue;
            foreach (var trade in sinceDrop)
            {
                Assert.True(byId.TryGetValue(trade.Id, out var found), $"trade {trade.Id} made while down is not in recent-trade");
                TradeTests.AssertRestItem(trade, found.Item);
                Assert.True(found.Index < previous, "recent-trade is newest first");
                previous = found.Index;
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{sinceDrop.Count} trades made while the connection was down");

        // Back up: a new connection gets the trades made from then on.
        simulator.Faults.RejectNewConnections = false;
        await using var again = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await again.SubscribeAsync("publicTrade.BTC");
        await again.ReceiveAckAsync();
        long lastBefore = simulator.EmittedTrades("BTC")[^1].Sequence;
        var later = await again.ReceiveAsync(
            e => TradeTests.IsTradeFrame(e, "BTC") && e.GetProperty("data")[0].GetProperty("seq").GetInt64() > lastBefore, "a trade after reconnecting");
        Assert.NotEmpty(later.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task A_trade_message_can_arrive_twice_though_its_trades_were_made_once()
    {
        await using var simulator = await TradeTests.StartAsync();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await using var rfq = await WsTestClient.ConnectAsync(simulator.RfqWsUrl);
        await ws.SubscribeAsync("publicTrade.SOL");
        await ws.ReceiveAckAsync();
        await rfq.SubscribeAsync("rfq.open.public.trades");
        await rfq.ReceiveAsync(e => e.TryGetProperty("op", out _), "the RFQ ack");

        simulator.Faults.SendTradesTwice(2);
        var made = simulator.EmitTrades("SOL", 3);
        var once = await NextTextAsync(ws);
        var twice = await NextTextAsync(ws);
        Assert.Equal(once, twice);
        using (var json = JsonDocument.Parse(once))
        {
            var items = json.RootElement.GetProperty("data").EnumerateArray().ToList();
            Assert.Equal(made.Select(t => t.Id), items.Select(i => i.GetProperty("i").GetString()));
        }

        var block = simulator.EmitBlock("SOL", 2);
        var legsOnce = await NextTextAsync(ws);
        Assert.Equal(legsOnce, await NextTextAsync(ws)); // The second duplicate on this connection.
        var rfqOnce = await NextTextAsync(rfq);
        Assert.Equal(rfqOnce, await NextTextAsync(rfq)); // The RFQ connection has its own two.
        using (var json = JsonDocument.Parse(rfqOnce))
            TradeTests.AssertBlock(block, json.RootElement.GetProperty("data")[0]);

        var after = simulator.EmitTrades("SOL", 1);
        using (var json = JsonDocument.Parse(await NextTextAsync(ws)))
            Assert.Equal(after[0].Id, json.RootElement.GetProperty("data")[0].GetProperty("i").GetString());
        Assert.Null(await ws.TryReceiveAsync(TimeSpan.FromMilliseconds(300))); // The fault is spent: one copy only.
        Assert.Equal(6, simulator.EmittedTrades("SOL").Count);
    }

    [Fact]
    public async Task Malformed_trade_messages_come_between_good_ones_and_name_no_real_trade()
    {
        await using var simulator = await TradeTests.StartAsync();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("publicTrade.ETH");
        await ws.ReceiveAckAsync();

        simulator.Faults.SendMalformedTrades(3);
        var bad = new List<string>();
        for (int i = 0; i < 3; i++)
            bad.Add(await NextTextAsync(ws));
        foreach (string text in bad)
        {
            Assert.Contains("publicTrade.ETH", text, StringComparison.Ordinal);
            bool wellFormed = TryParse(text, out var json);
            using (json)
            {
                // Either not JSON at all, or JSON a client cannot take as trades (data not an array, numbers not numbers).
                if (wellFormed)
                {
                    var data = json!.RootElement.GetProperty("data");
                    Assert.True(data.ValueKind != JsonValueKind.Array
                        || !double.TryParse(data[0].GetProperty("p").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
                }
            }
        }

        Assert.Contains(bad, t => !TryParse(t, out var d) && d is null);
        Assert.Empty(simulator.EmittedTrades("ETH"));

        var made = simulator.EmitTrades("ETH", 2);
        var good = await ws.ReceiveAsync(e => TradeTests.IsTradeFrame(e, "ETH"), "the good trades after the bad messages");
        var items = good.GetProperty("data").EnumerateArray().ToList();
        for (int i = 0; i < made.Count; i++)
            TradeTests.AssertItem(made[i], items[i]);
    }

    [Fact]
    public async Task A_silent_connection_loses_its_trades_but_the_record_and_recent_trade_keep_them()
    {
        await using var simulator = await TradeTests.StartAsync();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("publicTrade.BTC");
        await ws.ReceiveAckAsync();

        simulator.Faults.SilentConnections = true;
        var lost = simulator.EmitTrades("BTC", 4);
        Assert.Null(await ws.TryReceiveAsync(TimeSpan.FromMilliseconds(500)));
        simulator.Faults.SilentConnections = false;
        var made = simulator.EmitTrades("BTC", 1);
        var frame = await ws.ReceiveAsync(e => TradeTests.IsTradeFrame(e, "BTC"), "a trade after the silence");
        Assert.Equal(made[0].Id, Assert.Single(frame.GetProperty("data").EnumerateArray()).GetProperty("i").GetString());

        using var json = await simulator.GetJsonAsync("/v5/market/recent-trade?category=option&baseCoin=BTC");
        var ids = json.RootElement.GetProperty("result").GetProperty("list").EnumerateArray().Select(e => e.GetProperty("execId").GetString());
        Assert.Equal(lost.Concat(made).Reverse().Select(t => t.Id), ids);
    }

    private static bool TryParse(string text, out JsonDocument? json)
    {
        try
        {
            json = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            json = null;
            return false;
        }
    }

    private static async Task<string> NextTextAsync(WsTestClient ws)
    {
        var message = await ws.TryReceiveAsync(TestSimulator.Timeout);
        Assert.NotNull(message);
        return message.Text;
    }
}
