using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// Stream clients for the abuse tests: raw sockets that ask for a stream and then never read (a tiny receive buffer,
/// so the server's writes stall at once), and ordinary clients bound to a chosen loopback address, so one test can
/// be many client addresses (Linux routes all of 127.0.0.0/8 to the loopback interface).
/// </summary>
internal static partial class StreamClients
{
    /// <summary>The <paramref name="n"/>-th client address: 127.0.0.2, 127.0.0.3, …</summary>
    public static IPAddress Address(int n) => new([127, 0, (byte)((n + 2) / 256), (byte)((n + 2) % 256)]);

    /// <summary>Connects from <paramref name="local"/>, asks for <paramref name="path"/> as Server-Sent Events, and never reads.</summary>
    public static async Task<Socket> OpenNonReadingSseAsync(IPAddress local, int port, string path, CancellationToken cancellationToken)
    {
        var socket = await ConnectAsync(local, port, cancellationToken);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"), cancellationToken);
        return socket;
    }

    /// <summary>Connects from <paramref name="local"/>, upgrades to a WebSocket at /ws, sends <paramref name="message"/>, and never reads.</summary>
    public static async Task<Socket> OpenNonReadingWebSocketAsync(IPAddress local, int port, string message, CancellationToken cancellationToken)
    {
        var socket = await ConnectAsync(local, port, cancellationToken);
        var upgrade = $"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        // The server reads the frame after the upgrade; it need not wait for our (unread) 101.
        byte[] request = [.. Encoding.ASCII.GetBytes(upgrade), .. MaskedTextFrame(message)];
        await socket.SendAsync(request, cancellationToken);
        return socket;
    }

    /// <summary>An HTTP client whose connections come from <paramref name="local"/>.</summary>
    public static HttpClient HttpFrom(IPAddress local, Uri baseAddress) =>
        new(HandlerFrom(local)) { BaseAddress = baseAddress, Timeout = Eventually.Timeout };

    /// <summary>A handler whose connections come from <paramref name="local"/> (also for <see cref="ClientWebSocket"/>).</summary>
    public static SocketsHttpHandler HandlerFrom(IPAddress local) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>The server's stream figures from <c>/metrics</c>: open streams, refused, dropped as too slow.</summary>
    public static async Task<(int Open, long Refused, long DroppedSlow, long DroppedPolicy)> MetricsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var text = await http.GetStringAsync("/metrics", cancellationToken);
        return ((int)Value(text, "optionstracker_stream_clients"), (long)Value(text, "optionstracker_stream_clients_refused_total"),
            (long)Value(text, "optionstracker_stream_clients_dropped_total{reason=\"slow\"}"), (long)Value(text, "optionstracker_stream_clients_dropped_total{reason=\"policy\"}"));
    }

    private static double Value(string metrics, string series)
    {
        var match = Regex.Match(metrics, "^" + Regex.Escape(series) + " (\\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    private static async Task<Socket> ConnectAsync(IPAddress local, int port, CancellationToken cancellationToken)
    {
        // The receive buffer is set before connecting, so the window the server sees is small from the start.
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        try
        {
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static byte[] MaskedTextFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        if (payload.Length > 125)
            throw new ArgumentException("short messages only", nameof(text));
        var mask = new byte[] { 0x12, 0x34, 0x56, 0x78 };
        var frame = new byte[2 + 4 + payload.Length];
        frame[0] = 0x81; // FIN, text
        frame[1] = (byte)(0x80 | payload.Length); // a client's frames are masked
        mask.CopyTo(frame, 2);
        for (var i = 0; i < payload.Length; i++)
            frame[6 + i] = (byte)(payload[i] ^ mask[i % 4]);
        return frame;
    }
}
