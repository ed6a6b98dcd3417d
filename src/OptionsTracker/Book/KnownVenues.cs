namespace OptionsTracker.Book;

/// <summary>
/// The venues this deployment serves, in preference order, chosen by the composition root (the book itself knows
/// no venue). Readers validate a <c>venue</c> parameter against it, and where a symbol is asked for without a venue
/// and several venues list it, the first of them in this order answers (Bybit first, so the original tool's requests
/// keep their meaning).
/// </summary>
public sealed class KnownVenues
{
    public KnownVenues(IEnumerable<Venue> venues)
    {
        All = [.. venues.Distinct()];
        if (All.Count == 0 || All.Any(v => v.IsDefault))
            throw new ArgumentException("At least one venue, and no default(Venue).", nameof(venues));
    }

    public IReadOnlyList<Venue> All { get; }
}
