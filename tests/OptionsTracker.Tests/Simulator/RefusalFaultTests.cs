using System.Text.Json;

namespace OptionsTracker.Tests.Simulator;

/// <summary>The two ways the exchange says no to a subscribe, as the simulator produces them.</summary>
public class RefusalFaultTests
{
    private static string[] FailTopics(JsonElement ack) =>
        [.. ack.GetProperty("data").GetProperty("failTopics").EnumerateArray().Select(e => e.GetString()!)];

    private static string[] SuccessTopics(JsonElement ack) =>
        [.. ack.GetProperty("data").GetProperty("successTopics").EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task A_topic_refused_for_good_fails_on_every_attempt_and_every_connection_until_accepted()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var topics = simulator.GetInstruments("BTC").Take(3).Select(i => "tickers." + i.Symbol).ToArray();
        simulator.Faults.RefuseTopicsForever(topics[0]);

        await using (var first = await WsTestClient.ConnectAsync(simulator.WsUrl))
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                await first.SubscribeAsync(topics);
                var ack = await first.ReceiveAckAsync();
                Assert.Equal([topics[0]], FailTopics(ack));
            }
        }

        await using var second = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await second.SubscribeAsync(topics[0]);
        Assert.Equal([topics[0]], FailTopics(await second.ReceiveAckAsync()));
        Assert.Equal([topics[0]], simulator.Faults.RefusedTopics);

        simulator.Faults.AcceptTopics(topics[0]);
        await second.SubscribeAsync(topics[0]);
        var accepted = await second.ReceiveAckAsync();
        Assert.Equal([topics[0]], SuccessTopics(accepted));
        Assert.Empty(FailTopics(accepted));
        Assert.Empty(simulator.Faults.RefusedTopics);
    }

    [Fact]
    public async Task A_rejected_subscribe_request_is_answered_success_false_with_its_req_id_and_no_type()
    {
        await using var simulator = await TestSimulator.StartAsync();
        var topics = simulator.GetInstruments("ETH").Take(4).Select(i => "tickers." + i.Symbol).ToArray();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        simulator.Faults.RejectNextSubscribeRequests(1);

        await ws.SendAsync(JsonSerializer.Serialize(new { req_id = "req-77", op = "subscribe", args = topics }));
        var rejection = await ws.ReceiveAsync(e => e.TryGetProperty("success", out _), "the rejection");

        // The public V5 shape seen in the wild (facts §10): no type, no data, the request's op and req_id echoed.
        Assert.False(rejection.GetProperty("success").GetBoolean());
        Assert.StartsWith("error:", rejection.GetProperty("ret_msg").GetString());
        Assert.Equal("req-77", rejection.GetProperty("req_id").GetString());
        Assert.Equal("subscribe", rejection.GetProperty("op").GetString());
        Assert.False(string.IsNullOrEmpty(rejection.GetProperty("conn_id").GetString()));
        Assert.False(rejection.TryGetProperty("type", out _));
        Assert.False(rejection.TryGetProperty("data", out _));
        Assert.Equal(0, simulator.Connections.Single().SubscribedTopicCount);

        // Only the next request was rejected: the same request now subscribes.
        await ws.SubscribeAsync(topics);
        Assert.Equal(topics, SuccessTopics(await ws.ReceiveAckAsync()));
        Assert.Equal(4, simulator.Connections.Single().SubscribedTopicCount);
    }
}
