using Microsoft.AspNetCore.Http.HttpResults;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Api;

/// <summary>
/// The <c>venue</c> of the analytics endpoints (term, its stream, strikes, surface, fit, volatility, the summary):
/// absent or <c>all</c> = the figures of every venue combined (<see cref="CoinAnalytics.Combine"/>, docs/analytics.md
/// "Venues"), a venue's id = the figures of its options alone; anything else a 400 naming the venues. The answers say
/// whose figures they are (<c>venue</c>) and which venues' options went into them (<c>venues</c>).
/// </summary>
internal static class AnalyticsVenue
{
    public const string Description = "A venue such as bybit or deribit: the figures of its options alone. Absent or all (default): every venue combined (IV figures from the venue with most OI in each expiry, OI and GEX summed).";

    /// <summary>The venue asked for (null = combined), or the 400 of a venue that is none of the known ones.</summary>
    public static bool TryParse(string? text, BookReader reader, out Venue? venue, out ValidationProblem? problem)
    {
        var errors = new QueryErrors();
        venue = errors.Venue(text, reader.Venues, reader.Book.Index);
        problem = errors.HasErrors ? errors.ToProblem() : null;
        return problem is null;
    }

    /// <summary>An answer's <c>venue</c>: the venue's id, or <c>all</c> for the combined figures.</summary>
    public static string Name(Venue? venue) => venue?.Id ?? "all";

    /// <summary>An answer's <c>venues</c>: those whose options the figures were computed from (none while the coin has no options).</summary>
    public static IReadOnlyList<string> Ids(CoinAnalytics? figures) => figures is null ? [] : [.. figures.Venues.Select(v => v.Id)];

    /// <summary>The venue an expiry's IV figures were read from (<see cref="ExpiryFigures.Smile"/>); null when it lists no option.</summary>
    public static string? IvVenue(in ExpiryFigures figures) => figures.SmileVenue is { IsDefault: false } venue ? venue.Id : null;
}
