using System.Collections.Concurrent;

namespace OptionsTracker.Measures;

/// <summary>
/// The latest realised (historical) volatility per coin and period, as a fraction (0.52 = 52 %), from Bybit's
/// <c>/v5/market/historical-volatility</c>. Written by the poller (or, on a web instance, from what the collector
/// shared), read by the term structure's <c>hv</c> and <c>vrp</c>. Thread-safe; a value replaced is replaced whole.
/// </summary>
public sealed class RealisedVolatility
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<RealisedVolatilityPoint>> _byCoin = new(StringComparer.OrdinalIgnoreCase);
    private long _version;

    /// <summary>Increases with every <see cref="Set"/>: the analytics cache recomputes when it moves.</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Replaces the coin's latest value per period (one point per period, any order).</summary>
    public void Set(string coin, IReadOnlyList<RealisedVolatilityPoint> latest)
    {
        _byCoin[coin] = [.. latest.OrderBy(p => p.PeriodDays)];
        Interlocked.Increment(ref _version);
    }

    /// <summary>The coin's latest points, by period; empty when none is known.</summary>
    public IReadOnlyList<RealisedVolatilityPoint> Get(string coin) => _byCoin.TryGetValue(coin, out var points) ? points : [];

    /// <summary>
    /// Whether the coin's values were ever set, and they if so: an empty list then says none are served, where
    /// <see cref="Get"/> cannot tell that from not asked yet (the Redis sharing must not erase what another instance wrote).
    /// </summary>
    public bool TryGet(string coin, out IReadOnlyList<RealisedVolatilityPoint> points)
    {
        if (_byCoin.TryGetValue(coin, out var found))
        {
            points = found;
            return true;
        }
        points = [];
        return false;
    }

    /// <summary>The realised volatility over exactly <paramref name="periodDays"/>; NaN when that period is not known.</summary>
    public double At(string coin, double periodDays)
    {
        foreach (var point in Get(coin))
        {
            if (point.PeriodDays == periodDays)
                return point.Value;
        }
        return double.NaN;
    }
}

/// <summary>One realised volatility: over <see cref="PeriodDays"/> days, as a fraction, measured at <see cref="Time"/>.</summary>
public readonly record struct RealisedVolatilityPoint(int PeriodDays, double Value, DateTimeOffset Time);
