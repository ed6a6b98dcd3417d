using System.Globalization;
using System.Text.Json;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Simulator;

public class WebSocketTests
{
    private static readonly string[] WebSocketTickerFields =
    [
        "symbol", "bidPrice", "bidSize", "bidIv", "askPrice", "askSize", "askIv", "lastPrice", "highPrice24h", "lowPrice24h",
        "markPrice", "indexPrice", "markPriceIv", "underlyingPrice", "openInterest", "turnover24h", "volume24h", "totalVolume",
        "totalTurnover", "delta", "gamma", "vega", "theta", "predictedDeliveryPrice", "change24h",
    ];

    [Fact]
    public async Task Subscribe_ack_has_no_op_or_req_id()
    {
        await using var simulator = await TestSimulator.StartAsync();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        string symbol = simulator.GetInstruments("BTC")[0].Symbol;
        await ws.SubscribeAsync("tickers." + symbol, "tickers.NOPE-1JAN30-1-C-USDT");

        var ack = await ws.ReceiveAckAsync();
        Assert.Equal(["success", "conn_id", "data", "type"], ack.PropertyNames());
        Assert.True(ack.GetProperty("success").GetBoolean());
        Assert.Equal("COMMAND_RESP", ack.GetProperty("type").GetString());
        var connection = Assert.Single(simulator.Connections);
        Assert.Equal(connection.Id, ack.GetProperty("conn_id").GetString());
        var data = ack.GetProperty("data");
        Assert.Equal(["failTopics", "successTopics"], data.PropertyNames());
        Assert.Equal(["tickers.NOPE-1JAN30-1-C-USDT"], data.GetProperty("failTopics").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["tickers." + symbol], data.GetProperty("successTopics").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, simulator.SubscribeRequestsReceived);
    }

    [Fact]
    public async Task Display_names_and_other_topics_are_refused()
    {
        await using var simulator = await TestSimulator.StartAsync();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        var instrument = simulator.GetInstruments("BTC")[0];
        string display = instrument.Symbol.Replace("BTC-", "BTCUSDT-", StringComparison.Ordinal).Replace("-USDT", "", StringComparison.Ordinal);
        string[] topics = ["tickers." + display, "orderbook.25." + instrument.Symbol, instrument.Symbol, "tickers."];
        await ws.SubscribeAsync(topics);
        var ack = await ws.ReceiveAckAsync();
        Assert.Equal(topics, ack.GetProperty("data").GetProperty("failTopics").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, ack.GetProperty("data").GetProperty("successTopics").GetArrayLength());
    }

    [Fact]
    public async Task Topics_beyond_2000_args_land_in_failTopics()
    {
        await using var simulator = await TestSimulator.StartAsync(o =>
        {
            o.TargetInstrumentCount = 2600;
            o.MaxArgsCharsPerConnection = 1_000_000;
        });
        var topics = simulator.GetInstruments().Select(i => "tickers." + i.Symbol).Take(2100).ToArray();
        Assert.Equal(2100, topics.Length);
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync(topics[..1500]);
        var first = await ws.ReceiveAckAsync();
        Assert.Equal(1500, first.GetProperty("data").GetProperty("successTopics").GetArrayLength());

        await ws.SubscribeAsync(topics[1500..]);
        var second = await ws.ReceiveAckAsync();
        Assert.Equal(topics[1500..2000], second.GetProperty("data").GetProperty("successTopics").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(topics[2000..], second.GetProperty("data").GetProperty("failTopics").EnumerateArray().Select(e => e.GetString()));
        var connection = Assert.Single(simulator.Connections);
        Assert.Equal(2000, connection.SubscribedTopicCount);
        Assert.Equal(1500, connection.MaxArgsInOneRequest);
    }

    [Fact]
    public async Task Topics_beyond_21000_characters_land_in_failTopics()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var topics = simulator.GetInstruments().Select(i => "tickers." + i.Symbol).Take(1000).ToArray();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync(topics);
        var ack = await ws.ReceiveAckAsync();
        var success = ack.GetProperty("data").GetProperty("successTopics").EnumerateArray().Select(e => e.GetString()!).ToList();
        var fail = ack.GetProperty("data").GetProperty("failTopics").EnumerateArray().Select(e => e.GetString()!).ToList();

        int chars = success.Sum(t => t.Length);
        Assert.InRange(chars, 21000 - topics.Max(t => t.Length) + 1, 21000);
        Assert.NotEmpty(fail);
        // A topic fails only when it would not fit; a later, shorter one may still fit.
        Assert.All(fail, t => Assert.True(chars + t.Length > 21000));
        Assert.Equal(topics.Order(), success.Concat(fail).Order());
        Assert.Equal(chars, Assert.Single(simulator.Connections).SubscribedArgsChars);
    }

