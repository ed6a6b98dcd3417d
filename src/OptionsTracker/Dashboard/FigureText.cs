using System.Globalization;

namespace OptionsTracker.Dashboard;

/// <summary>How the figures around the chain read (not quote cells, which go through <see cref="CoinFormat"/>).</summary>
public static class FigureText
{
    /// <summary>
    /// Days to expiry as a tab shows it: whole days ("17D"), the hours left on the last day ("5H", "&lt;1H"), and "0D"
    /// once the delivery instant is past (Bybit lists an option until it is delivered).
    /// </summary>
    public static string DaysToExpiry(double days) => days switch
    {
        double.NaN => Display.Missing,
        >= 1 => Math.Floor(days).ToString("0", CultureInfo.InvariantCulture) + "D",
        > 0 when days * 24 >= 1 => Math.Floor(days * 24).ToString("0", CultureInfo.InvariantCulture) + "H",
        > 0 => "<1H",
        _ => "0D",
    };

    /// <summary>The same, spelt out for a tooltip: "17 d 4 h", "5 h 12 min".</summary>
    public static string TimeToExpiry(double days)
    {
        if (double.IsNaN(days))
            return Display.Missing;
        if (days <= 0)
            return "expired, awaiting delivery";
        var left = TimeSpan.FromDays(days);
        return left.TotalDays >= 1
            ? $"{(int)left.TotalDays} d {left.Hours} h"
            : $"{left.Hours} h {left.Minutes} min";
    }

    /// <summary>A put/call ratio, two decimals; missing (no calls) as a dash.</summary>
    public static string Ratio(double? ratio) => ratio is { } r && double.IsFinite(r) ? r.ToString("0.00", CultureInfo.InvariantCulture) : Display.Missing;

    /// <summary>
    /// A spread of IVs (risk reversal, butterfly, volatility risk premium), a fraction, as signed vol points with one
    /// decimal: 0.023 reads "+2.3", -0.015 "-1.5"; missing as a dash.
    /// </summary>
    public static string VolPoints(double fraction) =>
        double.IsFinite(fraction) ? (fraction * 100).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) : Display.Missing;
}
