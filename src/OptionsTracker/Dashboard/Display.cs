using System.Globalization;

namespace OptionsTracker.Dashboard;

/// <summary>
/// How the dashboard writes what is not a quote (expiry, age, sign); quote numbers read through <see cref="CoinFormat"/>.
/// Missing values show as <see cref="Missing"/>, never as zero.
/// </summary>
public static class Display
{
    public const string Missing = "–";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

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
