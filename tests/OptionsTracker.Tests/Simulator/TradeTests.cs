using System.Globalization;
using System.Text.Json;
using OptionsTracker.Book;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;
using ModelBlack76 = OptionsTracker.Measures.Black76;

namespace OptionsTracker.Tests.Simulator;

/// <summary>
/// The simulator's trades (issue 17) over real sockets: the <c>publicTrade.{baseCoin}</c> topic, recent-trade, the RFQ
/// stream and its REST page, against the shapes Bybit documents (bybit-exchange/docs at 072c197) and the simulator's own
/// record of what it emitted.
/// </summary>
public class TradeTests
{
    internal static readonly string[] FrameFields = ["id", "topic", "type", "ts", "data"];
    internal static readonly string[] ItemFields = ["T", "s", "S", "v", "p", "i", "BT", "RPI", "seq", "mP", "iP", "mIv", "iv"];
    internal static readonly string[] RestFields = ["execId", "symbol", "price", "size", "side", "time", "isBlockTrade", "isRPITrade", "mP", "iP", "mIv", "iv", "seq"];
    internal static readonly string[] RfqFrameFields = ["id", "topic", "creationTime", "data"];
    internal static readonly string[] BlockFields = ["rfqId", "strategyType", "legs", "createdAt", "updatedAt"];
    internal static readonly string[] LegFields = ["category", "symbol", "side", "price", "qty", "markPrice"];

    internal static Task<BybitSimulator> StartAsync(Action<SimulatorOptions>? configure = null) =>
        TestSimulator.StartAsync(o =>
        {
            o.TargetInstrumentCount = 400;
            configure?.Invoke(o);
        });

    internal static bool IsTradeFrame(JsonElement e, string coin) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("topic", out var t) && t.GetString() == "publicTrade." + coin;

