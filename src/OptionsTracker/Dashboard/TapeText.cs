using System.Globalization;
using OptionsTracker.Tape;

namespace OptionsTracker.Dashboard;

/// <summary>How the tape and the flow read: times, USD amounts, the trade's IV against the mark IV.</summary>
public static class TapeText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The trade's time as the tape lists it, UTC to the second ("14:03:27").</summary>
    public static string Time(Trade trade) => trade.Time.UtcDateTime.ToString("HH:mm:ss", Invariant);

    /// <summary>The full instant for a tooltip and a machine ("2026-12-01T14:03:27.412Z").</summary>
    public static string Instant(Trade trade) => trade.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", Invariant);

    /// <summary>
    /// USD, short: 950, 12.3k, 1.25M, 2.1B (a premium, a notional); signed when <paramref name="withSign"/> (net flow);
    /// missing as a dash.
    /// </summary>
    public static string Usd(double value, bool withSign = false)
    {
        if (!double.IsFinite(value))
            return Display.Missing;
        var size = Math.Abs(value);
        var (scaled, suffix) = size >= 1e9 ? (value / 1e9, "B") : size >= 1e6 ? (value / 1e6, "M") : size >= 1e3 ? (value / 1e3, "k") : (value, "");
        var format = Math.Abs(scaled) >= 100 || suffix.Length == 0 ? "0" : Math.Abs(scaled) >= 10 ? "0.0" : "0.00";
        var text = scaled.ToString(withSign ? $"+{format};−{format};0" : $"{format};−{format};0", Invariant);
        return text + suffix;
    }

    /// <summary>A size in contracts: as many decimals as it has, up to four ("25", "0.5", "1.25").</summary>
    public static string Size(double size) => double.IsFinite(size) ? size.ToString("#,0.####", Invariant) : Display.Missing;

    /// <summary>The trade's IV minus the mark IV at the trade, in vol points (fractions in, "+1.2" out); NaN when either is missing.</summary>
    public static double EdgeVolPoints(Trade trade) =>
        double.IsFinite(trade.Iv) && double.IsFinite(trade.MarkIv) && trade.Iv > 0 && trade.MarkIv > 0 ? (trade.Iv - trade.MarkIv) * 100 : double.NaN;

    /// <summary>"over" when the trade's IV is above the mark IV (by at least 0.05 vol point, what one decimal shows), "under" below, "at" between; null without both IVs.</summary>
    public static string? Edge(Trade trade)
    {
        var points = EdgeVolPoints(trade);
        return double.IsNaN(points) ? null : points >= 0.05 ? "over" : points <= -0.05 ? "under" : "at";
    }

    /// <summary>The difference as the cell reads: "+1.2", "−0.8", "0.0"; a dash without both IVs.</summary>
    public static string EdgeText(Trade trade)
    {
        var points = EdgeVolPoints(trade);
        return double.IsNaN(points) ? Display.Missing : points.ToString("+0.0;−0.0;0.0", Invariant);
    }

    /// <summary>The cell's words for a reader and a tooltip: "traded 1.2 vol points over mark (IV 52.3% against 51.1%)".</summary>
    public static string EdgeTitle(Trade trade)
    {
        var points = EdgeVolPoints(trade);
        if (double.IsNaN(points))
            return "no IV or no mark IV for this trade";
        var iv = (trade.Iv * 100).ToString("0.0", Invariant);
        var mark = (trade.MarkIv * 100).ToString("0.0", Invariant);
        var how = Edge(trade) switch
        {
            "over" => $"{Math.Abs(points).ToString("0.0", Invariant)} vol points over mark",
            "under" => $"{Math.Abs(points).ToString("0.0", Invariant)} vol points under mark",
            _ => "at mark",
        };
        var who = trade.Side == TradeSide.Buy ? "bought" : "sold";
        return $"{who} {how} (IV {iv}% against a mark IV of {mark}%)";
    }

    /// <summary>A block's id as a line shows it: its first 8 characters (Bybit's RFQ ids are long), the whole id in the tooltip.</summary>
    public static string ShortBlockId(string? blockId) => blockId is null ? "" : blockId.Length <= 8 ? blockId : blockId[..8] + "…";
}
