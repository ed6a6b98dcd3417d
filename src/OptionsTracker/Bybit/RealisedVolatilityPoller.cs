using Microsoft.Extensions.Options;
using OptionsTracker.Diagnostics;
using OptionsTracker.Feed;
using OptionsTracker.Measures;

namespace OptionsTracker.Bybit;

/// <summary>
/// Keeps <see cref="RealisedVolatility"/> filled from Bybit's <c>/v5/market/historical-volatility</c>: while this process
/// collects (it holds the collector lease: always in the <c>all</c> role with the embedded store; never on a <c>web</c>
/// instance, where Bybit is not even registered), every enabled coin's latest value for each of Bybit's periods, at once
/// and then every <see cref="AnalyticsOptions.RealisedVolatilityInterval"/>; a coin enabled later is asked at once. With
/// Redis the store shares what lands here with the other instances (Store/SharedRealisedVolatility).
/// <para>
/// One request per coin and period, <see cref="RequestSpacing"/> apart: 16 requests for BTC and ETH once an hour, against
/// Bybit's 600 per 5 s per IP (rate-limit.mdx), and through the client's <see cref="RestGate"/>, so an IP ban pauses them
/// like every other call. A coin whose first period is empty is not served (docs/v5/enum.mdx lists BTC, ETH and SOL):
/// its other periods are not asked, it gets no values and one line says so. A failed fetch (an HTTP fault, a refusal
/// other than 10001, a dead network) keeps the values fetched before, logs one line per coin (then at most every
/// <see cref="LogThrottle.DefaultInterval"/> while it persists) and tries that coin again after
/// <see cref="FirstRetryDelay"/>, doubling up to the interval.
/// </para>
/// </summary>
public sealed class RealisedVolatilityPoller(
    BybitRestClient client,
    RealisedVolatility realised,
    TrackedAssets assets,
    ICollectorLease lease,
    IOptions<AnalyticsOptions> options,
    TimeProvider time,
    ILogger<RealisedVolatilityPoller> logger) : BackgroundService
{
    /// <summary>Bybit's periods in days (docs/v5/enum.mdx, optionPeriod: all eight for BTC and ETH, 7 to 90 for SOL).</summary>
    public static IReadOnlyList<int> Periods { get; } = [7, 14, 21, 30, 60, 90, 180, 270];

    /// <summary>Between two requests of a round: at most 10 a second, a twelfth of Bybit's IP limit.</summary>
    public static readonly TimeSpan RequestSpacing = TimeSpan.FromMilliseconds(100);

    /// <summary>After a failed fetch, the coin is asked again this much later, doubling per failure up to the interval.</summary>
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, CoinState> _coins = new(StringComparer.OrdinalIgnoreCase);
    // Completed when the tracked coins change, so a coin enabled now is asked now rather than at the next round.
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        assets.Changed += OnAssetsChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var held = await lease.AcquireAsync(stoppingToken);
                using var polling = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, held);
                try
                {
                    await PollWhileHeldAsync(polling.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // The lease went to another collector: it polls now. Start over (at once) if it comes back.
                    foreach (var state in _coins.Values)
                        state.Due = DateTimeOffset.MinValue;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
        finally
        {
            assets.Changed -= OnAssetsChanged;
        }
    }

    private void OnAssetsChanged() => Volatile.Read(ref _wake).TrySetResult();

    private async Task PollWhileHeldAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.RealisedVolatilityInterval;
        while (true)
        {
            // Replaced before the coins are read, so a change during the round wakes the next wait.
            var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _wake, wake);
            var first = true;
            var next = DateTimeOffset.MaxValue;
            foreach (var coin in assets.Enabled)
            {
                if (!_coins.TryGetValue(coin, out var state))
                    _coins[coin] = state = new CoinState(new LogThrottle(time, LogThrottle.DefaultInterval));
                if (state.Due <= time.GetUtcNow())
                {
                    var ok = await PollCoinAsync(coin, state, first, interval, cancellationToken);
                    first = false;
                    state.Failures = ok ? 0 : state.Failures + 1;
                    state.Due = time.GetUtcNow() + (ok ? interval : RetryDelay(state.Failures, interval));
                }
                if (state.Due < next)
                    next = state.Due;
            }
            var wait = next == DateTimeOffset.MaxValue ? interval : next - time.GetUtcNow();
            if (wait <= TimeSpan.Zero)
                continue;
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(wake.Task, Task.Delay(wait, time, waiting.Token));
            await waiting.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static TimeSpan RetryDelay(int failures, TimeSpan interval)
    {
        var delay = FirstRetryDelay * Math.Pow(2, Math.Min(failures - 1, 20));
        return delay < interval ? delay : interval;
    }

    /// <summary>Asks every period of one coin; true when Bybit answered each (with values or with none).</summary>
    private async Task<bool> PollCoinAsync(string coin, CoinState state, bool first, TimeSpan interval, CancellationToken cancellationToken)
    {
        var merged = new Dictionary<int, RealisedVolatilityPoint>();
        foreach (var point in realised.Get(coin))
            merged[point.PeriodDays] = point;
        var changed = false;
        try
        {
            foreach (var period in Periods)
            {
                if (!first)
                    await Task.Delay(RequestSpacing, time, cancellationToken);
                first = false;
                var point = await client.GetHistoricalVolatilityAsync(coin, period, cancellationToken);
                if (point is { } value)
                {
                    merged[period] = value;
                    changed = true;
                    continue;
                }
                if (period == Periods[0])
                {
                    // Not served: no values at all, and the other periods are not asked.
                    realised.Set(coin, []);
                    Recovered(coin, state, 0);
                    if (!state.NotServed)
                    {
                        state.NotServed = true;
                        Log.RealisedVolatilityNotServed(logger, coin, period, interval);
                    }
                    return true;
                }
                // A period Bybit does not offer for this coin (SOL has none beyond 90 days): no value for it.
                changed |= merged.Remove(period);
            }
            state.NotServed = false;
            realised.Set(coin, [.. merged.Values]);
            Recovered(coin, state, merged.Count);
            Log.RealisedVolatilityFetched(logger, coin, merged.Count);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // What was fetched before the failure is as good as a full round's; the rest keeps its last values.
            if (changed)
                realised.Set(coin, [.. merged.Values]);
            if (state.Log.ShouldLog(e.GetType().Name))
                Log.RealisedVolatilityFailed(logger, coin, e.Message, merged.Count, RetryDelay(state.Failures + 1, interval));
            return false;
        }
    }

    private void Recovered(string coin, CoinState state, int periods)
    {
        if (state.Log.Recover())
            Log.RealisedVolatilityResumed(logger, coin, periods);
    }

    private sealed class CoinState(LogThrottle log)
    {
        public LogThrottle Log { get; } = log;
        public DateTimeOffset Due { get; set; } = DateTimeOffset.MinValue;
        public int Failures { get; set; }
        public bool NotServed { get; set; }
    }
}
