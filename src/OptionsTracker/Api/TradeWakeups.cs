using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Tape;

namespace OptionsTracker.Api;

/// <summary>
/// Wakes the trade streams of a coin (SSE and <c>/ws</c>'s trades channel) at most once per
/// <see cref="ApiOptions.TradeStreamBatchWindow"/>: one loop per coin waits on the tape and, once trades came, lets the
/// window pass and wakes every stream of the coin together, so each takes the whole window's trades in one batch and one
/// flush. Without it a burst appended in many small batches (the feed appends every frame) wakes every client for every
/// frame: 100 clients at 1,000 frames a second is 100,000 wake-ups and socket writes a second for the same trades
/// (docs/performance.md, "Trade tape"). The window bounds the latency it adds. Coins wait here only once a stream asked.
/// Before it wakes them, the loop frames the window's trades as Server-Sent Events once for all of them
/// (<see cref="TradeEventBlocks"/>), so an SSE client's batch is one copy of shared bytes.
/// </summary>
public sealed class TradeWakeups(TradeTape tape, IOptions<ApiOptions> options, TimeProvider time, IHostApplicationLifetime lifetime)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CoinWakeup> _coins = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Completes when the coin has trades after <paramref name="afterSequence"/> that the coin's window released (at once
    /// when it has some already).
    /// </summary>
    public Task WaitAsync(string coin, long afterSequence, CancellationToken cancellationToken)
    {
        var window = options.Value.TradeStreamBatchWindow;
        if (window <= TimeSpan.Zero)
            return tape.WaitAsync(coin, afterSequence, cancellationToken);
        CoinWakeup? wakeup;
        lock (_lock)
        {
            // One loop per coin: started by its first stream, under the lock so two first streams do not start two.
            if (!_coins.TryGetValue(coin, out wakeup))
                _coins[coin] = wakeup = Start(coin);
        }
        var next = wakeup.Signal.NextAsync();
        if (Volatile.Read(ref wakeup.Released) > afterSequence)
            return Task.CompletedTask;
        return next.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The newest sequence of the coin released (and framed) for the streams: a stream reads no further, so the trades
    /// it sends are those its wake-up framed. No limit when the coin has no loop (yet) or the window is off.
    /// </summary>
    internal long Released(string coin)
    {
        if (options.Value.TradeStreamBatchWindow <= TimeSpan.Zero)
            return long.MaxValue;
        CoinWakeup? wakeup;
        lock (_lock)
            wakeup = _coins.GetValueOrDefault(coin);
        return wakeup is null ? long.MaxValue : Volatile.Read(ref wakeup.Released);
    }

    /// <summary>The coin's framed events (null until a stream of the coin waited, or with the window off).</summary>
    internal TradeEventBlocks? Blocks(string coin)
    {
        lock (_lock)
            return _coins.GetValueOrDefault(coin)?.Blocks;
    }

    private CoinWakeup Start(string coin)
    {
        var wakeup = new CoinWakeup { Released = tape.LastSequence(coin) };
        _ = Task.Run(() => RunAsync(coin, wakeup, lifetime.ApplicationStopping));
        return wakeup;
    }

    private async Task RunAsync(string coin, CoinWakeup wakeup, CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await tape.WaitAsync(coin, Volatile.Read(ref wakeup.Released), stopping).ConfigureAwait(false);
                // The first trade of a batch arrived: let the window pass, so what follows within it goes in the same batch.
                await Task.Delay(options.Value.TradeStreamBatchWindow, time, stopping).ConfigureAwait(false);
                Volatile.Write(ref wakeup.Released, Frame(coin, wakeup, tape.LastSequence(coin)));
                wakeup.Signal.Notify();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The host stops.
        }
    }

    /// <summary>
    /// Frames the coin's trades after the last released up to <paramref name="upTo"/> (those the tape still holds) and
    /// returns the sequence to release: <paramref name="upTo"/>.
    /// </summary>
    private long Frame(string coin, CoinWakeup wakeup, long upTo)
    {
        var after = Volatile.Read(ref wakeup.Released);
        while (after < upTo)
        {
            var count = tape.After(coin, after, wakeup.Reading);
            var take = 0;
            while (take < count && wakeup.Reading[take].Sequence <= upTo)
                take++;
            if (take == 0)
                break;
            wakeup.Blocks.Frame(wakeup.Reading.AsSpan(0, take));
            after = wakeup.Reading[take - 1].Sequence;
            Array.Clear(wakeup.Reading); // not kept alive here once the ring forgets them
        }
        return upTo;
    }

    private sealed class CoinWakeup
    {
        public readonly ChangeSignal Signal = new();

        /// <summary>The events of the released trades, framed once for every SSE client of the coin.</summary>
        public readonly TradeEventBlocks Blocks = new();

        /// <summary>The loop's read buffer, reused.</summary>
        public readonly Trade[] Reading = new Trade[1024];

        /// <summary>The newest sequence released to the streams.</summary>
        public long Released;
    }
}
