using System.Globalization;

namespace OptionsTracker.Dashboard;

/// <summary>How numbers read on the dashboard. Missing values (NaN) show as a dash, never as zero.</summary>
public static class Display
{
    public const string Missing = "–";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Option prices: more decimals the smaller they are (a SOL option at 0.0123, a BTC one at 1,234.5).</summary>
    public static string Price(double value) => double.IsNaN(value) ? Missing : Math.Abs(value) switch
    {
        >= 1_000 => value.ToString("#,##0.0", Invariant),
        >= 10 => value.ToString("0.00", Invariant),
        >= 1 => value.ToString("0.000", Invariant),
        _ => value.ToString("0.0000", Invariant),
    };

    /// <summary>A bid or ask: Bybit sends an empty side of the book as "0", which reads as a dash, not a price.</summary>
    public static string BookPrice(double value) => value == 0 ? Missing : Price(value);

    public static string Strike(double value) => double.IsNaN(value) ? Missing : value.ToString("#,##0.####", Invariant);

    /// <summary>Delta, gamma, theta, vega: four decimals.</summary>
    public static string Greek(double value) => double.IsNaN(value) ? Missing : value.ToString("0.0000", Invariant);

    /// <summary>IV arrives as a fraction (0.523) and reads as a percentage (52.3 %).</summary>
    public static string Iv(double fraction) => double.IsNaN(fraction) ? Missing : (fraction * 100).ToString("0.0", Invariant) + "%";

    public static string Amount(double value) => double.IsNaN(value) ? Missing : value.ToString("#,##0.##", Invariant);

    public static string Underlying(double value) => double.IsNaN(value) ? Missing : value.ToString("#,##0.00", Invariant);

    /// <summary>DD-MMM-YY, e.g. 26-DEC-25.</summary>
    public static string Expiry(DateTimeOffset expiryUtc) => expiryUtc.UtcDateTime.ToString("dd-MMM-yy", Invariant).ToUpperInvariant();

    public static string Age(TimeSpan? age) => age switch
    {
        null => "no update yet",
        { TotalSeconds: < 1 } => "just now",
        { TotalSeconds: < 120 } a => $"{a.TotalSeconds:0} s ago",
        { TotalMinutes: < 120 } a => $"{a.TotalMinutes:0} min ago",
        var a => $"{a.Value.TotalHours:0} h ago",
    };

    public static string Sign(double value) => double.IsNaN(value) || value == 0 ? "" : value > 0 ? "pos" : "neg";
}
