using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text.Json;
using OptionsTracker.Book;
using OptionsTracker.Tape;

namespace OptionsTracker.Api;

/// <summary>
/// The Server-Sent Events of a coin's trades, framed once per batch window for every stream client of the coin: each
/// window <see cref="TradeWakeups"/> releases becomes one <see cref="Block"/>, the events of its trades back to back in
/// one array (<c>id: sequence</c>, <c>event: trade</c>, <c>data: json</c>, blank line, per trade), with where each event
/// starts. A client then writes a batch as one copy of a contiguous slice into its response pipe: no serialization, no
/// framing and no per-event write per client, so 100 clients cost 100 copies of the same bytes (docs/performance.md,
/// "Trade tape"). A client with a venue filter copies its trades' events one by one from the same block.
/// Bounded: the oldest blocks are forgotten once a coin's exceed <see cref="MaxBytesPerCoin"/>; a client further behind
/// (or resuming before the first window framed) gets its events from <see cref="TradeItemJson"/>, one by one. Each block
/// holds its trades' objects and a slice is used only when they are the very trades the client read from the tape, so an
/// event is never sent as another trade's. One writer per coin (the coin's wake-up loop), any number of readers.
/// The framed bytes live in arenas of <see cref="ArenaBytes"/> (large-object heap), written once and never reused: every
/// trade's event lives as long as the ring keeps it, so bytes allocated per block would all survive the young
/// generations and be copied by every gen0 and gen1 collection on the way (with the server GC's large young generation,
/// pauses of 40–200 ms in a burst of 10,000 trades a second, docs/performance.md); in an arena they are never copied, and a
/// forgotten arena is reclaimed by a background collection.
/// </summary>
internal sealed class TradeEventBlocks
{
    /// <summary>
    /// Framed bytes kept per coin: at ~0.6 KB an event, ~27,000 trades, several seconds of a 10,000-a-second burst,
    /// far more than a client that keeps up is behind; a client further behind still gets every trade (framed for it).
    /// </summary>
    public const int MaxBytesPerCoin = 16 * 1024 * 1024;

    /// <summary>
    /// One arena: large enough for the large-object heap (never copied by a collection), small beside
    /// <see cref="MaxBytesPerCoin"/> (the last arena's unused rest, and one partly forgotten arena, are all it adds).
    /// </summary>
    internal const int ArenaBytes = 1024 * 1024;

    private static ReadOnlySpan<byte> Head => "id: "u8;
    private static ReadOnlySpan<byte> Middle => "\nevent: trade\ndata: "u8;
    private static ReadOnlySpan<byte> End => "\n\n"u8;

    // Blocks of the coin, oldest first, sequences increasing and contiguous within a block. Replaced whole (copy on
    // write, a few hundred references, once per window) so readers take a snapshot without a lock.
    private Block[] _blocks = [];
    private long _bytes;

    // The framing buffers, reused by the one writer.
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly List<int> _starts = [];
    private readonly List<Trade> _trades = [];
    private byte[] _arena = [];
    private int _arenaUsed;

    /// <summary>
    /// One window's events: <see cref="Trades"/>[i] is sequence <see cref="First"/> + i, its event the bytes of
    /// <see cref="Bytes"/> from <see cref="Starts"/>[i] to [i + 1] (offsets into the arena).
    /// </summary>
    internal sealed class Block(long first, Trade[] trades, byte[] bytes, int[] starts)
    {
        public long First { get; } = first;
        public long Last => First + Trades.Length - 1;
        public Trade[] Trades { get; } = trades;
        public byte[] Bytes { get; } = bytes;
        public int[] Starts { get; } = starts;
        public int Length => Starts[^1] - Starts[0];
    }

    /// <summary>
    /// Frames the trades <paramref name="trades"/> (the tape's, in sequence order, possibly with holes): one block per
    /// contiguous run, published before the caller releases them to the clients. The writer's only.
    /// </summary>
    public void Frame(ReadOnlySpan<Trade> trades)
    {
        var start = 0;
        for (var i = 1; i <= trades.Length; i++)
        {
            if (i == trades.Length || trades[i].Sequence != trades[i - 1].Sequence + 1)
            {
                Publish(Build(trades[start..i]));
                start = i;
            }
        }
    }

