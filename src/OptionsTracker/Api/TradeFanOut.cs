using System.Buffers;
using System.IO.Pipelines;

namespace OptionsTracker.Api;

/// <summary>
/// The Server-Sent Events streams of a coin that are caught up, written by the coin's wake-up loop itself: each window it
/// releases, the loop copies the window's framed events (<see cref="TradeEventBlocks"/>) into every parked stream's
/// response pipe and flushes it, one stream after another on its own thread. A stream that keeps up therefore costs one
/// copy and one flush per window, and nothing else: no wake-up of its own loop (a thread-pool hop), no read of the tape
/// under its lock, no timers for the keep-alive and the send deadline (docs/performance.md, "Trade tape": at 100 clients
/// that per-window work was most of the server's CPU beside the sending itself).
/// A stream goes back to its own loop (<see cref="TradeStreamApi"/>) whenever anything is not plain: its flush did not
/// complete at once (the client is not taking the bytes: its loop awaits it under the send timeout), it is not exactly
/// at the window's start, the window's events are not one block, or the stream wants the keep-alive or leaves.
/// </summary>
internal sealed class TradeFanOut
{
    private readonly Lock _lock = new();

    // Replaced whole under the lock (copy on write), so the coin's loop walks a snapshot without it.
    private ParkedStream[] _parked = [];

    public int Count => Volatile.Read(ref _parked).Length;

    /// <summary>Adds a stream that has just parked (<see cref="ParkedStream.Park"/>).</summary>
    public void Add(ParkedStream stream)
    {
        lock (_lock)
            _parked = [.. _parked, stream];
    }

    public void Remove(ParkedStream stream)
    {
        lock (_lock)
        {
            var at = Array.IndexOf(_parked, stream);
            if (at < 0)
                return;
            var next = new ParkedStream[_parked.Length - 1];
            Array.Copy(_parked, 0, next, 0, at);
            Array.Copy(_parked, at + 1, next, at, _parked.Length - at - 1);
            _parked = next;
        }
    }

    /// <summary>
    /// The coin's loop, after it framed and released the sequences after <paramref name="after"/> up to
    /// <paramref name="upTo"/>: writes them to every parked stream that stands at <paramref name="after"/>, hands the others
    /// back to their loops.
    /// </summary>
    public void Deliver(long after, long upTo, TradeEventBlocks blocks)
    {
        var parked = Volatile.Read(ref _parked);
        if (parked.Length == 0 || upTo <= after)
            return;
        var events = blocks.Range(after, upTo);
        foreach (var stream in parked)
        {
            if (!stream.TryBeginWrite())
                continue; // its own loop took it back just now
            if (events.IsEmpty || stream.Position != after)
            {
                // Not plain: its own loop reads the tape from where it stands (a gap, a hole, a window not in one block).
                HandBack(stream, pendingFlush: null);
                continue;
            }
            Write(stream, events.Span, upTo, upTo - after);
        }
    }

    private void Write(ParkedStream stream, ReadOnlySpan<byte> events, long upTo, long count)
    {
        FlushResult flushed = default;
        Task<FlushResult>? pending = null;
        try
        {
            var target = stream.Body.GetSpan(events.Length);
            if (target.Length >= events.Length)
            {
                events.CopyTo(target);
                stream.Body.Advance(events.Length);
            }
            else
            {
                stream.Body.Write(events);
            }
            var flush = stream.Body.FlushAsync();
            if (flush.IsCompletedSuccessfully)
                flushed = flush.Result;
            else
                pending = flush.AsTask();
        }
        catch (Exception e)
        {
            // Whatever one stream's pipe throws (the response ended under us: the client left, the connection aborted) is
            // that stream's, not the coin loop's, which writes every other stream: its own loop gets it and ends.
            HandBack(stream, Task.FromException<FlushResult>(e is OperationCanceledException or InvalidOperationException or ObjectDisposedException
                ? new IOException("The stream client's connection closed.", e)
                : e));
            return;
        }
        stream.Delivered(upTo, count);
        if (pending is null && !flushed.IsCompleted && !flushed.IsCanceled)
        {
            stream.EndWrite();
            return;
        }
        // The client is not taking the bytes as fast (or left): its own loop awaits the flush under the send timeout.
        HandBack(stream, pending ?? Task.FromResult(flushed));
    }

    private void HandBack(ParkedStream stream, Task<FlushResult>? pendingFlush)
    {
        Remove(stream);
        stream.HandBack(pendingFlush);
    }
}

/// <summary>
/// One SSE stream while parked in its coin's <see cref="TradeFanOut"/>: its response pipe, the sequence it stands at, and
/// who may write to it. States: running (its own loop owns the pipe), parked (the coin's loop may take it), writing (the
/// coin's loop is writing it, for microseconds). Its loop awaits <see cref="Park"/>'s task, which completes when the coin's
/// loop hands it back (with the flush still pending, if any); the loop may take it back itself (<see cref="TryTakeBack"/>).
/// </summary>
internal sealed class ParkedStream(PipeWriter body)
{
    private const int Running = 0;
    private const int Parked = 1;
    private const int Writing = 2;

    private int _state;
    private TaskCompletionSource<Task<FlushResult>?>? _handBack;
    private long _position;
    private long _delivered;

    public PipeWriter Body { get; } = body;

    /// <summary>The sequence of the last trade written to the stream (by either loop).</summary>
    public long Position => Volatile.Read(ref _position);

    /// <summary>Trades the coin's loop wrote to this stream, in all.</summary>
    public long DeliveredCount => Volatile.Read(ref _delivered);

    /// <summary>
    /// The stream's loop parks it at <paramref name="position"/> (then adds it to the fan-out). The task completes when the
    /// coin's loop hands it back: with the flush it left pending (await it under the send timeout), or null.
    /// </summary>
    public Task<Task<FlushResult>?> Park(long position)
    {
        Volatile.Write(ref _position, position);
        var handBack = new TaskCompletionSource<Task<FlushResult>?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _handBack = handBack;
        Volatile.Write(ref _state, Parked);
        return handBack.Task;
    }

    /// <summary>
    /// The stream's loop takes the pipe back (keep-alive, the client left, it is behind): true when it has it; false when
    /// the coin's loop has it (writing, or handed back already): then <see cref="Park"/>'s task completes soon or has.
    /// </summary>
    public bool TryTakeBack() => Interlocked.CompareExchange(ref _state, Running, Parked) == Parked;

    internal bool TryBeginWrite() => Interlocked.CompareExchange(ref _state, Writing, Parked) == Parked;

    internal void Delivered(long position, long count)
    {
        Volatile.Write(ref _position, position);
        Volatile.Write(ref _delivered, _delivered + count);
    }

    internal void EndWrite() => Volatile.Write(ref _state, Parked);

    internal void HandBack(Task<FlushResult>? pendingFlush)
    {
        Volatile.Write(ref _state, Running);
        _handBack!.TrySetResult(pendingFlush);
    }
}
