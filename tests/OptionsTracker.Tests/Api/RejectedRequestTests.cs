using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// Requests Kestrel rejects while parsing, before any middleware, sent as raw bytes over a socket (no client
/// library would send most of them): each gets its status and an RFC 7807 problem body, and the connection closes.
/// </summary>
public class RejectedRequestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, byte[]> Requests = new()
    {
        ["%00 in the path"] = Ascii("GET /api/options/%00 HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ["raw 0xFF in the query"] = [.. Ascii("GET /api/options/BTC?expiry="), 0xFF, .. Ascii(" HTTP/1.1\r\nHost: localhost\r\n\r\n")],
        ["URI over 8 KB"] = Ascii($"GET /api/options/BTC?expiry={new string('9', 9_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ["garbage request line"] = Ascii("GARBAGE\r\n\r\n"),
        ["header without a colon"] = Ascii("GET /health/live HTTP/1.1\r\nHost: localhost\r\nNoColonHere\r\n\r\n"),
        ["headers over 32 KB"] = Ascii($"GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: {new string('a', 40_000)}\r\n\r\n"),
        ["two Content-Length headers"] = Ascii("POST /api/query HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}"),
        ["unknown HTTP version"] = Ascii("GET /health/live HTTP/1.2\r\nHost: localhost\r\n\r\n"),
    };

    public static TheoryData<string, int> Rejections => new()
    {
        { "%00 in the path", 400 },
        { "raw 0xFF in the query", 400 },
        { "URI over 8 KB", 414 },
        { "garbage request line", 400 },
        { "header without a colon", 400 },
        { "headers over 32 KB", 431 },
        { "two Content-Length headers", 400 },
        { "unknown HTTP version", 505 },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task A_request_the_server_cannot_parse_gets_a_problem_body(string request, int status)
    {
        await using var host = await TrackerApp.StartForApiAsync();

        var response = await SendAsync(host, Requests[request]);

        var (head, body) = Split(response);
        Assert.StartsWith($"HTTP/1.1 {status} ", head, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: application/problem+json\r\n", head, StringComparison.Ordinal);
        Assert.Contains($"\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n", head, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", head, StringComparison.Ordinal);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(status, (int)problem["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["title"]), body);
        Assert.False(string.IsNullOrWhiteSpace((string?)problem["detail"]), body);
    }

    [Fact]
    public async Task A_rejection_after_a_good_request_on_the_same_connection_gets_a_problem_body_and_the_good_one_is_untouched()
    {
        await using var host = await TrackerApp.StartForApiAsync();

        var response = await SendAsync(host, Ascii(
            "GET /api/nothing-here HTTP/1.1\r\nHost: localhost\r\n\r\n" +
            "GET /api/options/%00 HTTP/1.1\r\nHost: localhost\r\n\r\n"));

        Assert.StartsWith("HTTP/1.1 404 ", response, StringComparison.Ordinal);
        var second = response.IndexOf("HTTP/1.1 400 ", StringComparison.Ordinal);
        Assert.True(second > 0, response);
        // The application's own 404 is a problem too, written by the application and left as it was.
        Assert.Contains("application/problem+json", response[..second], StringComparison.Ordinal);
        var (_, body) = Split(response[second..]);
        Assert.Equal(400, (int)JsonNode.Parse(body)!["status"]!);
    }

    [Fact]
    public async Task A_response_without_a_body_from_the_application_is_not_given_one()
    {
        await using var host = await TrackerApp.StartForApiAsync();

        // HEAD: the application answers with headers only and the connection stays open for the next request.
        var response = await SendAsync(host, Ascii(
            "HEAD /api/nothing-here HTTP/1.1\r\nHost: localhost\r\n\r\n" +
            "GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));

        Assert.StartsWith("HTTP/1.1 404 ", response, StringComparison.Ordinal);
        var second = response.IndexOf("HTTP/1.1 200 ", StringComparison.Ordinal);
        Assert.True(second > 0, response);
        Assert.EndsWith("\r\n\r\n", response[..second], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_that_never_finish_get_a_408_problem_body()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        // Kestrel reads this limit for each new connection from the server's own options (30 s by default); it
        // checks it about once a second.
        host.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(1);

        var response = await SendAsync(host, Ascii("GET /health/live HTTP/1.1\r\nHost: localhost\r\n"));

        var (head, body) = Split(response);
        Assert.StartsWith("HTTP/1.1 408 ", head, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: application/problem+json\r\n", head, StringComparison.Ordinal);
        Assert.Equal(408, (int)JsonNode.Parse(body)!["status"]!);
    }

    private static byte[] Ascii(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>Sends the bytes and reads until the server closes the connection (it does after a rejection).</summary>
    private static async Task<string> SendAsync(TrackerApp host, byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host.BaseAddress.Host, host.BaseAddress.Port, Ct);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request, Ct);
        }
        catch (IOException)
        {
            // The server may answer and close before it has read everything (a 32 KB header); the answer is still there to read.
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Eventually.Timeout);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
                received.Write(buffer, 0, read);
        }
        catch (IOException)
        {
            // A reset after the response (unread request bytes) ends the read like a close.
        }
        return Encoding.UTF8.GetString(received.ToArray());
    }

    private static (string Head, string Body) Split(string response)
    {
        var end = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"no response head in: {response}");
        return (response[..(end + 4)], response[(end + 4)..]);
    }
}
