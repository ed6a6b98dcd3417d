using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// Issue 12 C6 and D5: <c>/ws</c> against a client that floods it or sends what it should not. Before, 1,000 subscribe
/// messages (33 KB) bought 1.07 GB of replies, and <c>"expiry":123</c> silently subscribed to every expiry.
/// </summary>
public class WsAbuseTests
{
    private static readonly TimeSpan Patience = Eventually.Timeout;

    [Fact]
    public async Task A_flood_of_subscribes_gets_bounded_replies_and_a_policy_violation_close()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?> { ["Api:WsMaxMessagesPerSecond"] = "10" });
        BookBuilder.Fill(host.Book);
        using var timeout = Timeout();
        using var socket = await ConnectAsync(host, timeout.Token);

        // The size of one reply pair (subscribed + snapshot), from a well-behaved socket.
        long pair;
        using (var probe = await ConnectAsync(host, timeout.Token))
        {
            await SendAsync(probe, """{"op":"subscribe","asset":"BTC"}""", timeout.Token);
            pair = (await ReceiveAsync(probe, timeout.Token)).Bytes + (await ReceiveAsync(probe, timeout.Token)).Bytes;
            await probe.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }
        Assert.True(pair > 10_000, $"a BTC snapshot is sizeable ({pair} bytes)");

        const int Flood = 1000;
        var sending = Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < Flood; i++)
                    await SendAsync(socket, """{"op":"subscribe","asset":"BTC"}""", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
            {
                // The server closed the socket mid-flood, as it should.
            }
        }, timeout.Token);

        long received = 0;
        var snapshots = 0;
        while (true)
        {
            var message = await ReceiveAsync(socket, timeout.Token);
            if (message.Closed)
                break;
            received += message.Bytes;
            if ((string?)message.Json!["type"] == "snapshot")
                snapshots++;
        }
        await sending;

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        Assert.Contains("Api:WsMaxMessagesPerSecond", socket.CloseStatusDescription, StringComparison.Ordinal);
        // Without the limit each subscribe bought a pair: ~1,000 pairs. Now the burst of 10 (plus what refills while
        // they are served) at most, and far fewer snapshots, since subscribes coalesce within the stream interval.
        TestContext.Current.TestOutputHelper?.WriteLine($"{Flood} subscribes ({Flood * 33} bytes) → {received} bytes of replies, {snapshots} snapshots; one pair is {pair} bytes");
        Assert.True(received < 25 * pair, $"{received} bytes of replies for {Flood} subscribes; a reply pair is {pair} bytes");
        await Eventually.Until(() => host.Services.GetRequiredService<OptionsTracker.Api.StreamGate>().DroppedPolicy == 1, "the flood counted as a policy drop");
    }

    [Fact]
    public async Task Repeated_subscribes_replace_each_other_and_share_one_snapshot_per_interval()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?> { ["Api:StreamInterval"] = "00:00:05" });
        BookBuilder.Fill(host.Book);
        using var timeout = Timeout();
        using var socket = await ConnectAsync(host, timeout.Token);

        string[] assets = ["BTC", "XRP", "BTC", "XRP", "XRP"];
        foreach (var asset in assets)
            await SendAsync(socket, $$"""{"op":"subscribe","asset":"{{asset}}"}""", timeout.Token);

        // Every subscribe is acknowledged. Each one makes a snapshot due, and a due snapshot waits for the stream
        // interval: so after the last acknowledgement exactly one snapshot comes, the last subscription's, and before
        // it at most the one the first subscribe may have had at once.
        var subscribed = new List<string>();
        var snapshots = 0;
        while (subscribed.Count < assets.Length)
        {
            var message = (await ReceiveAsync(socket, timeout.Token)).Json!;
            if ((string?)message["type"] == "snapshot")
                snapshots++;
            else
                subscribed.Add((string)message["asset"]!);
        }
        Assert.Equal(assets, subscribed);
        var last = (await ReceiveAsync(socket, timeout.Token)).Json!;
        Assert.Equal("snapshot", (string?)last["type"]);
        Assert.Equal("XRP", (string?)last["asset"]);
        Assert.True(snapshots <= 1, $"{snapshots} snapshots before the last subscribe's");

        // One subscription remains, XRP's: a BTC change sends nothing, an XRP change comes once, alone.
        BookBuilder.SetMarkPrice(host.Book, host.Book.Index.All[0].Instrument.Symbol, 1);
        var xrp = host.Book.Index.All.First(s => s.Instrument.BaseCoin == "XRP").Instrument.Symbol;
        BookBuilder.SetMarkPrice(host.Book, xrp, 2);
        var update = (await ReceiveAsync(socket, timeout.Token)).Json!;
        Assert.Equal("update", (string?)update["type"]);
        Assert.Equal("XRP", (string?)update["asset"]);
        Assert.Equal(xrp, (string?)Assert.Single(update["data"]!.AsArray())!["symbol"]);
    }

    [Fact]
    public async Task Every_field_of_a_ws_message_is_checked_for_its_type_and_value()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?> { ["Api:WsMaxMessagesPerSecond"] = "100" });
        BookBuilder.Fill(host.Book);
        using var timeout = Timeout();
        using var socket = await ConnectAsync(host, timeout.Token);

        foreach (var (message, expected) in new[]
        {
            ("""{"op":"subscribe","asset":"BTC","expiry":123}""", "'expiry' must be a string"),
            ("""{"op":"subscribe","asset":"BTC","expiry":true}""", "'expiry' must be a string"),
            ("""{"op":"subscribe","asset":"BTC","expiry":["26DEC25"]}""", "not an array"),
            ("""{"op":"subscribe","asset":7}""", "'asset' must be a string"),
            ("""{"op":"subscribe","asset":null}""", "not null"),
            ("""{"op":"subscribe"}""", "'asset' is required"),
            ("""{"op":1,"asset":"BTC"}""", "'op' must be a string"),
            ("""{"op":"subscribe","asset":"BTC","expiri":"26DEC25"}""", "Unknown field 'expiri'"),
            ("""{"op":"subscribe","asset":"BTC","asset":"ETH"}""", "'asset' is given twice"),
            ("""{"op":"subscribe","type":"subscribe","asset":"BTC"}""", "given twice"),
            ("""{"op":"subscribe","asset":"BTC","expiry":"someday"}""", "not an expiry"),
            ("""{}""", "No op"),
        })
        {
            await SendAsync(socket, message, timeout.Token);
            var reply = (await ReceiveAsync(socket, timeout.Token)).Json!;
            // An error, never a subscription to more than was asked for.
            Assert.Equal("error", (string?)reply["type"]);
            Assert.Contains(expected, (string?)reply["message"], StringComparison.Ordinal);
        }

        // null is "no expiry" (all), as absent is; a valid expiry still narrows.
        await SendAsync(socket, """{"op":"subscribe","asset":"XRP","expiry":null}""", timeout.Token);
        var all = (await ReceiveAsync(socket, timeout.Token)).Json!;
        Assert.Equal("subscribed", (string?)all["type"]);
        Assert.Null(all["expiry"]);
        var expiry = ExpiryLabel.Format(BookBuilder.Expiries(host.Book.TimeProvider.GetUtcNow())[1]);
        await SendAsync(socket, $$"""{"op":"subscribe","asset":"BTC","expiry":"{{expiry}}"}""", timeout.Token);
        JsonNode narrowed;
        do
            narrowed = (await ReceiveAsync(socket, timeout.Token)).Json!;
        while ((string?)narrowed["type"] != "subscribed");
        Assert.Equal(expiry, (string?)narrowed["expiry"]);
    }

    private static CancellationTokenSource Timeout()
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(Patience);
        return source;
    }

    private static async Task<ClientWebSocket> ConnectAsync(TrackerApp host, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{host.BaseAddress.Port}/ws"), cancellationToken);
        return socket;
    }

    private static Task SendAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>One whole message (joined from its fragments), or Closed when the server closed the socket.</summary>
    private static async Task<(JsonNode? Json, long Bytes, bool Closed)> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
                return (null, 0, true);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
                return (JsonNode.Parse(message.ToArray()), message.Length, false);
        }
    }
}