    private Block Build(ReadOnlySpan<Trade> trades)
    {
        _buffer.ResetWrittenCount();
        _starts.Clear();
        _trades.Clear();
        using var json = new Utf8JsonWriter(_buffer);
        foreach (var trade in trades)
        {
            _starts.Add(_buffer.WrittenCount);
            _trades.Add(trade);
            _buffer.Write(Head);
            var digits = _buffer.GetSpan(20);
            Utf8Formatter.TryFormat(trade.Sequence, digits, out var written);
            _buffer.Advance(written);
            _buffer.Write(Middle);
            json.Reset(_buffer);
            JsonSerializer.Serialize(json, TradeItem.From(trade), AppJsonContext.Default.TradeItem);
            json.Flush();
            _buffer.Write(End);
        }
        _starts.Add(_buffer.WrittenCount);
        var (arena, offset) = Place(_buffer.WrittenSpan);
        var starts = new int[_starts.Count];
        for (var i = 0; i < starts.Length; i++)
            starts[i] = offset + _starts[i];
        return new Block(trades[0].Sequence, [.. _trades], arena, starts);
    }

    /// <summary>Copies a block's bytes into the current arena (a new one when they do not fit); where they went.</summary>
    private (byte[] Arena, int Offset) Place(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > ArenaBytes)
            return (bytes.ToArray(), 0); // a window larger than an arena: its own array, on the large-object heap too
        if (_arena.Length - _arenaUsed < bytes.Length)
        {
            _arena = GC.AllocateUninitializedArray<byte>(ArenaBytes);
            _arenaUsed = 0;
        }
        var offset = _arenaUsed;
        bytes.CopyTo(_arena.AsSpan(offset));
        _arenaUsed += bytes.Length;
        return (_arena, offset);
    }

    private void Publish(Block block)
    {
        var blocks = Volatile.Read(ref _blocks);
        _bytes += block.Length;
        var drop = 0;
        // Forget the oldest beyond the bound (always keeping the newest block).
        while (_bytes > MaxBytesPerCoin && drop < blocks.Length)
            _bytes -= blocks[drop++].Length;
        var next = new Block[blocks.Length - drop + 1];
        Array.Copy(blocks, drop, next, 0, blocks.Length - drop);
        next[^1] = block;
        Volatile.Write(ref _blocks, next);
    }

    /// <summary>The block holding <paramref name="sequence"/>, or null (not framed, or forgotten).</summary>
    private Block? Find(long sequence)
    {
        var blocks = Volatile.Read(ref _blocks);
        int low = 0, high = blocks.Length - 1;
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var block = blocks[middle];
            if (sequence < block.First)
                high = middle - 1;
            else if (sequence > block.Last)
                low = middle + 1;
            else
                return block;
        }
        return null;
    }

    /// <summary>
    /// Writes the events of <paramref name="trades"/> (a client's batch: consecutive sequences, as the tape gave them)
    /// into <paramref name="body"/>, only those of <paramref name="only"/> when given: slices of the framed blocks where
    /// they hold these very trades, each trade's own event (<see cref="TradeItemJson"/>) where not.
    /// </summary>
    public void Write(PipeWriter body, ReadOnlySpan<Trade> trades, Venue? only)
    {
        var i = 0;
        while (i < trades.Length)
        {
            var trade = trades[i];
            if (Find(trade.Sequence) is { } block)
            {
                var from = (int)(trade.Sequence - block.First);
                var count = Math.Min(trades.Length - i, block.Trades.Length - from);
                // The same trade objects as the client read from the tape (a sequence the tape reused would differ here).
                var same = 0;
                while (same < count && ReferenceEquals(block.Trades[from + same], trades[i + same]))
                    same++;
                if (same > 0)
                {
                    if (only is not { } venue)
                    {
                        body.Write(block.Bytes.AsSpan(block.Starts[from], block.Starts[from + same] - block.Starts[from]));
                    }
                    else
                    {
                        for (var k = from; k < from + same; k++)
                        {
                            if (block.Trades[k].IsOn(venue))
                                body.Write(block.Bytes.AsSpan(block.Starts[k], block.Starts[k + 1] - block.Starts[k]));
                        }
                    }
                    i += same;
                    continue;
                }
            }
            if (trade.IsOn(only))
                body.Write(TradeItemJson.Event(trade));
            i++;
        }
    }
}
