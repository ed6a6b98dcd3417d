using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Feed;

/// <summary>
/// What a venue serves of the past, for the history's backfill on first start (issue 16): its realised volatility over a
/// range, and its settlement history. Beside <see cref="IVenue"/> rather than in it, so a venue that serves no history
/// (most do not) implements nothing; registered by the venue's folder, found by the history as
/// <c>IEnumerable&lt;IVenueHistory&gt;</c>, so the history names no exchange. One request per call: the caller walks the
/// windows (<see cref="RealisedVolatilityWindow"/>) and paces them (<see cref="RequestSpacing"/>); the venue's own gate
/// (its ban handling) applies to every call as to any other.
/// </summary>
public interface IVenueHistory
{
    Venue Venue { get; }

    /// <summary>The periods (days) the venue measures realised volatility over.</summary>
    IReadOnlyList<int> RealisedVolatilityPeriods { get; }

    /// <summary>How far back the venue serves realised volatility.</summary>
    TimeSpan RealisedVolatilityDepth { get; }

    /// <summary>The longest span one request may cover (both ends included).</summary>
    TimeSpan RealisedVolatilityWindow { get; }

    /// <summary>The least time between two requests of a backfill, well under the venue's rate limit.</summary>
    TimeSpan RequestSpacing { get; }

    /// <summary>
    /// The coin's realised volatility over <paramref name="periodDays"/> measured in [<paramref name="from"/>,
    /// <paramref name="to"/>] (at most <see cref="RealisedVolatilityWindow"/> apart), oldest first; null when the venue
    /// serves none for that coin and period. Throws on a fault (HTTP, refusal), for the caller to retry later.
    /// </summary>
    Task<IReadOnlyList<RealisedVolatilityPoint>?> RealisedVolatilityAsync(
        string coin, int periodDays, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The coin's most recent settlements the venue publishes (one price per delivery time), any order.</summary>
    Task<IReadOnlyList<VenueSettlement>> SettlementsAsync(string coin, CancellationToken cancellationToken);
}

/// <summary>One delivery of a coin's options: every option delivered at <see cref="DeliveryTime"/> settles at <see cref="Price"/>.</summary>
public readonly record struct VenueSettlement(DateTimeOffset DeliveryTime, double Price);
