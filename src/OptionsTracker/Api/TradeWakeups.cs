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
                Volatile.Write(ref wakeup.Released, tape.LastSequence(coin));
                wakeup.Signal.Notify();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The host stops.
        }
    }

    private sealed class CoinWakeup
    {
        public readonly ChangeSignal Signal = new();

        /// <summary>The newest sequence released to the streams.</summary>
        public long Released;
    }
}
