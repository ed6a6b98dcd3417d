using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using OptionsTracker.Simulator;
using OptionsTracker.Simulator.Deribit;
using OptionsTracker.Tests.Fixtures;
using static OptionsTracker.Tests.Simulator.DeribitProtocolTests;

namespace OptionsTracker.Tests.Simulator;

/// <summary>
/// The Deribit simulator's heartbeats, limits and faults over real sockets: what a client must survive (Deribit's
/// documentation: set_heartbeat and test_request, 10028 too_many_requests closing the session, lost connections).
/// </summary>
public sealed class DeribitFaultTests
{
    private static bool IsTestRequest(JsonElement e) =>
        e.TryGetProperty("method", out var m) && m.GetString() == "heartbeat"
        && e.GetProperty("params").GetProperty("type").GetString() == "test_request";

    [Fact]
    public async Task Set_heartbeat_below_ten_seconds_is_refused()
    {
        await using var simulator = await StartAsync();
        await using var client = await WsTestClient.ConnectAsync(simulator.WsUrl);

        var answer = await CallAsync(client, 1, "public/set_heartbeat", new { interval = 5 });

        Assert.Equal(-32602, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("interval", answer.GetProperty("error").GetProperty("data").GetProperty("param").GetString());
    }

    [Fact]
    public async Task A_connection_that_answers_test_requests_stays_open_and_one_that_does_not_is_closed()
    {
        await using var simulator = await StartAsync(o => o.HeartbeatIntervalOverride = TimeSpan.FromMilliseconds(300));
        await using var answering = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await using var silent = await WsTestClient.ConnectAsync(simulator.WsUrl);
        Assert.Equal("ok", (await CallAsync(answering, 1, "public/set_heartbeat", new { interval = 10 })).GetProperty("result").GetString());
        Assert.Equal("ok", (await CallAsync(silent, 1, "public/set_heartbeat", new { interval = 10 })).GetProperty("result").GetString());

        for (int i = 0; i < 3; i++)
        {
            await answering.ReceiveAsync(IsTestRequest, "a test_request");
            var test = await CallAsync(answering, 10 + i, "public/test");
            Assert.False(string.IsNullOrEmpty(test.GetProperty("result").GetProperty("version").GetString()));
        }

        await silent.ReceiveAsync(IsTestRequest, "a test_request on the silent client");
        // Not answered: the server closes it at the next beat.
        await Eventually.Until(() => silent.Closed.IsCompleted, "the unanswering connection closed");
        Assert.Equal(WebSocketState.Open, answering.State);
        Assert.Equal(1, simulator.ConnectionCount);
    }

    [Fact]
    public async Task Running_out_of_credits_answers_10028_and_closes_the_session()
    {
        await using var simulator = await StartAsync(o =>
        {
            o.MaxSubscribeCredits = 6_000; // two subscribe calls, then none for a long while
            o.SubscribeCreditsPerSecond = 1;
        });
        await using var client = await WsTestClient.ConnectAsync(simulator.WsUrl);
        var names = simulator.GetInstruments("BTC").Select(i => $"ticker.{i.InstrumentName}.100ms").ToArray();

        Assert.Equal(JsonValueKind.Array, (await CallAsync(client, 1, "public/subscribe", new { channels = names[..1] })).GetProperty("result").ValueKind);
        Assert.Equal(JsonValueKind.Array, (await CallAsync(client, 2, "public/subscribe", new { channels = names[1..2] })).GetProperty("result").ValueKind);
        var refused = await CallAsync(client, 3, "public/subscribe", new { channels = names[2..3] });

        Assert.Equal(10028, refused.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("too_many_requests", refused.GetProperty("error").GetProperty("message").GetString());
        await Eventually.Until(() => client.Closed.IsCompleted, "the session closed after 10028");
    }

    [Fact]
    public async Task The_too_many_requests_fault_also_answers_http_with_10028()
    {
        await using var simulator = await StartAsync();
        simulator.Faults.TooManyRequests(1);

        var (status, body) = await GetAsync(simulator, "public/get_instruments?currency=BTC&kind=option");
        var (after, _) = await GetAsync(simulator, "public/get_instruments?currency=BTC&kind=option");

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal(10028, body.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(HttpStatusCode.OK, after);
    }

    [Fact]
    public async Task Channel_limits_per_call_and_per_connection_refuse_the_whole_call()
    {
        await using var simulator = await StartAsync(o =>
        {
            o.MaxChannelsPerSubscribe = 5;
            o.MaxChannelsPerConnection = 8;
        });
        await using var client = await WsTestClient.ConnectAsync(simulator.WsUrl);
        var channels = simulator.GetInstruments("BTC").Select(i => $"ticker.{i.InstrumentName}.100ms").Take(12).ToArray();

        var tooMany = await CallAsync(client, 1, "public/subscribe", new { channels = channels[..6] });
        var first = await CallAsync(client, 2, "public/subscribe", new { channels = channels[..5] });
        var over = await CallAsync(client, 3, "public/subscribe", new { channels = channels[5..9] });
        var fits = await CallAsync(client, 4, "public/subscribe", new { channels = channels[5..8] });

        Assert.Equal(-32602, tooMany.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(5, first.GetProperty("result").GetArrayLength());
        Assert.Equal(-32602, over.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(3, fits.GetProperty("result").GetArrayLength());
        Assert.Equal(8, simulator.Connections.Single().Channels.Count);
    }

    [Fact]
    public async Task A_refused_channel_is_left_out_of_the_subscribe_result_and_never_pushed()
    {
        await using var simulator = await StartAsync();
        var names = simulator.GetInstruments("ETH").Take(2).Select(i => $"ticker.{i.InstrumentName}.100ms").ToArray();
        simulator.Faults.RefuseChannels(names[0]);
        await using var client = await WsTestClient.ConnectAsync(simulator.WsUrl);

        var answer = await CallAsync(client, 1, "public/subscribe", new { channels = names });

        Assert.Equal([names[1]], answer.GetProperty("result").EnumerateArray().Select(c => c.GetString() ?? "").ToArray());
        Assert.Equal([names[1]], simulator.Connections.Single().Channels);
    }

    [Fact]
    public async Task Silence_stops_pushes_and_heartbeats_on_open_connections_until_lifted()
    {
        await using var simulator = await StartAsync(o => o.HeartbeatIntervalOverride = TimeSpan.FromMilliseconds(200));
        string name = simulator.GetInstruments("BTC")[0].InstrumentName;
        await using var client = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await CallAsync(client, 1, "public/subscribe", new { channels = new[] { $"ticker.{name}.100ms" } });
        await client.ReceiveAsync(e => e.TryGetProperty("method", out var m) && m.GetString() == "subscription", "a push before the silence");

        simulator.Faults.Silent = true;
        await client.DrainAsync(TimeSpan.FromMilliseconds(300)); // what was on the wire already
        var during = await client.TryReceiveAsync(TimeSpan.FromSeconds(1));
        Assert.Null(during);
        Assert.Equal(WebSocketState.Open, client.State);

        simulator.Faults.Silent = false;
        await client.ReceiveAsync(e => e.TryGetProperty("method", out var m) && m.GetString() == "subscription", "pushes again");
    }

    [Fact]
    public async Task Dropping_connections_aborts_them_while_trades_go_on_and_the_rest_backfill_has_every_trade()
    {
        await using var simulator = await StartAsync();
        await using var client = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await CallAsync(client, 1, "public/subscribe", new { channels = new[] { "trades.option.BTC.100ms" } });
        var before = simulator.EmitTrades("BTC", 3);
        var pushed = await client.ReceiveAsync(e => e.TryGetProperty("params", out var p) && p.GetProperty("channel").GetString() == "trades.option.BTC.100ms", "the trades");
        Assert.Equal(before.Select(t => t.TradeId), pushed.GetProperty("params").GetProperty("data").EnumerateArray().Select(t => t.GetProperty("trade_id").GetString()));

        simulator.Faults.DropAllConnections();
        await Eventually.Until(() => client.Closed.IsCompleted, "the connection dropped");
        var missed = simulator.EmitTrades("BTC", 4);
        var block = simulator.EmitBlock("BTC", 3);

        var (_, body) = await GetAsync(simulator, "public/get_last_trades_by_currency?currency=BTC&kind=option&count=100&sorting=asc");
        var ids = body.GetProperty("result").GetProperty("trades").EnumerateArray().Select(t => t.GetProperty("trade_id").GetString()).ToList();
        Assert.Equal(before.Concat(missed).Concat(block).Select(t => t.TradeId), ids);
        Assert.Equal(simulator.EmittedTrades("BTC").Select(t => t.TradeId), ids);
        var legs = body.GetProperty("result").GetProperty("trades").EnumerateArray().Where(t => t.TryGetProperty("block_trade_id", out _)).ToList();
        Assert.Equal(block.Count, legs.Count);
        Assert.All(legs, l => Assert.Equal(block.Count, l.GetProperty("block_trade_leg_count").GetInt32()));
    }

    [Fact]
    public async Task Listing_and_closing_are_announced_on_the_instrument_state_channel()
    {
        await using var simulator = await StartAsync();
        await using var client = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await CallAsync(client, 1, "public/subscribe", new { channels = new[] { "instrument.state.option.BTC" } });

        string listed = simulator.ListNewInstrument("BTC");
        var created = await client.ReceiveAsync(e => e.TryGetProperty("params", out var p) && p.GetProperty("data").GetProperty("state").GetString() == "created", "created");
        Assert.Equal(listed, created.GetProperty("params").GetProperty("data").GetProperty("instrument_name").GetString());
        Assert.Contains(simulator.GetInstruments("BTC"), i => i.InstrumentName == listed);

        simulator.CloseInstrument(listed);
        var closed = await client.ReceiveAsync(e => e.TryGetProperty("params", out var p) && p.GetProperty("data").GetProperty("state").GetString() == "closed", "closed");
        Assert.Equal(listed, closed.GetProperty("params").GetProperty("data").GetProperty("instrument_name").GetString());
        Assert.DoesNotContain(simulator.GetInstruments("BTC"), i => i.InstrumentName == listed);
        var (_, expired) = await GetAsync(simulator, "public/get_instruments?currency=BTC&kind=option&expired=true");
        Assert.Contains(expired.GetProperty("result").EnumerateArray(), i => i.GetProperty("instrument_name").GetString() == listed);
        var refused = await CallAsync(client, 2, "public/subscribe", new { channels = new[] { $"ticker.{listed}.100ms" } });
        Assert.Equal(0, refused.GetProperty("result").GetArrayLength());
    }

    [Fact]
    public async Task Over_a_bybit_simulators_market_both_venues_share_the_index_and_differ_a_little_in_iv()
    {
        await using var bybit = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC", "ETH"], TargetInstrumentCount = 200 }, TestContext.Current.CancellationToken);
        await using var deribit = await DeribitSimulator.StartAsync(new DeribitSimulatorOptions { Market = bybit }, TestContext.Current.CancellationToken);

        Assert.Equal(["BTC", "ETH"], deribit.Currencies);
        Assert.Equal(bybit.GetIndexPrice("BTC"), deribit.GetIndexPrice("BTC"));
        int differing = 0;
        foreach (var instrument in deribit.GetInstruments("BTC"))
        {
            string bybitSymbol = instrument.InstrumentName + "-USDT";
            Assert.True(bybit.TryGetTicker(bybitSymbol, out var b), bybitSymbol);
            Assert.True(deribit.TryGetTicker(instrument.InstrumentName, out var d));
            double gapPoints = d.MarkIv - b.MarkIv * 100;
            Assert.InRange(gapPoints, -2.5, 2.5); // at most IvOffsetPoints (1.5) + its quarter as a bias, plus rounding
            if (Math.Abs(gapPoints) > 0.05)
                differing++;
        }

        Assert.True(differing > 0, "the venues' IVs differ on some strikes");
    }
}
