using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OptionsTracker.Api;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>Issue 12 C5, in small: the stream caps and the send timeout, each on its own.</summary>
public class StreamLimitsTests
{
    private static readonly TimeSpan Patience = Eventually.Timeout;

    [Fact]
    public async Task Streams_beyond_the_per_client_and_total_caps_get_429_with_a_problem_naming_the_setting()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?>
        {
            ["Api:MaxStreamsPerClient"] = "2",
            ["Api:MaxStreams"] = "3",
        });
        BookBuilder.Fill(host.Book);
        using var timeout = Timeout();
        var port = host.BaseAddress.Port;
        using var first = StreamClients.HttpFrom(StreamClients.Address(0), host.BaseAddress);
        using var second = StreamClients.HttpFrom(StreamClients.Address(1), host.BaseAddress);
        using var third = StreamClients.HttpFrom(StreamClients.Address(2), host.BaseAddress);

        var a = await SseEvents.OpenAsync(first, "/api/stream/BTC", timeout.Token);
        await using var b = await SseEvents.OpenAsync(first, "/api/stream/XRP", timeout.Token);
        await AssertRefusedAsync(first, "Api:MaxStreamsPerClient = 2", timeout.Token);
        await AssertWebSocketRefusedAsync(StreamClients.Address(0), port, timeout.Token);

        await using var c = await SseEvents.OpenAsync(second, "/api/stream/BTC", timeout.Token);
        await AssertRefusedAsync(third, "Api:MaxStreams = 3", timeout.Token);
        await AssertWebSocketRefusedAsync(StreamClients.Address(2), port, timeout.Token);

        // A stream that ends frees its slot.
        await a.DisposeAsync();
        await Eventually.Until(async () =>
        {
            using var response = await third.GetAsync("/api/stream/XRP", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.StatusCode == HttpStatusCode.OK;
        }, "a slot to free after a stream ended");
        Assert.True(host.Services.GetRequiredService<StreamGate>().Refused >= 4);
    }

    [Fact]
    public async Task Clients_that_stop_reading_are_dropped_once_a_message_waits_longer_than_the_send_timeout()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?> { ["Api:StreamSendTimeout"] = "00:00:02" });
        var expiry = BookBuilder.Expiries(host.Book.TimeProvider.GetUtcNow())[1];
        // ~1 MB of snapshot: far more than the socket buffers between a client that does not read and the server.
        host.Book.AddInstruments(Enumerable.Range(1, 750).SelectMany(k => new[] { BookBuilder.Create("BTC", expiry, k * 100m, 'C'), BookBuilder.Create("BTC", expiry, k * 100m, 'P') }));
        using var timeout = Timeout();
        var port = host.BaseAddress.Port;
        var gate = host.Services.GetRequiredService<StreamGate>();

        using var sse = await StreamClients.OpenNonReadingSseAsync(IPAddress.Loopback, port, "/api/stream/BTC", timeout.Token);
        using var ws = await StreamClients.OpenNonReadingWebSocketAsync(IPAddress.Loopback, port, """{"op":"subscribe","asset":"BTC"}""", timeout.Token);
        await Eventually.Until(() => gate.Open == 2 || gate.DroppedSlow > 0, "both clients to be streaming");

        // The board keeps moving, so there is always more to send than the socket buffers between us can hold.
        var price = 1;
        await Eventually.Until(() =>
        {
            price++;
            foreach (var slot in host.Book.Index.All)
                BookBuilder.SetMarkPrice(host.Book, slot.Instrument.Symbol, price);
            return gate.Open == 0;
        }, "both non-reading clients to be dropped", 60);
        Assert.Equal(2, gate.DroppedSlow);
        // Seen from the clients: the server closed their connections (what they had buffered, then the end).
        await AssertClosedByServerAsync(sse, timeout.Token);
        await AssertClosedByServerAsync(ws, timeout.Token);

        // The server is unharmed: a new stream gets its snapshot.
        using var http = host.Http();
        await using var events = await SseEvents.OpenAsync(http, "/api/stream/BTC", timeout.Token);
        Assert.Equal(1500, (int)(await events.NextAsync(timeout.Token)).Data["total"]!);
    }

    [Fact]
    public async Task The_connection_write_buffer_is_Api_WriteBufferBytes()
    {
        await using (var host = await TrackerApp.StartForApiAsync())
            Assert.Equal(16 * 1024, host.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.MaxWriteBufferSize);
        await using (var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?> { ["Api:WriteBufferBytes"] = "65536" }))
            Assert.Equal(65536, host.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.MaxWriteBufferSize);
    }

    /// <summary>A stream refused with 429, a problem body and Retry-After, naming <paramref name="named"/>.</summary>
    internal static async Task AssertRefusedAsync(HttpClient client, string named, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync("/api/stream/BTC", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        Assert.Equal(429, (int)problem!["status"]!);
        Assert.Contains(named, (string?)problem["detail"], StringComparison.Ordinal);
    }

    internal static async Task AssertWebSocketRefusedAsync(IPAddress local, int port, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        using var invoker = new HttpMessageInvoker(StreamClients.HandlerFrom(local));
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/ws"), invoker, cancellationToken));
        Assert.Equal(HttpStatusCode.TooManyRequests, socket.HttpStatusCode);
    }

    private static async Task AssertClosedByServerAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // An abort with data still unsent is a reset: closed all the same.
        }
    }

    private static CancellationTokenSource Timeout()
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(Patience);
        return source;
    }
}
