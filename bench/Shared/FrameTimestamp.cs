using System.Buffers.Text;

namespace OptionsTracker.Bench;

/// <summary>
/// Rewrites a recorded frame's envelope <c>"ts":</c> in place. The book ignores an update older than the one it holds,
/// so replaying the same frames again would only measure the stale path; a rising ts keeps every replay a live update.
/// Exchange timestamps are 13-digit milliseconds, so the frame keeps its length.
/// </summary>
public static class FrameTimestamp
{
    private static ReadOnlySpan<byte> Marker => "\"ts\":"u8;

    /// <summary>The offset of the ts digits, or -1.</summary>
    public static int Find(ReadOnlySpan<byte> frame)
    {
        var at = frame.IndexOf(Marker);
        return at < 0 ? -1 : at + Marker.Length;
    }

    public static void Write(Span<byte> frame, int offset, long timestampMs)
    {
        if (!Utf8Formatter.TryFormat(timestampMs, frame.Slice(offset, 13), out var written) || written != 13)
            throw new ArgumentOutOfRangeException(nameof(timestampMs), "a 13-digit millisecond timestamp");
    }
}
