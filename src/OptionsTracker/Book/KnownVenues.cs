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

    /// <summary>
    /// The option <paramref name="symbol"/> on <paramref name="venue"/>, or, without one, on the first venue listing
    /// it: the known venues in their order (the original tool's Bybit first, so its users' requests keep their
    /// meaning when another venue lists the same symbol), then any other venue in the book.
    /// </summary>
    public bool TryFindOption(BookIndex index, Venue? venue, string symbol, out OptionSlot slot)
    {
        if (venue is { } only)
            return index.TryGetSlot(only, symbol, out slot);
        foreach (var each in All)
        {
            if (index.TryGetSlot(each, symbol, out slot))
                return true;
        }
        foreach (var each in index.Venues)
        {
            if (index.TryGetSlot(each, symbol, out slot))
                return true;
        }
        slot = null!;
        return false;
    }
}
