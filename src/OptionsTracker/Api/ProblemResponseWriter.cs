using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;

namespace OptionsTracker.Api;

/// <summary>
/// One connection's output (see <see cref="RejectedRequestProblems"/>). While a request is in the application it
/// only forwards; otherwise it holds what Kestrel writes until the flush and, when that is a rejection head with
/// an empty body, writes it with a problem body instead.
/// </summary>
/// <remarks>
/// Kestrel's HTTP/1.x output is written by one request at a time (its output producer serialises writes), and
/// <see cref="EnterApplication"/>/<see cref="LeaveApplication"/> happen between writes, so no lock is needed. Held
/// bytes are always forwarded before anything written later, so the order on the wire never changes.
/// </remarks>
internal sealed class ProblemResponseWriter(PipeWriter inner, KestrelServerLimits limits) : PipeWriter
{
    private static ReadOnlySpan<byte> Http1 => "HTTP/1."u8;
    private static ReadOnlySpan<byte> EmptyBody => "\r\nContent-Length: 0\r\n"u8;
    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    private ArrayBufferWriter<byte>? _held;
    private bool _holding;
    private int _requestsInApplication;
    // Set once the connection is seen to speak something other than clear-text HTTP/1.x (HTTP/2, TLS).
    private bool _passThrough;

    public void EnterApplication() => Interlocked.Increment(ref _requestsInApplication);

    public void LeaveApplication() => Interlocked.Decrement(ref _requestsInApplication);

    private bool ShouldHold => !_passThrough && Volatile.Read(ref _requestsInApplication) == 0;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (ShouldHold)
        {
            _holding = true;
            return (_held ??= new ArrayBufferWriter<byte>(512)).GetMemory(sizeHint);
        }
        ForwardHeld(rewrite: false);
        return inner.GetMemory(sizeHint);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        if (ShouldHold)
        {
            _holding = true;
            return (_held ??= new ArrayBufferWriter<byte>(512)).GetSpan(sizeHint);
        }
        ForwardHeld(rewrite: false);
        return inner.GetSpan(sizeHint);
    }

    public override void Advance(int bytes)
    {
        if (_holding)
            _held!.Advance(bytes);
        else
            inner.Advance(bytes);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ForwardHeld(rewrite: true);
        return inner.FlushAsync(cancellationToken);
    }

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (ShouldHold)
            return base.WriteAsync(source, cancellationToken);
        ForwardHeld(rewrite: false);
        return inner.WriteAsync(source, cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        ForwardHeld(rewrite: exception is null);
        inner.Complete(exception);
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        ForwardHeld(rewrite: exception is null);
        return inner.CompleteAsync(exception);
    }

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes + (_held?.WrittenCount ?? 0);

    /// <summary>Writes what is held to the connection, as a problem response when it is a rejection.</summary>
    private void ForwardHeld(bool rewrite)
    {
        _holding = false;
        if (_held is not { WrittenCount: > 0 } held)
            return;
        var bytes = held.WrittenSpan;
        if (!bytes.StartsWith(Http1))
        {
            _passThrough = true;
            inner.Write(bytes);
        }
        else if (rewrite && TryGetRejection(bytes, out var status, out var emptyBodyAt))
        {
            var body = ProblemBody(status);
            inner.Write(bytes[..emptyBodyAt]);
            inner.Write("\r\nContent-Type: application/problem+json\r\nX-Content-Type-Options: nosniff\r\nContent-Length: "u8);
            inner.Write(System.Text.Encoding.ASCII.GetBytes(body.Length.ToString(CultureInfo.InvariantCulture)));
            inner.Write(bytes[(emptyBodyAt + EmptyBody.Length - 2)..]);
            inner.Write(body);
        }
        else
        {
            inner.Write(bytes);
        }
        held.ResetWrittenCount();
    }

    /// <summary>A whole response head with an error status and an empty body, and nothing after it.</summary>
    private static bool TryGetRejection(ReadOnlySpan<byte> bytes, out int status, out int emptyBodyAt)
    {
        status = 0;
        emptyBodyAt = -1;
        // "HTTP/1.1 400 Bad Request\r\n…"
        if (bytes.Length < 12 || bytes[8] != (byte)' '
            || !int.TryParse(bytes.Slice(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out status) || status < 400)
            return false;
        var end = bytes.IndexOf(EndOfHead);
        if (end < 0 || end + EndOfHead.Length != bytes.Length)
            return false;
        emptyBodyAt = bytes[..(end + 2)].IndexOf(EmptyBody);
        return emptyBodyAt >= 0;
    }

    private byte[] ProblemBody(int status)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", TypeOf(status));
            json.WriteString("title", ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Request rejected");
            json.WriteNumber("status", status);
            json.WriteString("detail", Detail(status));
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    // The same references as the application's own problems (ProblemDetails defaults).
    private static string TypeOf(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        408 => "https://tools.ietf.org/html/rfc9110#section-15.5.9",
        411 => "https://tools.ietf.org/html/rfc9110#section-15.5.12",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        414 => "https://tools.ietf.org/html/rfc9110#section-15.5.15",
        431 => "https://tools.ietf.org/html/rfc6585#section-5",
        505 => "https://tools.ietf.org/html/rfc9110#section-15.6.6",
        _ => "about:blank",
    };

    private string Detail(int status) => status switch
    {
        400 => "The server could not read this request, so nothing was processed. Typical causes: a %00 or a byte that is not ASCII in the URL (percent-encode text as UTF-8), a malformed request line, a header line without a colon, or conflicting Content-Length/Transfer-Encoding headers.",
        408 => $"The request headers did not arrive within {limits.RequestHeadersTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.",
        411 => "A request with a body needs a Content-Length or Transfer-Encoding: chunked.",
        413 => $"The request body is larger than the {limits.MaxRequestBodySize?.ToString(CultureInfo.InvariantCulture) ?? "allowed"} bytes this server reads.",
        414 => $"The request line (method, URL and version) is longer than {limits.MaxRequestLineSize.ToString(CultureInfo.InvariantCulture)} bytes; no URL of this server needs that much.",
        431 => $"The request headers exceed {limits.MaxRequestHeadersTotalSize.ToString(CultureInfo.InvariantCulture)} bytes in total or {limits.MaxRequestHeaderCount.ToString(CultureInfo.InvariantCulture)} headers.",
        505 => "This server speaks HTTP/1.0, HTTP/1.1 and HTTP/2.",
        _ => "The server rejected this request before processing it.",
    };
}
