using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Simulator;

public class FaultTests
{
    private static bool IsPong(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("op", out var op) && op.GetString() == "pong";

    [Fact]
    public async Task DropAllConnections_aborts_every_socket_without_a_close_handshake()
    {
        await using var simulator = await TestSimulator.StartAsync();
        await using var first = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await using var second = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await Eventually.Until(() => simulator.ConnectionCount == 2, "two connections");

        simulator.Faults.DropAllConnections();

        foreach (var ws in new[] { first, second })
        {
            var ex = await Assert.ThrowsAnyAsync<Exception>(() => ws.Closed.WaitAsync(TestSimulator.Timeout, TestContext.Current.CancellationToken));
            Assert.IsType<WebSocketException>(ex, exactMatch: false);
        }

        await Eventually.Until(() => simulator.ConnectionCount == 0, "connections gone");
        await using var again = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await again.SendAsync("{\"op\":\"ping\"}");
        await again.ReceiveAsync(IsPong, "pong after reconnect");
    }

    [Fact]
    public async Task SuppressPongs_ignores_pings_but_data_flows()
    {
        await using var simulator = await TestSimulator.StartAsync();
        string symbol = simulator.GetInstruments("BTC")[0].Symbol;
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("tickers." + symbol);
        await ws.ReceiveAckAsync();

        simulator.Faults.SuppressPongs = true;
        await ws.SendAsync("{\"op\":\"ping\"}");
        await Eventually.Until(() => simulator.Connections.Single().PingsReceived == 1, "ping received");
        // Twenty pushes later (2 s at 100 ms) there has still been no pong.
        for (int i = 0; i < 20; i++)
        {
            var push = await ws.ReceiveAsync(e => true, "any message");
            Assert.False(IsPong(push));
        }

        simulator.Faults.SuppressPongs = false;
        await ws.SendAsync("{\"op\":\"ping\"}");
        await ws.ReceiveAsync(IsPong, "pong once pongs are back");
    }

    [Fact]
    public async Task SilentConnections_send_nothing_yet_stay_open()
    {
        await using var simulator = await TestSimulator.StartAsync();
        string symbol = simulator.GetInstruments("BTC")[0].Symbol;
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("tickers." + symbol);
        await ws.ReceivePushAsync(symbol);

        simulator.Faults.SilentConnections = true;
        // A push already on its way when the switch flipped may still arrive: wait for a full second of quiet.
        await ws.DrainAsync(TimeSpan.FromSeconds(1));
        long sent = simulator.TickerMessagesSent;
        await ws.SendAsync("{\"op\":\"ping\"}");
        Assert.Null(await ws.TryReceiveAsync(TimeSpan.FromMilliseconds(800)));
        Assert.Equal(WebSocketState.Open, ws.State);
        Assert.Equal(sent, simulator.TickerMessagesSent);
        Assert.Equal(1, simulator.ConnectionCount);

        simulator.Faults.SilentConnections = false;
        await ws.ReceivePushAsync(symbol);
    }

    [Fact]
    public async Task Malformed_frames_come_in_every_kind_then_pushes_continue()
    {
        await using var simulator = await TestSimulator.StartAsync();
        string symbol = simulator.GetInstruments("ETH")[5].Symbol;
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("tickers." + symbol);
        await ws.ReceivePushAsync(symbol);

        simulator.Faults.SendMalformedFrames(4);
        int unparseable = 0, notNumbers = 0, arrays = 0;
        var started = Stopwatch.GetTimestamp();
        while (unparseable < 2 || notNumbers < 1 || arrays < 1)
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < TestSimulator.Timeout, "malformed frames did not all arrive");
            var message = await ws.TryReceiveAsync(TestSimulator.Timeout);
            Assert.NotNull(message);
            using var json = message.TryParse();
            if (json is null)
            {
                unparseable++;
                continue;
            }

            var data = json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("data", out var d) ? d : default;
            if (data.ValueKind == JsonValueKind.Array)
                arrays++;
            else if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty("markPrice", out var mark)
                && !double.TryParse(mark.GetString(), System.Globalization.CultureInfo.InvariantCulture, out _))
                notNumbers++;
        }

        await ws.ReceivePushAsync(symbol, d => double.TryParse(d.GetProperty("markPrice").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    [Fact]
    public async Task RefuseTopics_fails_the_next_topics_then_accepts_again()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var topics = simulator.GetInstruments("BTC").Take(5).Select(i => "tickers." + i.Symbol).ToArray();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        simulator.Faults.RefuseTopics(2);
        await ws.SubscribeAsync(topics);
        var ack = await ws.ReceiveAckAsync();
        Assert.Equal(topics[..2], ack.GetProperty("data").GetProperty("failTopics").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(topics[2..], ack.GetProperty("data").GetProperty("successTopics").EnumerateArray().Select(e => e.GetString()));

        await ws.SubscribeAsync(topics[..2]);
        var retry = await ws.ReceiveAckAsync();
        Assert.Equal(topics[..2], retry.GetProperty("data").GetProperty("successTopics").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(5, simulator.Connections.Single().SubscribedTopicCount);
    }

    [Fact]
    public async Task FragmentFrames_splits_each_message_into_several_frames()
    {
        await using var simulator = await TestSimulator.StartAsync();
        string symbol = simulator.GetInstruments("BTC")[0].Symbol;
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        simulator.Faults.FragmentFrames = true;
        await ws.SubscribeAsync("tickers." + symbol);

        int fragmented = 0;
        for (int i = 0; i < 10; i++)
        {
            var message = await ws.TryReceiveAsync(TestSimulator.Timeout);
            Assert.NotNull(message);
            using var json = message.TryParse();
            Assert.NotNull(json);
            if (message.Frames >= 2)
                fragmented++;
        }

        Assert.Equal(10, fragmented);
    }

    [Fact]
    public async Task RejectNewConnections_refuses_the_upgrade_with_503()
    {
        await using var simulator = await TestSimulator.StartAsync();
        simulator.Faults.RejectNewConnections = true;
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(simulator.WsUrl, TestContext.Current.CancellationToken));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, socket.HttpStatusCode);
        Assert.Equal(0, simulator.ConnectionCount);

        simulator.Faults.RejectNewConnections = false;
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        Assert.Equal(WebSocketState.Open, ws.State);
    }
}
