using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>The API end to end: simulator → feed → book → HTTP.</summary>
public class SimulatorApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_endpoint_answers_from_the_simulated_market()
    {
        await using var host = await TrackerApp.StartWithSimulatorAsync();
        using var http = host.Http();
        var simulated = host.Simulator!.GetInstruments("BTC");
        var symbol = simulated[0].Symbol;
        var expiry = (await OptionsApiTests.GetJsonAsync(http, "/api/expiries/btc"))["data"]![0]!["expiry"]!.GetValue<string>();

        var options = await OptionsApiTests.GetJsonAsync(http, "/api/options/btc");
        Assert.Equal(simulated.Count, (int)options["total"]!);
        Assert.Equal(simulated.Select(i => i.Symbol).Order(StringComparer.Ordinal), options["data"]!.AsArray().Select(i => (string)i!["symbol"]!).Order(StringComparer.Ordinal));
        Assert.True(host.Simulator.TryGetTicker(symbol, out var ticker));
        var option = await OptionsApiTests.GetJsonAsync(http, $"/api/option/{symbol}");
        Assert.Equal(symbol, (string?)option["symbol"]);
        Assert.NotNull(option["mark_price"]);

        foreach (var path in new[]
        {
            $"/api/options/BTC?expiry={expiry}&type=put&sort=-open_interest&limit=5", $"/api/strikes/BTC?expiry={expiry}",
            "/api/summary/BTC", "/api/greeks/ETH", "/api/atm/BTC?num_strikes=2", "/api/high-volume?min_volume=0",
            "/api/high-iv?min_iv=0.01", "/api/recent?seconds=60", "/api/symbols?asset=eth",
        })
        {
            var body = await OptionsApiTests.GetJsonAsync(http, path);
            if (body["data"] is JsonArray data)
            {
                Assert.NotEmpty(data);
                Assert.True((int)body["total"]! >= data.Count, path);
            }
        }
        var summary = await OptionsApiTests.GetJsonAsync(http, "/api/summary/BTC");
        Assert.NotNull(summary["index_price"]);
        Assert.NotNull(summary["atm_strike"]);
        var stats = await OptionsApiTests.GetJsonAsync(http, "/api/stats");
        Assert.Equal(host.Simulator.InstrumentCount, (int)stats["total_options"]!);

        using var query = new StringContent("""{"asset":"ETH","option_type":"put","limit":3}""", Encoding.UTF8, "application/json");
        using var queried = await http.PostAsync("/api/query", query, Ct);
        Assert.Equal(3, JsonNode.Parse(await queried.Content.ReadAsStringAsync(Ct))!["data"]!.AsArray().Count);

        using var csv = await http.GetAsync("/api/export/csv?asset=ETH", Ct);
        var lines = (await csv.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(host.Simulator.GetInstruments("ETH").Count + 1, lines.Length);
        using var json = await http.GetAsync("/api/export/json", Ct);
        Assert.Equal(host.Simulator.InstrumentCount, (int)JsonNode.Parse(await json.Content.ReadAsStringAsync(Ct))!["total"]!);
    }

    [Fact]
    public async Task Sse_stream_delivers_the_snapshot_then_a_simulated_mark_price_change()
    {
        await using var host = await TrackerApp.StartWithSimulatorAsync();
        using var http = host.Http();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Eventually.Timeout);
        var symbol = host.Simulator!.GetInstruments("ETH")[3].Symbol;

        await using var events = await SseEvents.OpenAsync(http, "/api/stream/eth", timeout.Token);
        var snapshot = await events.NextAsync(timeout.Token);
        Assert.Equal("snapshot", snapshot.Event);
        Assert.Equal(host.Simulator.GetInstruments("ETH").Count, (int)snapshot.Data["total"]!);

        host.Simulator.SetMarkPrice(symbol, 1234.5);
        while (true)
        {
            var update = await events.NextAsync(timeout.Token);
            Assert.Equal("update", update.Event);
            var item = update.Data["data"]!.AsArray().FirstOrDefault(i => (string?)i!["symbol"] == symbol);
            if (item is not null && (double?)item["mark_price"] == 1234.5)
                break;
        }
    }

    [Fact]
    public async Task Websocket_delivers_the_snapshot_then_a_simulated_mark_price_change_and_delivered_options_turn_Delivering_with_their_price()
    {
        await using var host = await TrackerApp.StartWithSimulatorAsync();
        using var http = host.Http();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Eventually.Timeout);
        var symbol = host.Simulator!.GetInstruments("BTC")[^1].Symbol;
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{http.BaseAddress!.Port}/ws"), timeout.Token);

        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"op":"subscribe","asset":"BTC"}"""), WebSocketMessageType.Text, true, timeout.Token);
        Assert.Equal("subscribed", (string?)(await ReceiveAsync(socket, timeout.Token))["type"]);
        var snapshot = await ReceiveAsync(socket, timeout.Token);
        Assert.Equal("snapshot", (string?)snapshot["type"]);
        Assert.Equal(host.Simulator.GetInstruments("BTC").Count, (int)snapshot["total"]!);

        host.Simulator.SetMarkPrice(symbol, 777.25);
        while (true)
        {
            var message = await ReceiveAsync(socket, timeout.Token);
            var item = message["data"]?.AsArray().FirstOrDefault(i => (string?)i!["symbol"] == symbol);
            if (item is not null && (double?)item["mark_price"] == 777.25)
                break;
        }

        // Delivered options stay on the board (Delivering, with their settlement price) until Bybit stops listing them.
        var delivered = host.Simulator.DeliverNextExpiry("BTC");
        var settled = new HashSet<string>();
        while (!settled.IsSupersetOf(delivered))
        {
            var message = await ReceiveAsync(socket, timeout.Token);
            Assert.NotEqual("remove", (string?)message["type"]);
            foreach (var item in message["data"]?.AsArray() ?? [])
            {
                if ((string?)item!["status"] == "Delivering" && item["delivery_price"] is not null)
                    settled.Add((string)item["symbol"]!);
            }
        }
    }

    private static async Task<JsonNode> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
                return JsonNode.Parse(message.ToArray())!;
        }
    }
}
