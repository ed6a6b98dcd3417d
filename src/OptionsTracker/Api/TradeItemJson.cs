using System.Buffers.Text;
using System.Text.Json;
using OptionsTracker.Tape;

namespace OptionsTracker.Api;

/// <summary>
/// The JSON of a trade's API item (<see cref="TradeItem"/>) and its whole Server-Sent Event (<c>id: sequence</c>,
/// <c>event: trade</c>, <c>data: json</c>, blank line), made once per trade and shared by every stream client that sends
/// it: 100 SSE clients following one coin cost one serialization and one framing a trade, not 100, and a delivery is one
/// copy into the client's pipe (docs/performance.md, "Trade tape"). A small ring indexed by the trade's sequence, checked by its identity (the tape
/// hands every reader the same <see cref="Trade"/> object, with its sequence); a trade pushed out of its slot by another
/// is made again, never sent as another's. Lock-free: two clients racing on a new trade may both make it, and either copy
/// is the same bytes.
/// </summary>
internal static class TradeItemJson
{
    // A power of two, well above the trades a burst puts on the tape between two reads of its slowest client.
    private const int Slots = 16_384;

    private static readonly Entry?[] Ring = new Entry?[Slots];

    private static ReadOnlySpan<byte> Head => "id: "u8;
    private static ReadOnlySpan<byte> Middle => "\nevent: trade\ndata: "u8;
    private static ReadOnlySpan<byte> End => "\n\n"u8;

    /// <summary>The event's bytes, and where the item's JSON is among them.</summary>
    private sealed record Entry(Trade Trade, byte[] Event, int JsonStart, int JsonLength);

    /// <summary>The item's compact JSON (UTF-8, no line breaks, so it fits one SSE <c>data:</c> line).</summary>
    public static ReadOnlySpan<byte> Of(Trade trade)
    {
        var entry = EntryOf(trade);
        return entry.Event.AsSpan(entry.JsonStart, entry.JsonLength);
    }

    /// <summary>The trade's whole SSE event: <c>id: {sequence}\nevent: trade\ndata: {json}\n\n</c>.</summary>
    public static ReadOnlySpan<byte> Event(Trade trade) => EntryOf(trade).Event;

    private static Entry EntryOf(Trade trade)
    {
        // By sequence: the trades a burst puts on a coin's tape take consecutive slots, so none pushes out another within
        // the last 16,384 (by object hash, clients a few thousand trades apart kept pushing each other's out, and each
        // push made the trade's JSON again).
        ref var slot = ref Ring[(int)(trade.Sequence & (Slots - 1))];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && ReferenceEquals(entry.Trade, trade))
            return entry;
        var json = JsonSerializer.SerializeToUtf8Bytes(TradeItem.From(trade), AppJsonContext.Default.TradeItem);
        Span<byte> sequence = stackalloc byte[20];
        Utf8Formatter.TryFormat(trade.Sequence, sequence, out var digits);
        var framed = new byte[Head.Length + digits + Middle.Length + json.Length + End.Length];
        var at = 0;
        Head.CopyTo(framed);
        at += Head.Length;
        sequence[..digits].CopyTo(framed.AsSpan(at));
        at += digits;
        Middle.CopyTo(framed.AsSpan(at));
        at += Middle.Length;
        var jsonStart = at;
        json.CopyTo(framed.AsSpan(at));
        at += json.Length;
        End.CopyTo(framed.AsSpan(at));
        entry = new Entry(trade, framed, jsonStart, json.Length);
        Volatile.Write(ref slot, entry);
        return entry;
    }
}
