using System.Net;
using System.Net.WebSockets;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Simulator;

/// <summary>The faults over HTTP (<c>/_sim/…</c>), as an operator or a load test drives a standalone simulator.</summary>
public class ControlApiTests
{
    private static Task<BybitSimulator> StartAsync(bool control = true) => TestSimulator.StartAsync(o => o.ControlEndpoints = control);

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(BybitSimulator simulator, string pathAndQuery)
    {
        using var http = new HttpClient { BaseAddress = simulator.RestUrl, Timeout = TestSimulator.Timeout };
        using var response = await http.PostAsync(new Uri(pathAndQuery, UriKind.Relative), null, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Get_sim_lists_every_control_and_the_state()
    {
        await using var simulator = await StartAsync();
        using var response = await simulator.GetAsync("/_sim");
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var control in new[] { "drop", "reject-connections", "silent", "suppress-pongs", "fragment", "malformed", "refuse", "accept", "reject-subscribes", "rest-fail", "ban-ip", "empty-instruments", "list", "deliver" })
            Assert.Contains($"/_sim/{control}", body);
        Assert.Contains("State: 0 connections", body);
    }

    [Fact]
    public async Task Post_drop_aborts_every_connection()
    {
        await using var simulator = await StartAsync();
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await Eventually.Until(() => simulator.ConnectionCount == 1, "the connection");

        var (status, body) = await PostAsync(simulator, "/_sim/drop");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("dropped 1 connections", body);
        await Assert.ThrowsAnyAsync<Exception>(() => ws.Closed.WaitAsync(TestSimulator.Timeout, TestContext.Current.CancellationToken));
        await Eventually.Until(() => simulator.ConnectionCount == 0, "no connection left");
    }

    [Fact]
    public async Task Post_refuse_with_a_topic_refuses_it_for_good_and_accept_lifts_it()
    {
        await using var simulator = await StartAsync();
        var topic = "tickers." + simulator.GetInstruments("BTC")[2].Symbol;

        var (status, body) = await PostAsync(simulator, $"/_sim/refuse?topic={Uri.EscapeDataString(topic)}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(topic, body);
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync(topic);
        var ack = await ws.ReceiveAckAsync();
        Assert.Equal(topic, ack.GetProperty("data").GetProperty("failTopics")[0].GetString());

        (status, _) = await PostAsync(simulator, "/_sim/accept");
        Assert.Equal(HttpStatusCode.OK, status);
        await ws.SubscribeAsync(topic);
        ack = await ws.ReceiveAckAsync();
        Assert.Equal(topic, ack.GetProperty("data").GetProperty("successTopics")[0].GetString());
    }

    [Fact]
    public async Task Post_reject_subscribes_and_reject_connections_and_switches_apply()
    {
        await using var simulator = await StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(simulator, "/_sim/reject-subscribes?count=1")).Status);
        await using (var ws = await WsTestClient.ConnectAsync(simulator.WsUrl))
        {
            await ws.SubscribeAsync("tickers." + simulator.GetInstruments("BTC")[0].Symbol);
            var rejection = await ws.ReceiveAsync(e => e.TryGetProperty("success", out _), "the rejection");
            Assert.False(rejection.GetProperty("success").GetBoolean());
        }

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(simulator, "/_sim/suppress-pongs?on=true")).Status);
        Assert.True(simulator.Faults.SuppressPongs);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(simulator, "/_sim/suppress-pongs?on=false")).Status);
        Assert.False(simulator.Faults.SuppressPongs);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(simulator, "/_sim/silent?on=true")).Status);
        Assert.True(simulator.Faults.SilentConnections);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(simulator, "/_sim/fragment?on=true")).Status);
        Assert.True(simulator.Faults.FragmentFrames);

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(simulator, "/_sim/reject-connections?on=true")).Status);
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(simulator.WsUrl, TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, socket.HttpStatusCode);
        Assert.Equal(1, simulator.ConnectionsRejected);
    }

    [Fact]
    public async Task Post_rest_fail_fails_the_next_rest_requests_the_way_asked()
    {
        await using var simulator = await StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(simulator, "/_sim/rest-fail?count=1&kind=http429")).Status);

        using (var failed = await simulator.GetAsync("/v5/market/tickers?category=option&baseCoin=BTC"))
            Assert.Equal(HttpStatusCode.TooManyRequests, failed.StatusCode);
        using var json = await simulator.GetJsonAsync("/v5/market/tickers?category=option&baseCoin=BTC");
        Assert.Equal(0, json.RootElement.GetProperty("retCode").GetInt32());
    }

    [Fact]
    public async Task Post_ban_ip_and_empty_instruments_change_what_rest_answers()
    {
        await using var simulator = await StartAsync();

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(simulator, "/_sim/empty-instruments?on=true")).Status);
        using (var empty = await simulator.GetJsonAsync("/v5/market/instruments-info?category=option&baseCoin=BTC"))
        {
            Assert.Equal(0, empty.RootElement.GetProperty("retCode").GetInt32());
            Assert.Equal(0, empty.RootElement.GetProperty("result").GetProperty("list").GetArrayLength());
        }
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(simulator, "/_sim/empty-instruments?on=false")).Status);
        using (var full = await simulator.GetJsonAsync("/v5/market/instruments-info?category=option&baseCoin=BTC"))
            Assert.True(full.RootElement.GetProperty("result").GetProperty("list").GetArrayLength() > 0);

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(simulator, "/_sim/ban-ip?seconds=600")).Status);
        using var banned = await simulator.GetAsync("/v5/market/tickers?category=option&baseCoin=BTC");
        Assert.Equal(HttpStatusCode.Forbidden, banned.StatusCode);
    }

    [Fact]
    public async Task Post_list_and_deliver_move_the_market()
    {
        await using var simulator = await StartAsync();
        var before = simulator.GetInstruments("SOL").Count;

        var (status, body) = await PostAsync(simulator, "/_sim/list?coin=sol");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("listed SOL-", body);
        Assert.Equal(before + 1, simulator.GetInstruments("SOL").Count);

        (status, body) = await PostAsync(simulator, "/_sim/deliver?coin=SOL");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(simulator.GetInstruments("SOL").Count < before + 1, body);
    }

    [Theory]
    [InlineData("/_sim/malformed?count=-1", "count")]
    [InlineData("/_sim/silent?on=maybe", "on must be true or false")]
    [InlineData("/_sim/rest-fail?count=1&kind=http500", "kind must be one of")]
    [InlineData("/_sim/list?coin=NOPE", "coin must be one of")]
    [InlineData("/_sim/ban-ip?seconds=0", "seconds must be")]
    public async Task A_bad_parameter_is_a_400_saying_what_is_valid(string pathAndQuery, string expected)
    {
        await using var simulator = await StartAsync();
        var (status, body) = await PostAsync(simulator, pathAndQuery);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, body);
    }

    [Fact]
    public async Task Unknown_controls_are_404_and_changes_need_post()
    {
        await using var simulator = await StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(simulator, "/_sim/explode")).Status);
        using var get = await simulator.GetAsync("/_sim/drop");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
    }

    [Fact]
    public async Task Without_control_endpoints_nothing_is_served_under_sim()
    {
        await using var simulator = await StartAsync(control: false);
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await Eventually.Until(() => simulator.ConnectionCount == 1, "the connection");

        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(simulator, "/_sim/drop")).Status);
        using var get = await simulator.GetAsync("/_sim");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(1, simulator.ConnectionCount);
        Assert.Equal(WebSocketState.Open, ws.State);
    }
}
