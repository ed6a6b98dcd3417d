namespace OptionsTracker.Strategies;

/// <summary>
/// One expiry's mark IVs by log-moneyness ln(K/F), for revaluing a leg "sticky delta": when the forward moves, the leg
/// takes the IV its moneyness has on today's smile. Linear between points, flat beyond the ends.
/// </summary>
public sealed class ExpirySmile
{
    public static ExpirySmile Empty { get; } = new([], []);

    private readonly double[] _logMoneyness;
    private readonly double[] _iv;

    private ExpirySmile(double[] logMoneyness, double[] iv)
    {
        _logMoneyness = logMoneyness;
        _iv = iv;
    }

    public bool IsEmpty => _iv.Length == 0;

    /// <summary>A smile from strikes and mark IVs of one expiry on its forward; points without a positive IV are left out.</summary>
    public static ExpirySmile Of(double forward, IEnumerable<(double Strike, double Iv)> points)
    {
        if (!(forward > 0))
            return Empty;
        var kept = points
            .Where(p => p.Strike > 0 && p.Iv > 0 && double.IsFinite(p.Iv))
            .Select(p => (X: Math.Log(p.Strike / forward), p.Iv))
            .OrderBy(p => p.X)
            .ToArray();
        return kept.Length == 0 ? Empty : new ExpirySmile([.. kept.Select(p => p.X)], [.. kept.Select(p => p.Iv)]);
    }

    /// <summary>The IV at log-moneyness <paramref name="x"/>; NaN for an empty smile.</summary>
    public double IvAt(double x)
    {
        if (_iv.Length == 0 || double.IsNaN(x))
            return double.NaN;
        if (x <= _logMoneyness[0])
            return _iv[0];
        if (x >= _logMoneyness[^1])
            return _iv[^1];
        var upper = Array.BinarySearch(_logMoneyness, x);
        if (upper >= 0)
            return _iv[upper];
        upper = ~upper;
        var lower = upper - 1;
        var weight = (x - _logMoneyness[lower]) / (_logMoneyness[upper] - _logMoneyness[lower]);
        return _iv[lower] + weight * (_iv[upper] - _iv[lower]);
    }
}
