namespace OptionsTracker.Measures;

/// <summary>
/// Gatheral's raw SVI slice in total variance (docs/analytics.md, "The smile fit (SVI)"):
/// <c>w(k) = a + b(ρ(k − m) + √((k − m)² + σ²))</c>, with <c>k = ln(K/F)</c> and <c>w = iv²·T</c> (T in years, ACT/365).
/// <paramref name="A"/> is in total variance (years × IV fraction²), <paramref name="B"/> in total variance per unit of
/// k, <paramref name="Rho"/> without unit, <paramref name="M"/> and <paramref name="Sigma"/> in log-moneyness.
/// </summary>
public readonly record struct SviParameters(double A, double B, double Rho, double M, double Sigma)
{
    /// <summary>The total variance at log-moneyness <paramref name="k"/>.</summary>
    public double TotalVariance(double k)
    {
        var x = k - M;
        return A + (B * ((Rho * x) + Math.Sqrt((x * x) + (Sigma * Sigma))));
    }

    /// <summary>The IV (fraction) at <paramref name="k"/> for <paramref name="years"/> to expiry; NaN where the variance is not positive.</summary>
    public double ImpliedVol(double k, double years)
    {
        var w = TotalVariance(k);
        return w > 0 && years > 0 ? Math.Sqrt(w / years) : double.NaN;
    }

    /// <summary>
    /// Gatheral's butterfly density condition at <paramref name="k"/>:
    /// <c>g(k) = (1 − k·w′/(2w))² − (w′²/4)(1/w + 1/4) + w″/2</c>; the slice is free of butterfly arbitrage where g ≥ 0
    /// (and w &gt; 0). NaN where w ≤ 0.
    /// </summary>
    public double Density(double k)
    {
        var x = k - M;
        var root = Math.Sqrt((x * x) + (Sigma * Sigma));
        var w = A + (B * ((Rho * x) + root));
        if (!(w > 0))
            return double.NaN;
        var w1 = B * (Rho + (x / root));
        var w2 = B * Sigma * Sigma / (root * root * root);
        var first = 1 - (k * w1 / (2 * w));
        return (first * first) - (w1 * w1 / 4 * ((1 / w) + 0.25)) + (w2 / 2);
    }

    /// <summary>
    /// Whether the parameters satisfy the fit's constraints: b ≥ 0, |ρ| &lt; 1, σ &gt; 0 and a minimum total variance
    /// <c>a + b·σ·√(1 − ρ²)</c> not below 0.
    /// </summary>
    public bool IsAdmissible =>
        B >= 0 && Math.Abs(Rho) < 1 && Sigma > 0 && A + (B * Sigma * Math.Sqrt(1 - (Rho * Rho))) >= 0
        && double.IsFinite(A) && double.IsFinite(B) && double.IsFinite(M) && double.IsFinite(Sigma);
}