    [Fact]
    public async Task Ping_gets_a_pong_with_a_millisecond_timestamp()
    {
        await using var simulator = await TestSimulator.StartAsync();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SendAsync("{\"op\":\"ping\",\"req_id\":\"p1\"}");
        var pong = await ws.ReceiveAsync(e => e.TryGetProperty("op", out _), "pong");
        Assert.Equal(["args", "op"], pong.PropertyNames());
        Assert.Equal("pong", pong.GetProperty("op").GetString());
        long ms = long.Parse(Assert.Single(pong.GetProperty("args").EnumerateArray()).GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.FromUnixTimeMilliseconds(ms), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(1, Assert.Single(simulator.Connections).PingsReceived);
    }

    [Fact]
    public async Task Pushes_carry_websocket_field_names_and_move()
    {
        await using var simulator = await TestSimulator.StartAsync();
        // A call near the money, a few days out: one deep out of the money in its last hour is marked 0 and never moves.
        var index = (decimal)simulator.GetIndexPrice("BTC");
        var instrument = simulator.GetInstruments("BTC")
            .Where(i => i.OptionsType == "Call" && i.DeliveryTime > DateTimeOffset.UtcNow.AddDays(2))
            .OrderBy(i => i.DeliveryTime).ThenBy(i => Math.Abs(i.Strike - index)).First();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("tickers." + instrument.Symbol);

        var push = await ws.ReceiveAsync(e => e.TryGetProperty("topic", out _), "push");
        Assert.Equal(["id", "topic", "ts", "data", "type"], push.PropertyNames());
        Assert.Equal("snapshot", push.GetProperty("type").GetString());
        Assert.Equal("tickers." + instrument.Symbol, push.GetProperty("topic").GetString());
        long ts = push.GetProperty("ts").GetInt64();
        Assert.StartsWith($"tickers.{instrument.Symbol}-", push.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.EndsWith($"-{ts}", push.GetProperty("id").GetString(), StringComparison.Ordinal);
        var data = push.GetProperty("data");
        Assert.Equal(WebSocketTickerFields, data.PropertyNames());
        Assert.All(data.EnumerateObject(), f => Assert.Equal(JsonValueKind.String, f.Value.ValueKind));
        Assert.Equal(instrument.Symbol, data.GetProperty("symbol").GetString());

        string firstMark = data.GetProperty("markPrice").GetString()!;
        await ws.ReceivePushAsync(instrument.Symbol, d => d.GetProperty("markPrice").GetString() != firstMark);
        Assert.True(simulator.TickerMessagesSent >= 2);
    }

    [Fact]
    public async Task Pushes_arrive_about_once_per_interval_per_topic()
    {
        await using var simulator = await TestSimulator.StartAsync(o => o.PushInterval = TimeSpan.FromMilliseconds(50));
        var symbols = simulator.GetInstruments("ETH").Take(20).Select(i => i.Symbol).ToArray();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync(symbols.Select(s => "tickers." + s));
        await ws.ReceiveAckAsync();
        var started = DateTime.UtcNow;
        await Eventually.Until(() => simulator.TickerMessagesSent >= 20 * 10, "200 pushes");
        // 10 intervals of 50 ms: far slower than a busy loop, not far slower than the interval.
        Assert.InRange((DateTime.UtcNow - started).TotalMilliseconds, 300, 5000);
    }

    [Fact]
    public async Task Never_traded_option_pushes_zeros_like_the_exchange()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var untraded = simulator.GetInstruments("BTC").First(i => simulator.TryGetTicker(i.Symbol, out var t) && t.LastPrice == 0);
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("tickers." + untraded.Symbol);
        var data = (await ws.ReceivePushAsync(untraded.Symbol)).GetProperty("data");
        Assert.Equal("0", data.GetProperty("lastPrice").GetString());
        Assert.Equal("0", data.GetProperty("highPrice24h").GetString());
        Assert.Equal("0", data.GetProperty("lowPrice24h").GetString());
        Assert.Equal("0", data.GetProperty("change24h").GetString());
        Assert.NotEqual("0", data.GetProperty("markPrice").GetString());
        Assert.All(data.EnumerateObject(), field => Assert.NotEqual("", field.Value.GetString()));
    }

    [Fact]
    public async Task SetMarkPrice_arrives_in_the_next_pushes()
    {
        await using var simulator = await TestSimulator.StartAsync();
        string symbol = simulator.GetInstruments("SOL")[3].Symbol;
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("tickers." + symbol);
        await ws.ReceivePushAsync(symbol);
        simulator.SetMarkPrice(symbol, 12.3456);
        await ws.ReceivePushAsync(symbol, d => d.GetProperty("markPrice").GetString() == "12.3456");
        Assert.True(simulator.TryGetTicker(symbol, out var ticker));
        Assert.Equal(12.3456, ticker.MarkPrice);
    }

    [Fact]
    public async Task Unsubscribe_is_acked_and_stops_pushes()
    {
        await using var simulator = await TestSimulator.StartAsync();
        string symbol = simulator.GetInstruments("BTC")[0].Symbol;
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("tickers." + symbol);
        await ws.ReceivePushAsync(symbol);

        await ws.SendAsync($"{{\"op\":\"unsubscribe\",\"args\":[\"tickers.{symbol}\"]}}");
        var ack = await ws.ReceiveAckAsync();
        Assert.Equal(["success", "conn_id", "data", "type"], ack.PropertyNames());
        Assert.Equal(["tickers." + symbol], ack.GetProperty("data").GetProperty("successTopics").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, Assert.Single(simulator.Connections).SubscribedTopicCount);
        Assert.Null(await ws.TryReceiveAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"op\":\"subscribe\",\"args\":\"tickers.X\"}")]
    [InlineData("{\"op\":\"dance\"}")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"op\":\"subscribe\",\"args\":[")]
    public async Task Invalid_requests_get_an_error_reply_and_the_connection_lives(string request)
    {
        await using var simulator = await TestSimulator.StartAsync();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SendAsync(request);
        var error = await ws.ReceiveAsync(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("success", out _), "error reply");
        Assert.False(error.GetProperty("success").GetBoolean());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("ret_msg").GetString()));

        await ws.SendAsync("{\"op\":\"ping\"}");
        await ws.ReceiveAsync(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("op", out var op) && op.GetString() == "pong", "pong");
    }

    [Fact]
    public async Task Zero_push_interval_pushes_as_fast_as_the_socket_takes()
    {
        await using var simulator = await TestSimulator.StartAsync(o => o.PushInterval = TimeSpan.Zero);
        var symbols = simulator.GetInstruments("BTC").Take(100).Select(i => "tickers." + i.Symbol).ToArray();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync(symbols);
        await ws.ReceiveAckAsync();
        await Eventually.Until(() => simulator.TickerMessagesSent >= 20_000, "20,000 pushes");
    }

    [Fact]
    public async Task Pushes_of_one_topic_come_steadily()
    {
        await using var simulator = await TestSimulator.StartAsync();
        string symbol = simulator.GetInstruments("BTC")[0].Symbol;
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("tickers." + symbol);
        await ws.ReceivePushAsync(symbol);
        var gaps = new List<double>();
        var last = DateTime.UtcNow;
        for (int i = 0; i < 20; i++)
        {
            await ws.ReceivePushAsync(symbol);
            gaps.Add((DateTime.UtcNow - last).TotalMilliseconds);
            last = DateTime.UtcNow;
        }

        TestContext.Current.SendDiagnosticMessage($"gaps: {string.Join(", ", gaps.Select(g => g.ToString("0", CultureInfo.InvariantCulture)))}");
        Assert.InRange(gaps.Average(), 50, 200);
    }
}
