using System.Net.WebSockets;
using System.Text;
using OptionsTracker.Feed;

namespace OptionsTracker.Tests.Feed;

/// <summary>
/// The venues' shared WebSocket message reader (Feed/WebSocketMessageReader), on .NET's own client WebSocket reading server
/// frames from a stream: whole messages, fragments joined, the buffer grown only for a larger message and capped, the
/// server's close told apart, and nothing allocated per message once the buffer has its size (the ticker path of both
/// venues reads through it).
/// </summary>
public sealed class WebSocketMessageReaderTests
{
    [Fact]
    public async Task Messages_are_read_whole_fragments_joined_and_the_close_told_apart()
    {
        var big = new string('x', 40_000); // larger than the initial buffer: it grows
        using var stream = new MemoryStream(Frames(
            Frame("{\"a\":1}"), Frame("{\"b\":", final: false), Continuation("2}", final: true), Frame(big), Close()));
        using var socket = WebSocket.CreateFromStream(stream, isServer: false, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
        using var reader = new WebSocketMessageReader(16 * 1024, 1024 * 1024);
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal((WebSocketRead.Message, null), await reader.ReceiveAsync(socket, ct));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(reader.Message));
        Assert.Equal((WebSocketRead.Message, null), await reader.ReceiveAsync(socket, ct));
        Assert.Equal("{\"b\":2}", Encoding.UTF8.GetString(reader.Message));
        Assert.Equal((WebSocketRead.Message, null), await reader.ReceiveAsync(socket, ct));
        Assert.Equal(big, Encoding.UTF8.GetString(reader.Message));
        Assert.Equal(WebSocketRead.Closed, (await reader.ReceiveAsync(socket, ct)).Read);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }

    [Fact]
    public async Task A_message_over_the_limit_ends_the_connection_with_a_reason()
    {
        using var stream = new MemoryStream(Frames(Frame(new string('y', 5_000))));
        using var socket = WebSocket.CreateFromStream(stream, isServer: false, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
        using var reader = new WebSocketMessageReader(1024, 4096);

        var (read, reason) = await reader.ReceiveAsync(socket, TestContext.Current.CancellationToken);

        Assert.Equal(WebSocketRead.Ended, read);
        Assert.Equal("a message exceeded 4096 bytes", reason);
    }

    [Fact]
    public async Task Reading_a_message_allocates_nothing()
    {
        // A ticker-sized message (about 800 bytes, as Deribit's and Bybit's are), 2,000 of them per run.
        var payload = "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\"ticker.BTC-27MAR26-100000-C.100ms\",\"data\":{"
            + string.Join(",", Enumerable.Range(0, 30).Select(i => $"\"field_{i}\":{i * 1.25}")) + "}}}";
        const int PerRun = 2_000, Runs = 5;
        using var stream = new MemoryStream(Frames([.. Enumerable.Repeat(Frame(payload), PerRun * (Runs + 1))]));
        using var socket = WebSocket.CreateFromStream(stream, isServer: false, subProtocol: null, keepAliveInterval: TimeSpan.Zero);
        using var reader = new WebSocketMessageReader(16 * 1024, 1024 * 1024);
        var fewest = long.MaxValue;
        var wrong = 0;
        for (var run = 0; run <= Runs; run++)
        {
            // A memory stream answers at once: every read completes synchronously, on this thread, as a busy socket's
            // reads do, so the thread's allocation counter sees all of it. Run 0 warms up (the JIT, the socket's buffers).
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < PerRun; i++)
            {
                var (read, _) = await reader.ReceiveAsync(socket, CancellationToken.None);
                // Counted, not asserted here: the measure is of the reader, not of the assertions.
                if (read != WebSocketRead.Message || reader.Message.Length != payload.Length)
                    wrong++;
            }
            if (run > 0)
                fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Console.WriteLine($"{payload.Length}-byte messages read: {fewest} B allocated per {PerRun}");
        Assert.Equal(0, wrong);
        Assert.Equal(0, fewest);
    }

    private static byte[] Frames(params byte[][] frames) => [.. frames.SelectMany(f => f)];

    private static byte[] Frame(string text, bool final = true) => Header(final ? (byte)0x81 : (byte)0x01, Encoding.UTF8.GetBytes(text));

    private static byte[] Continuation(string text, bool final) => Header(final ? (byte)0x80 : (byte)0x00, Encoding.UTF8.GetBytes(text));

    private static byte[] Close() => Header(0x88, [0x03, 0xE8]); // 1000, normal closure

    /// <summary>An unmasked server frame (RFC 6455 section 5.2).</summary>
    private static byte[] Header(byte first, byte[] payload)
    {
        var header = payload.Length switch
        {
            < 126 => new[] { first, (byte)payload.Length },
            <= ushort.MaxValue => [first, 126, (byte)(payload.Length >> 8), (byte)payload.Length],
            _ => throw new ArgumentOutOfRangeException(nameof(payload)),
        };
        return [.. header, .. payload];
    }
}
