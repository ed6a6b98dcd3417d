using System.Globalization;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Dashboard;

/// <summary>
/// The chain's "Rich/cheap" column and the option detail's smile-fit line: an option's SVI residual (mark IV − the
/// expiry's fitted IV, in vol points; docs/analytics.md, "The smile fit (SVI)"), read from the coin's analytics
/// snapshot, never refitted per render.
/// </summary>
public static class SmileResidual
{
    /// <summary>The column's header tooltip.</summary>
    public const string Explanation =
        "Rich/cheap: mark IV minus the expiry's SVI smile fit at this strike, in vol points. Positive (rich): priced above the smile; negative (cheap): below it.";

    /// <summary>
    /// The residual of each option of <paramref name="expiry"/> in <paramref name="snapshot"/>'s fit, by slot; empty
    /// when the expiry has no fit (fewer than five quoted out-of-the-money options) or no snapshot.
    /// </summary>
    public static Dictionary<OptionSlot, double> Of(CoinAnalytics? snapshot, ExpiryIndex expiry)
    {
        var residuals = new Dictionary<OptionSlot, double>(ReferenceEqualityComparer.Instance);
        if (FitOf(snapshot, expiry.ExpiryUtc) is not { } fit)
            return residuals;
        foreach (var point in fit.Options)
            residuals[point.Slot] = point.Residual;
        return residuals;
    }

    /// <summary>The fit of the expiry delivered at <paramref name="expiryUtc"/> in <paramref name="snapshot"/>; null when none.</summary>
    public static SmileFit? FitOf(CoinAnalytics? snapshot, DateTimeOffset expiryUtc)
    {
        if (snapshot is null)
            return null;
        for (var i = 0; i < snapshot.Expiries.Count; i++)
        {
            if (snapshot.Expiries[i].Expiry.ExpiryUtc == expiryUtc)
                return snapshot.Fits[i];
        }
        return null;
    }

    /// <summary>One decimal with its sign, a true minus for cheap: "+1.2", "−0.8", "0.0"; a dash when missing.</summary>
    public static string Text(double residual)
    {
        if (!double.IsFinite(residual))
            return Display.Missing;
        var rounded = Math.Round(residual, 1, MidpointRounding.AwayFromZero);
        var magnitude = Math.Abs(rounded).ToString("0.0", CultureInfo.InvariantCulture);
        return rounded > 0 ? "+" + magnitude : rounded < 0 ? "\u2212" + magnitude : magnitude;
    }

    /// <summary>The cell's class: <c>rich</c> above the fit, <c>cheap</c> below (shown at 0.1 vol points and more), else none.</summary>
    public static string Tone(double residual) =>
        !double.IsFinite(residual) || Math.Abs(residual) < 0.05 ? "" : residual > 0 ? "rich" : "cheap";

    /// <summary>The detail's line: "Smile fit: +1.2 vol pts rich"; "on the fit" within 0.05 vol points.</summary>
    public static string Sentence(double residual) =>
        !double.IsFinite(residual) ? "Smile fit: " + Display.Missing
        : Tone(residual) is "" ? $"Smile fit: {Text(residual)} vol pts, on the fit"
        : $"Smile fit: {Text(residual)} vol pts {Tone(residual)}";
}
