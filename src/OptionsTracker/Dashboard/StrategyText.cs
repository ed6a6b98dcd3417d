using System.Globalization;
using OptionsTracker.Strategies;

namespace OptionsTracker.Dashboard;

/// <summary>How the strategy builder writes its figures: USD with a sign, Greeks, a premium as debit or credit.</summary>
public static class StrategyText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>USD to the cent below 10,000, to the dollar above; a true minus sign; missing as a dash.</summary>
    public static string Usd(double value) => !double.IsFinite(value) ? Display.Missing
        : value.ToString(Math.Abs(value) >= 10_000 ? "#,0;−#,0;0" : "#,0.00;−#,0.00;0.00", Invariant);

    /// <summary>A net premium: what is paid (debit) or received (credit).</summary>
    public static string Premium(StrategyEntry entry) => !double.IsFinite(entry.Premium) ? Display.Missing
        : entry.Premium > 0 ? $"{Usd(entry.Premium)} debit"
        : entry.Premium < 0 ? $"{Usd(-entry.Premium)} credit"
        : "0.00";

    /// <summary>The largest profit or loss at the first expiry; <c>unbounded</c> when it has no limit.</summary>
    public static string Extreme(double? value) => value is { } v ? Usd(v) : "unbounded";

    public static string Greek(double value, string format) => double.IsFinite(value) ? value.ToString(format, Invariant).Replace('-', '−') : Display.Missing;

    public static string Quantity(double quantity) => quantity.ToString("0.####", Invariant);

    /// <summary>A P&amp;L in a grid cell: short (12.3k), signed.</summary>
    public static string Cell(double value) => TapeText.Usd(value, withSign: true);

    public static string Percent(double fraction) => double.IsFinite(fraction) ? (fraction * 100).ToString("0.0", Invariant) + "%" : Display.Missing;

    /// <summary>
    /// A grid cell's background: green for a profit, red for a loss, stronger with the size against the grid's largest
    /// (the text says the figure; colour only helps the eye).
    /// </summary>
    public static string Heat(double value, double scale)
    {
        if (!double.IsFinite(value) || !(scale > 0) || value == 0)
            return "";
        var strength = Math.Clamp(Math.Abs(value) / scale, 0, 1);
        var alpha = (0.08 + 0.5 * strength).ToString("0.00", Invariant);
        return value > 0 ? $"background-color: rgba(46, 160, 67, {alpha})" : $"background-color: rgba(248, 81, 73, {alpha})";
    }
}
