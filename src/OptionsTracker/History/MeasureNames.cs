using System.Globalization;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.History;

/// <summary>
/// The names measures are recorded and asked for by (<c>/api/history/{asset}/measures?names=</c>), one definition for
/// the recorder, the store and the API. Three shapes:
/// <list type="bullet">
/// <item>per constant tenor: <c>{kind}_{days}d</c> for <see cref="TenorKinds"/> and the tenors of
/// <see cref="TermStructure.Tenors"/> (<c>atm_iv_30d</c>, <c>rr25_30d</c>, <c>vrp_7d</c>);</item>
/// <item>per expiry: <c>{kind}@{yyyy-MM-dd}</c> for <see cref="ExpiryKinds"/> (<c>atm_iv@2026-12-25</c>);</item>
/// <item>per coin: <see cref="CoinKinds"/> (<c>index_price</c>, <c>total_gex</c>, <c>gex_flip</c>, <c>max_pain</c>).</item>
/// </list>
/// Values in the analytics' units (docs/analytics.md): IVs, RR, BF, HV and VRP as fractions; prices and strikes in USD.
/// <para>
/// Venues: the names above are the figures of every venue combined (<see cref="CoinAnalytics.Combine"/>; with one venue,
/// its own), so a history recorded before a second venue was added reads on unchanged. While a coin is listed by more
/// than one venue each venue's own figures are recorded too, under the same name prefixed with the venue's id and a
/// colon (<c>deribit:atm_iv_30d</c>, <see cref="ForVenue"/>): a name, not a column, so neither store's schema changes.
/// </para>
/// </summary>
public static class MeasureNames
{
    public static IReadOnlyList<string> TenorKinds { get; } = ["atm_iv", "rr25", "bf25", "rr10", "bf10", "hv", "vrp"];

    public static IReadOnlyList<string> ExpiryKinds { get; } =
        ["atm_iv", "rr25", "bf25", "rr10", "bf10", "forward", "max_pain", "pc_oi", "pc_volume"];

    public static IReadOnlyList<string> CoinKinds { get; } = ["index_price", "total_gex", "gex_flip", "max_pain", "pc_oi", "pc_volume"];

    public static string ForTenor(string kind, int days) => string.Create(CultureInfo.InvariantCulture, $"{kind}_{days}d");

    public static string ForExpiry(string kind, DateOnly expiry) =>
        string.Create(CultureInfo.InvariantCulture, $"{kind}@{expiry:yyyy-MM-dd}");

    /// <summary>The name of one venue's own figure of <paramref name="name"/> (<c>deribit:atm_iv_30d</c>).</summary>
    public static string ForVenue(Venue venue, string name) => string.Concat(venue.Id, ":", name);

    /// <summary>
    /// Whether <paramref name="name"/> is a name of one of the three shapes (any tenor in days from 1 to 3650, any
    /// valid date), for the API's 400 on a name that can never have been recorded.
    /// </summary>
    public static bool IsValid(string name)
    {
        // A venue's own figure: a venue id, a colon, then a name of the three shapes.
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
            return Venue.TryParse(name.AsSpan(0, colon), out _) && IsValid(name[(colon + 1)..]) && !name[(colon + 1)..].Contains(':', StringComparison.Ordinal);
        if (CoinKinds.Contains(name))
            return true;
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at > 0)
        {
            return ExpiryKinds.Contains(name[..at]) &&
                DateOnly.TryParseExact(name[(at + 1)..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
        }
        var underscore = name.LastIndexOf('_');
        return underscore > 0 && name.EndsWith('d') && TenorKinds.Contains(name[..underscore]) &&
            int.TryParse(name.AsSpan(underscore + 1, name.Length - underscore - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var days) &&
            days is >= 1 and <= 3650;
    }

    /// <summary>
    /// Appends every measure of one coin's analytics snapshot to <paramref name="into"/>: under the plain names for the
    /// combined figures, under <see cref="ForVenue"/>'s for one venue's own (<see cref="CoinAnalytics.Venue"/> set).
    /// </summary>
    public static void Collect(CoinAnalytics figures, List<RecordedMeasure> into)
    {
        var from = into.Count;
        CollectPlain(figures, into);
        if (figures.Venue is not { } venue)
            return;
        for (var i = from; i < into.Count; i++)
            into[i] = into[i] with { Name = ForVenue(venue, into[i].Name) };
    }

    private static void CollectPlain(CoinAnalytics figures, List<RecordedMeasure> into)
    {
        var coin = figures.Coin;
        foreach (var tenor in figures.Tenors)
        {
            var days = (int)tenor.TenorDays;
            into.Add(new(coin, ForTenor("atm_iv", days), tenor.AtmIv));
            into.Add(new(coin, ForTenor("rr25", days), tenor.Rr25));
            into.Add(new(coin, ForTenor("bf25", days), tenor.Bf25));
            into.Add(new(coin, ForTenor("rr10", days), tenor.Rr10));
            into.Add(new(coin, ForTenor("bf10", days), tenor.Bf10));
            into.Add(new(coin, ForTenor("hv", days), tenor.Hv));
            into.Add(new(coin, ForTenor("vrp", days), tenor.Vrp));
        }
        foreach (var expiry in figures.Expiries)
        {
            var date = expiry.Expiry.Date;
            into.Add(new(coin, ForExpiry("atm_iv", date), expiry.AtmIv));
            into.Add(new(coin, ForExpiry("rr25", date), expiry.Skew25.RiskReversal));
            into.Add(new(coin, ForExpiry("bf25", date), expiry.Skew25.Butterfly));
            into.Add(new(coin, ForExpiry("rr10", date), expiry.Skew10.RiskReversal));
            into.Add(new(coin, ForExpiry("bf10", date), expiry.Skew10.Butterfly));
            into.Add(new(coin, ForExpiry("forward", date), expiry.Forward));
            into.Add(new(coin, ForExpiry("max_pain", date), expiry.MaxPain is { } pain ? (double)pain : double.NaN));
            into.Add(new(coin, ForExpiry("pc_oi", date), expiry.PutCallOi));
            into.Add(new(coin, ForExpiry("pc_volume", date), expiry.PutCallVolume));
        }
        var positioning = figures.Positioning;
        into.Add(new(coin, "index_price", figures.IndexPrice));
        into.Add(new(coin, "total_gex", positioning.TotalGex));
        into.Add(new(coin, "gex_flip", positioning.GexFlip));
        into.Add(new(coin, "max_pain", positioning.MaxPain is { } maxPain ? (double)maxPain : double.NaN));
        into.Add(new(coin, "pc_oi", positioning.PutCall.OiRatio ?? double.NaN));
        into.Add(new(coin, "pc_volume", positioning.PutCall.VolumeRatio ?? double.NaN));
    }
}
