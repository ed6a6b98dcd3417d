using System.Globalization;
using OptionsTracker.History;

namespace OptionsTracker.Dashboard;

/// <summary>
/// The IV rank beside a coin's button (<see cref="IvRank"/>, one definition with the term endpoint): short on the button,
/// spelt out in its tooltip, and always with the lookback it covers, since a rank over three days says much less than
/// one over a year.
/// </summary>
public static class IvRankText
{
    /// <summary>"IVR 45 · IVP 60 · 12 d": rank and percentile in percent (0 to 100), then the days covered.</summary>
    public static string Brief(IvRank rank) => $"IVR {Percent(rank.Rank)} · IVP {Percent(rank.Percentile)} · {Days(rank.LookbackDays)}";

    /// <summary>The tooltip: what the figures are and over what.</summary>
    public static string Title(IvRank rank, int tenorDays) =>
        $"{tenorDays}-day ATM IV rank {Percent(rank.Rank)} (where today's value sits between the lowest and highest daily value) and percentile "
        + $"{Percent(rank.Percentile)} (the share of days below it), over the {Days(rank.LookbackDays)} recorded ({rank.Days} daily values; "
        + $"the lookback is up to {IvRank.DefaultLookback.TotalDays:0} days)"
        + (rank.Rank is null ? "; no rank while the recorded values are all equal" : "");

    /// <summary>A fraction as a whole percent; a dash when there is none.</summary>
    public static string Percent(double? fraction) =>
        fraction is { } f && double.IsFinite(f) ? Math.Round(f * 100).ToString("0", CultureInfo.InvariantCulture) : Display.Missing;

    /// <summary>Days covered: "12 d", or "&lt;1 d" for a history younger than a day.</summary>
    public static string Days(double days) =>
        days < 1 ? "<1 d" : Math.Floor(days).ToString("0", CultureInfo.InvariantCulture) + " d";
}
