using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

public class StreamApiTests
{
    private static readonly TimeSpan Patience = Eventually.Timeout;

    [Fact]
    public async Task Sse_stream_sends_a_snapshot_then_a_change()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        var expiry = BookBuilder.Expiries(host.Book.TimeProvider.GetUtcNow())[1];
        using var timeout = Timeout();

        await using var events = await SseEvents.OpenAsync(http, $"/api/stream/btc?expiry={ExpiryLabel.Format(expiry)}", timeout.Token);
        var snapshot = await events.NextAsync(timeout.Token);
        Assert.Equal("snapshot", snapshot.Event);
        Assert.Equal(14, (int)snapshot.Data["total"]!);
        Assert.Equal(14, snapshot.Data["data"]!.AsArray().Count);

        var symbol = snapshot.Data["data"]![5]!["symbol"]!.GetValue<string>();
        BookBuilder.SetMarkPrice(host.Book, symbol, 4242.5);

        var update = await events.NextAsync(timeout.Token);
        Assert.Equal("update", update.Event);
        var item = Assert.Single(update.Data["data"]!.AsArray());
        Assert.Equal(symbol, (string?)item!["symbol"]);
        Assert.Equal(4242.5, (double)item["mark_price"]!);
    }

    [Fact]
    public async Task Sse_stream_coalesces_changes_and_sends_removals()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?> { ["Api:StreamInterval"] = "00:00:00.300" });
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        using var timeout = Timeout();
        await using var events = await SseEvents.OpenAsync(http, "/api/stream/XRP", timeout.Token);
        var snapshot = await events.NextAsync(timeout.Token);
        var symbols = snapshot.Data["data"]!.AsArray().Select(i => (string)i!["symbol"]!).ToList();

        for (var price = 1; price <= 50; price++)
            BookBuilder.SetMarkPrice(host.Book, symbols[0], price);
        var latest = 0.0;
        while (latest != 50)
        {
            var update = await events.NextAsync(timeout.Token);
            Assert.Equal("update", update.Event);
            latest = (double)Assert.Single(update.Data["data"]!.AsArray())!["mark_price"]!;
        }

        host.Book.RemoveInstruments([new InstrumentKey(Venue.Bybit, symbols[1])]);
        var removal = await events.NextAsync(timeout.Token);
        Assert.Equal("remove", removal.Event);
        Assert.Equal([symbols[1]], removal.Data["symbols"]!.AsArray().Select(s => (string?)s));
    }

    [Fact]
    public async Task Slow_stream_client_does_not_hold_back_a_fast_one()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?> { ["Api:StreamInterval"] = "00:00:00.020" });
        var expiry = BookBuilder.Expiries(host.Book.TimeProvider.GetUtcNow())[1];
        host.Book.AddInstruments(Enumerable.Range(1, 1500).SelectMany(k => new[] { BookBuilder.Create("BTC", expiry, k * 100m, 'C'), BookBuilder.Create("BTC", expiry, k * 100m, 'P') }));
        using var http = host.Http();
        using var timeout = Timeout();

        // The slow client asks for the stream and then never reads: its socket buffers fill, the server's
        // writes to it stall.
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        await slow.ConnectAsync(IPAddress.Loopback, http.BaseAddress!.Port, timeout.Token);
        await slow.SendAsync(Encoding.ASCII.GetBytes($"GET /api/stream/BTC HTTP/1.1\r\nHost: localhost\r\n\r\n"), timeout.Token);

        await using var fast = await SseEvents.OpenAsync(http, "/api/stream/BTC", timeout.Token);
        Assert.Equal("snapshot", (await fast.NextAsync(timeout.Token)).Event);

        var symbols = host.Book.Index.All.Select(s => s.Instrument.Symbol).ToList();
        var target = symbols[^1];
        for (var round = 1; round <= 20; round++)
        {
            foreach (var symbol in symbols)
                BookBuilder.SetMarkPrice(host.Book, symbol, round);
            // Each round is a full 3,000-option update for both clients: megabytes the slow one never reads.
            while (true)
            {
                var update = await fast.NextAsync(timeout.Token);
                var item = update.Data["data"]!.AsArray().LastOrDefault(i => (string?)i!["symbol"] == target);
                if (item is not null && (double)item["mark_price"]! == round)
                    break;
            }
        }
    }

    [Fact]
    public async Task Websocket_subscribes_and_sends_a_snapshot_then_a_change()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        using var timeout = Timeout();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{http.BaseAddress!.Port}/ws"), timeout.Token);

        await SendAsync(socket, """{"op":"subscribe","asset":"bogus"}""", timeout.Token);
        var error = await ReceiveAsync(socket, timeout.Token);
        Assert.Equal("error", (string?)error["type"]);
        Assert.Contains("BTC", (string?)error["message"], StringComparison.Ordinal);

        await SendAsync(socket, """{"op":"subscribe","asset":"xrp"}""", timeout.Token);
        Assert.Equal("subscribed", (string?)(await ReceiveAsync(socket, timeout.Token))["type"]);
        var snapshot = await ReceiveAsync(socket, timeout.Token);
        Assert.Equal("snapshot", (string?)snapshot["type"]);
        Assert.Equal(10, (int)snapshot["total"]!);

        var symbol = (string)snapshot["data"]![0]!["symbol"]!;
        BookBuilder.SetMarkPrice(host.Book, symbol, 0.125);
        var update = await ReceiveAsync(socket, timeout.Token);
        Assert.Equal("update", (string?)update["type"]);
        var item = Assert.Single(update["data"]!.AsArray());
        Assert.Equal(0.125, (double)item!["mark_price"]!);

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
    }

    [Fact]
    public async Task Websocket_reports_bad_messages_and_a_new_subscribe_replaces_the_old_one()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        using var timeout = Timeout();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{http.BaseAddress!.Port}/ws"), timeout.Token);

        foreach (var (message, expected) in new[]
        {
            ("not json", "not JSON"),
            ("[]", "JSON object"),
            ("""{"op":"dance"}""", "Unknown op"),
            ("""{"op":"subscribe","asset":"BTC","expiry":"someday"}""", "not an expiry"),
            ("{\"op\":\"subscribe\",\"asset\":\"" + new string('x', 10_000) + "\"}", "at most 4096 bytes"),
        })
        {
            await SendAsync(socket, message, timeout.Token);
            var error = await ReceiveAsync(socket, timeout.Token);
            Assert.Equal("error", (string?)error["type"]);
            Assert.Contains(expected, (string?)error["message"], StringComparison.Ordinal);
        }

        await SendAsync(socket, """{"op":"subscribe","asset":"BTC"}""", timeout.Token);
        Assert.Equal("subscribed", (string?)(await ReceiveAsync(socket, timeout.Token))["type"]);
        Assert.Equal(56, (int)(await ReceiveAsync(socket, timeout.Token))["total"]!);
        var expiry = BookBuilder.Expiries(host.Book.TimeProvider.GetUtcNow())[1];
        await SendAsync(socket, $$"""{"op":"subscribe","asset":"XRP","expiry":"{{expiry:yyyy-MM-dd}}"}""", timeout.Token);
        var subscribed = await ReceiveAsync(socket, timeout.Token);
        Assert.Equal(ExpiryLabel.Format(expiry), (string?)subscribed["expiry"]);
        Assert.Equal(10, (int)(await ReceiveAsync(socket, timeout.Token))["total"]!);

        // Only the XRP subscription is live now: a BTC change sends nothing, the XRP change comes alone.
        BookBuilder.SetMarkPrice(host.Book, host.Book.Index.All[0].Instrument.Symbol, 1);
        var xrp = host.Book.Index.All.First(s => s.Instrument.BaseCoin == "XRP").Instrument.Symbol;
        BookBuilder.SetMarkPrice(host.Book, xrp, 2);
        var update = await ReceiveAsync(socket, timeout.Token);
        Assert.Equal(xrp, (string?)Assert.Single(update["data"]!.AsArray())!["symbol"]);
    }

    [Fact]
    public async Task Websocket_endpoint_without_upgrade_is_400_problem()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        using var http = host.Http();

        using var response = await http.GetAsync("/ws", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static CancellationTokenSource Timeout()
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(Patience);
        return source;
    }

    internal static Task SendAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancellationToken);

    internal static async Task<JsonNode> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
                return JsonNode.Parse(message.ToArray())!;
        }
    }
}

/// <summary>Reads Server-Sent Events from a streamed response, skipping comments.</summary>
internal sealed class SseEvents : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseEvents(HttpResponseMessage response, Stream stream)
    {
        _response = response;
        _reader = new StreamReader(stream, Encoding.UTF8);
    }

    public static async Task<SseEvents> OpenAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new SseEvents(response, await response.Content.ReadAsStreamAsync(cancellationToken));
    }

    public async Task<(string Event, JsonNode Data)> NextAsync(CancellationToken cancellationToken)
    {
        string? name = null;
        var data = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException();
            if (line.Length == 0)
            {
                if (name is not null)
                    return (name, JsonNode.Parse(data.ToString())!);
                continue;
            }
            if (line.StartsWith(':'))
                continue;
            if (line.StartsWith("event: ", StringComparison.Ordinal))
                name = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
                data.Append(line["data: ".Length..]);
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