    internal static bool IsRfqFrame(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("topic", out var t) && t.GetString() == "rfq.open.public.trades";

    private static double Number(JsonElement e) => double.Parse(e.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>One <c>publicTrade</c> item against the trade the simulator recorded: every documented field, typed as documented.</summary>
    internal static void AssertItem(SimulatedTrade expected, JsonElement item)
    {
        Assert.Equal(ItemFields, item.PropertyNames());
        Assert.Equal(JsonValueKind.Number, item.GetProperty("T").ValueKind);
        Assert.Equal(expected.TimeMs, item.GetProperty("T").GetInt64());
        Assert.Equal(expected.Symbol, item.GetProperty("s").GetString());
        Assert.Equal(expected.Side, item.GetProperty("S").GetString());
        Assert.Equal(expected.Size, Number(item.GetProperty("v")));
        Assert.Equal(expected.Price, Number(item.GetProperty("p")));
        Assert.Equal(expected.Id, item.GetProperty("i").GetString());
        Assert.Equal(expected.IsBlock, item.GetProperty("BT").GetBoolean());
        Assert.False(item.GetProperty("RPI").GetBoolean());
        Assert.Equal(JsonValueKind.Number, item.GetProperty("seq").ValueKind);
        Assert.Equal(expected.Sequence, item.GetProperty("seq").GetInt64());
        Assert.Equal(expected.MarkPrice, Number(item.GetProperty("mP")));
        Assert.Equal(expected.IndexPrice, Number(item.GetProperty("iP")));
        Assert.Equal(expected.MarkIv, Number(item.GetProperty("mIv")));
        Assert.Equal(expected.Iv, Number(item.GetProperty("iv")));
    }

    internal static void AssertRestItem(SimulatedTrade expected, JsonElement item)
    {
        Assert.Equal(RestFields, item.PropertyNames());
        Assert.Equal(expected.Id, item.GetProperty("execId").GetString());
        Assert.Equal(expected.Symbol, item.GetProperty("symbol").GetString());
        Assert.Equal(expected.Price, Number(item.GetProperty("price")));
        Assert.Equal(expected.Size, Number(item.GetProperty("size")));
        Assert.Equal(expected.Side, item.GetProperty("side").GetString());
        Assert.Equal(expected.TimeMs.ToString(CultureInfo.InvariantCulture), item.GetProperty("time").GetString());
        Assert.Equal(expected.IsBlock, item.GetProperty("isBlockTrade").GetBoolean());
        Assert.False(item.GetProperty("isRPITrade").GetBoolean());
        Assert.Equal(expected.MarkPrice, Number(item.GetProperty("mP")));
        Assert.Equal(expected.IndexPrice, Number(item.GetProperty("iP")));
        Assert.Equal(expected.MarkIv, Number(item.GetProperty("mIv")));
        Assert.Equal(expected.Iv, Number(item.GetProperty("iv")));
        Assert.Equal(expected.Sequence.ToString(CultureInfo.InvariantCulture), item.GetProperty("seq").GetString());
    }

    internal static void AssertBlock(SimulatedBlock expected, JsonElement block)
    {
        Assert.Equal(BlockFields, block.PropertyNames());
        Assert.Equal(expected.RfqId, block.GetProperty("rfqId").GetString());
        Assert.Equal("custom", block.GetProperty("strategyType").GetString());
        Assert.Equal(expected.CreatedAtMs.ToString(CultureInfo.InvariantCulture), block.GetProperty("createdAt").GetString());
        Assert.Equal(expected.UpdatedAtMs.ToString(CultureInfo.InvariantCulture), block.GetProperty("updatedAt").GetString());
        var legs = block.GetProperty("legs").EnumerateArray().ToList();
        Assert.Equal(expected.Legs.Count, legs.Count);
        for (int i = 0; i < legs.Count; i++)
        {
            Assert.Equal(LegFields, legs[i].PropertyNames());
            Assert.Equal("option", legs[i].GetProperty("category").GetString());
            Assert.Equal(expected.Legs[i].Symbol, legs[i].GetProperty("symbol").GetString());
            Assert.Equal(expected.Legs[i].Side, legs[i].GetProperty("side").GetString());
            Assert.Equal(expected.Legs[i].Price, Number(legs[i].GetProperty("price")));
            Assert.Equal(expected.Legs[i].Size, Number(legs[i].GetProperty("qty")));
            Assert.Equal(expected.Legs[i].UnderlyingPrice, Number(legs[i].GetProperty("markPrice")));
        }
    }

    [Fact]
    public async Task PublicTrade_topic_is_acked_and_carries_trades_made_together_in_one_documented_message()
    {
        await using var simulator = await StartAsync();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("publicTrade.BTC", "publicTrade.btc", "publicTrade.NOPE");
        var ack = await ws.ReceiveAckAsync();
        Assert.Equal(["publicTrade.BTC"], ack.GetProperty("data").GetProperty("successTopics").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["publicTrade.btc", "publicTrade.NOPE"], ack.GetProperty("data").GetProperty("failTopics").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, Assert.Single(simulator.Connections).SubscribedTopicCount);

        var made = simulator.EmitTrades("BTC", 5);
        simulator.EmitTrades("ETH", 3); // Not subscribed: must not arrive.

        var frame = await ws.ReceiveAsync(e => IsTradeFrame(e, "BTC"), "publicTrade.BTC");
        Assert.Equal(FrameFields, frame.PropertyNames());
        Assert.Equal("snapshot", frame.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Number, frame.GetProperty("ts").ValueKind);
        Assert.False(string.IsNullOrEmpty(frame.GetProperty("id").GetString()));
        var items = frame.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(5, items.Count);
        for (int i = 0; i < items.Count; i++)
            AssertItem(made[i], items[i]);
        Assert.Equal(made, simulator.EmittedTrades("BTC"));

        var next = simulator.EmitTrades("BTC", 1);
        var second = await ws.ReceiveAsync(e => e.TryGetProperty("topic", out _), "the next message");
        Assert.Equal("publicTrade.BTC", second.GetProperty("topic").GetString()); // The ETH trades never came.
        AssertItem(next[0], Assert.Single(second.GetProperty("data").EnumerateArray()));
    }

    [Fact]
    public async Task Trades_lie_within_the_quote_on_the_grids_with_the_iv_their_price_implies()
    {
        await using var simulator = await StartAsync(o => o.BaseCoins = ["BTC", "ETH", "SOL", "XRP", "DOGE"]);
        foreach (string coin in simulator.BaseCoins)
        {
            var instruments = simulator.GetInstruments(coin).ToDictionary(i => i.Symbol);
            var (tick, step) = await GridsAsync(simulator, coin);
            var trades = simulator.EmitTrades(coin, 300);
            Assert.Equal(300, trades.Select(t => t.Id).Distinct().Count());
            Assert.All(trades.Zip(trades.Skip(1)), p => Assert.True(p.Second.Sequence > p.First.Sequence));
            int inside = 0;
            foreach (var t in trades)
            {
                Assert.True(Guid.TryParseExact(t.Id, "D", out _), t.Id);
                Assert.Equal(coin, t.BaseCoin);
                Assert.False(t.IsBlock);
                decimal price = (decimal)t.Price, size = (decimal)t.Size;
                Assert.Equal(0m, price % tick);
                Assert.Equal(0m, size % step);
                Assert.True(size > 0);
                Assert.True(t.AskPrice > 0);
                Assert.InRange(t.Price, Math.Max(t.BidPrice, (double)tick), t.AskPrice);
                // In decimal: a mid of two tick prices is exact there, not in binary.
                decimal mid = t.BidPrice > 0 ? ((decimal)t.BidPrice + (decimal)t.AskPrice) / 2 : (decimal)t.AskPrice;
                if (t.Side == "Buy")
                {
                    Assert.True(price >= mid, $"a buy at {t.Price} below mid {mid}");
                    Assert.True(t.Size <= t.AskSize, $"bought {t.Size} of {t.AskSize} offered");
                }
                else
                {
                    Assert.Equal("Sell", t.Side);
                    Assert.True(t.BidPrice > 0);
                    Assert.True(price <= mid, $"a sell at {t.Price} above mid {mid}");
                    Assert.True(t.Size <= t.BidSize, $"sold {t.Size} of {t.BidSize} bid");
                }

                if (t.Price != t.AskPrice && t.Price != t.BidPrice)
                    inside++;
                var instrument = instruments[t.Symbol];
                double years = (instrument.DeliveryTime - DateTimeOffset.FromUnixTimeMilliseconds(t.TimeMs)).TotalDays / 365;
                var type = instrument.OptionsType == "Call" ? OptionType.Call : OptionType.Put;
                double iv = ModelBlack76.ImpliedVol(t.Price, t.UnderlyingPrice, (double)instrument.Strike, years, type);
                Assert.Equal(iv, t.Iv, 0.0002);
                Assert.True(t.MarkPrice > 0 && t.IndexPrice > 0 && t.MarkIv > 0);
            }

            TestContext.Current.TestOutputHelper?.WriteLine($"{coin}: {trades.Count(t => t.Side == "Buy")} buys, {trades.Count(t => t.Side == "Sell")} sells, {inside} inside the spread, {trades.Select(t => t.Symbol).Distinct().Count()} options");
            Assert.Contains(trades, t => t.Side == "Buy");
            Assert.Contains(trades, t => t.Side == "Sell");
        }
    }

    [Fact]
    public async Task Recent_trade_answers_the_newest_first_in_the_documented_shape()
    {
        await using var simulator = await StartAsync();
        var made = simulator.EmitTrades("ETH", 40);

        using (var json = await simulator.GetJsonAsync("/v5/market/recent-trade?category=option&baseCoin=ETH&limit=10"))
        {
            var root = json.RootElement;
            Assert.Equal(["retCode", "retMsg", "result", "retExtInfo", "time"], root.PropertyNames());
            Assert.Equal(0, root.GetProperty("retCode").GetInt32());
            Assert.Equal(["category", "list"], root.GetProperty("result").PropertyNames());
            Assert.Equal("option", root.GetProperty("result").GetProperty("category").GetString());
            var list = root.GetProperty("result").GetProperty("list").EnumerateArray().ToList();
            Assert.Equal(10, list.Count);
            var newest = made.Reverse().Take(10).ToList();
            for (int i = 0; i < 10; i++)
                AssertRestItem(newest[i], list[i]);
        }

        using (var json = await simulator.GetJsonAsync("/v5/market/recent-trade?category=option&baseCoin=ETH"))
            Assert.Equal(40, json.RootElement.GetProperty("result").GetProperty("list").GetArrayLength());

        // Without baseCoin: BTC, as documented ("If the field is not passed, return BTC data by default").
        using (var json = await simulator.GetJsonAsync("/v5/market/recent-trade?category=option"))
            Assert.Equal(0, json.RootElement.GetProperty("result").GetProperty("list").GetArrayLength());

        string symbol = made[^1].Symbol;
        using (var json = await simulator.GetJsonAsync($"/v5/market/recent-trade?category=option&symbol={symbol}"))
        {
            var ids = json.RootElement.GetProperty("result").GetProperty("list").EnumerateArray().Select(e => e.GetProperty("execId").GetString());
            Assert.Equal(made.Where(t => t.Symbol == symbol).Reverse().Select(t => t.Id), ids);
        }

        using (var json = await simulator.GetJsonAsync("/v5/market/recent-trade?category=option&baseCoin=ETH&optionType=Put"))
        {
            var ids = json.RootElement.GetProperty("result").GetProperty("list").EnumerateArray().Select(e => e.GetProperty("execId").GetString());
            Assert.Equal(made.Where(t => t.Symbol.Contains("-P", StringComparison.Ordinal)).Reverse().Select(t => t.Id), ids);
        }

        foreach (string bad in (string[])["limit=0", "limit=1001", "limit=x", "optionType=call"])
        {
            using var json = await simulator.GetJsonAsync($"/v5/market/recent-trade?category=option&baseCoin=ETH&{bad}");
            Assert.Equal(10001, json.RootElement.GetProperty("retCode").GetInt32());
        }

        using (var json = await simulator.GetJsonAsync("/v5/market/recent-trade?baseCoin=ETH"))
            Assert.Equal(10001, json.RootElement.GetProperty("retCode").GetInt32());
    }

    [Fact]
    public async Task A_block_goes_out_as_flagged_publicTrade_items_and_as_one_rfq_message()
    {
        await using var simulator = await StartAsync();
        await using var options = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await using var rfq = await WsTestClient.ConnectAsync(simulator.RfqWsUrl);
        Assert.Equal("/v5/public/rfq", simulator.RfqWsUrl.AbsolutePath);
        await options.SubscribeAsync("publicTrade.ETH");
        await options.ReceiveAckAsync();
        await rfq.SubscribeAsync("rfq.open.public.trades", "publicTrade.ETH");
        var rfqAck = await rfq.ReceiveAsync(e => e.TryGetProperty("op", out var op) && op.GetString() == "subscribe", "the RFQ ack");
        Assert.Equal(["success", "ret_msg", "conn_id", "req_id", "op"], rfqAck.PropertyNames());
        Assert.False(rfqAck.GetProperty("success").GetBoolean()); // publicTrade is not an RFQ topic.
        Assert.Contains("publicTrade.ETH", rfqAck.GetProperty("ret_msg").GetString(), StringComparison.Ordinal);
        Assert.All(simulator.Connections, c => Assert.Equal(1, c.SubscribedTopicCount));

        foreach (int legs in (int[])[2, 3, 4])
        {
            var block = simulator.EmitBlock("ETH", legs);
            Assert.Equal(legs, block.Legs.Count);
            Assert.Single(block.Legs.Select(l => simulator.GetInstruments("ETH").Single(i => i.Symbol == l.Symbol).DeliveryTime).Distinct());
            Assert.All(block.Legs, l => Assert.True(l.IsBlock && l.BlockId == block.RfqId && l.TimeMs == block.UpdatedAtMs));
            Assert.All(block.Legs, l => Assert.InRange(l.Price, Math.Max(l.BidPrice, 0.1), l.AskPrice));
            Assert.True(block.CreatedAtMs < block.UpdatedAtMs);
            Assert.Matches("^[0-9]{34}$", block.RfqId);

            var frame = await options.ReceiveAsync(e => IsTradeFrame(e, "ETH"), "the block's publicTrade message");
            var items = frame.GetProperty("data").EnumerateArray().ToList();
            Assert.Equal(legs, items.Count);
            for (int i = 0; i < legs; i++)
                AssertItem(block.Legs[i], items[i]);

            var push = await rfq.ReceiveAsync(IsRfqFrame, "the block on the RFQ stream");
            Assert.Equal(RfqFrameFields, push.PropertyNames());
            Assert.Equal(JsonValueKind.Number, push.GetProperty("creationTime").ValueKind);
            AssertBlock(block, Assert.Single(push.GetProperty("data").EnumerateArray()));
        }

        Assert.Equal(9, simulator.EmittedTrades("ETH").Count);
        var blocks = simulator.EmittedBlocks("ETH");
        Assert.Equal(3, blocks.Count);
        using var json = await simulator.GetJsonAsync("/v5/rfq/public-trades");
        Assert.Equal(["cursor", "list"], json.RootElement.GetProperty("result").PropertyNames());
        var list = json.RootElement.GetProperty("result").GetProperty("list").EnumerateArray().ToList();
        Assert.Equal(3, list.Count);
        for (int i = 0; i < 3; i++)
            AssertBlock(blocks[2 - i], list[i]);
    }

    /// <summary>The coin's tick and quantity step as instruments-info publishes them.</summary>
    internal static async Task<(decimal Tick, decimal Step)> GridsAsync(BybitSimulator simulator, string coin)
    {
        using var json = await simulator.GetJsonAsync($"/v5/market/instruments-info?category=option&baseCoin={coin}&limit=1");
        var item = json.RootElement.GetProperty("result").GetProperty("list")[0];
        return (decimal.Parse(item.GetProperty("priceFilter").GetProperty("tickSize").GetString()!, CultureInfo.InvariantCulture),
            decimal.Parse(item.GetProperty("lotSizeFilter").GetProperty("qtyStep").GetString()!, CultureInfo.InvariantCulture));
    }
}
