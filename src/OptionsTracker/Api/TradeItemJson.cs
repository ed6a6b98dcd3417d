using System.Runtime.CompilerServices;
using System.Text.Json;
using OptionsTracker.Tape;

namespace OptionsTracker.Api;

/// <summary>
/// The JSON of a trade's API item (<see cref="TradeItem"/>), made once per trade and shared by every stream client that
/// sends it: 100 SSE clients following one coin cost one serialization a trade, not 100 (docs/performance.md, "Trade
/// tape"). A small ring keyed by the trade's identity (the tape hands every reader the same <see cref="Trade"/> object);
/// a trade pushed out of its slot by another is serialized again, never sent as another's JSON. Lock-free: two clients
/// racing on a new trade may both serialize it, and either copy is the same bytes.
/// </summary>
internal static class TradeItemJson
{
    // A power of two, well above the trades a burst puts on the tape between two reads of its slowest client.
    private const int Slots = 16_384;

    private static readonly Entry?[] Ring = new Entry?[Slots];

    private sealed record Entry(Trade Trade, byte[] Json);

    /// <summary>The item's compact JSON (UTF-8, no line breaks, so it fits one SSE <c>data:</c> line).</summary>
    public static byte[] Of(Trade trade)
    {
        ref var slot = ref Ring[RuntimeHelpers.GetHashCode(trade) & (Slots - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && ReferenceEquals(entry.Trade, trade))
            return entry.Json;
        var json = JsonSerializer.SerializeToUtf8Bytes(TradeItem.From(trade), AppJsonContext.Default.TradeItem);
        Volatile.Write(ref slot, new Entry(trade, json));
        return json;
    }
}
