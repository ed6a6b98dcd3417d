using System.Collections.Frozen;

namespace OptionsTracker.Book;

/// <summary>
/// An immutable view of which options the book holds, rebuilt whenever instruments are listed or delivered
/// (rare) and swapped in whole, so readers and the feed look up slots without locks.
/// </summary>
public sealed class BookIndex
{
    public static readonly BookIndex Empty = new(0, []);

    // One symbol map per venue, found by a scan of this short array (a venue or four): the feed's lookup hashes only
    // the symbol, as a span, so a frame finds its slot without a string and without building a composite key.
    private readonly VenueSymbols[] _byVenue;
    private readonly FrozenDictionary<string, CoinIndex> _byCoin;

    public BookIndex(long version, IEnumerable<OptionSlot> slots)
    {
        Version = version;
        var ordered = slots
            .OrderBy(s => s.Instrument.BaseCoin, StringComparer.Ordinal)
            .ThenBy(s => s.Instrument.ExpiryUtc)
            .ThenBy(s => s.Instrument.Strike)
            .ThenBy(s => s.Instrument.Type)
            .ThenBy(s => s.Instrument.Venue.Id, StringComparer.Ordinal)
            .ToArray();
        All = ordered;
        _byVenue = [.. ordered
            .GroupBy(s => s.Instrument.Venue)
            .OrderBy(g => g.Key.Id, StringComparer.Ordinal)
            .Select(g => new VenueSymbols(g.Key, g.ToFrozenDictionary(s => s.Instrument.Symbol, StringComparer.Ordinal)))];
        Venues = [.. _byVenue.Select(v => v.Venue)];
        _byCoin = ordered
            .GroupBy(s => s.Instrument.BaseCoin, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => new CoinIndex(g.Key, [.. g]), StringComparer.OrdinalIgnoreCase);
        Coins = [.. _byCoin.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>Increases with every change of the instrument set.</summary>
    public long Version { get; }

    /// <summary>Every slot, ordered by coin, expiry, strike, type.</summary>
    public IReadOnlyList<OptionSlot> All { get; }

    /// <summary>Base coins with at least one option, in ordinal order.</summary>
    public IReadOnlyList<string> Coins { get; }

    /// <summary>Venues with at least one option, in ordinal order of their ids.</summary>
    public IReadOnlyList<Venue> Venues { get; }

    public int Count => All.Count;

    public bool TryGetSlot(InstrumentKey key, out OptionSlot slot) => TryGetSlot(key.Venue, key.Symbol.AsSpan(), out slot);

    public bool TryGetSlot(Venue venue, string symbol, out OptionSlot slot) => TryGetSlot(venue, symbol.AsSpan(), out slot);

    /// <summary>The feed's lookup: allocation-free, lock-free, callable from any thread.</summary>
    public bool TryGetSlot(Venue venue, ReadOnlySpan<char> symbol, out OptionSlot slot)
    {
        foreach (var symbols in _byVenue)
        {
            if (symbols.Venue == venue)
                return symbols.BySymbolSpan.TryGetValue(symbol, out slot!);
        }
        slot = null!;
        return false;
    }

    /// <summary>Case-insensitive lookup of a base coin.</summary>
    public bool TryGetCoin(string baseCoin, out CoinIndex coin) => _byCoin.TryGetValue(baseCoin, out coin!);
}

/// <summary>One venue's options by their symbol.</summary>
internal sealed class VenueSymbols(Venue venue, FrozenDictionary<string, OptionSlot> bySymbol)
{
    public Venue Venue { get; } = venue;

    public FrozenDictionary<string, OptionSlot>.AlternateLookup<ReadOnlySpan<char>> BySymbolSpan { get; } =
        bySymbol.GetAlternateLookup<ReadOnlySpan<char>>();
}

/// <summary>One base coin's options, and the same options grouped by expiry in chronological order.</summary>
public sealed class CoinIndex
{
    private readonly CoinIndex[] _byVenue;

    public CoinIndex(string baseCoin, OptionSlot[] slots)
    {
        BaseCoin = baseCoin;
        Slots = slots;
        Expiries = [.. slots
            .GroupBy(s => s.Instrument.ExpiryUtc)
            .OrderBy(g => g.Key)
            .Select(g => new ExpiryIndex(g.Key, g.First().Instrument.ExpiryLabel, [.. g]))];
        Venues = [.. slots.Select(s => s.Instrument.Venue).Distinct().OrderBy(v => v.Id, StringComparer.Ordinal)];
        // Each venue's own options as an index of their own, built with this one (listings are rare) and kept, so the
        // per-venue analytics (Measures/MarketAnalytics) see a stable index per book version, as the combined ones do.
        // With one venue it is this index itself: a one-venue deployment builds nothing more.
        _byVenue = Venues.Count <= 1
            ? [this]
            : [.. Venues.Select(v => new CoinIndex(baseCoin, [.. slots.Where(s => s.Instrument.Venue == v)]))];
    }

    public string BaseCoin { get; }

    /// <summary>Ordered by expiry, strike, type.</summary>
    public IReadOnlyList<OptionSlot> Slots { get; }

    /// <summary>Chronological.</summary>
    public IReadOnlyList<ExpiryIndex> Expiries { get; }

    /// <summary>The venues listing options of the coin, in ordinal order of their ids.</summary>
    public IReadOnlyList<Venue> Venues { get; }

    /// <summary>Whether more than one venue lists options of the coin (the combined figures then differ from any venue's).</summary>
    public bool IsMultiVenue => Venues.Count > 1;

    /// <summary>
    /// The same coin's options listed by <paramref name="venue"/> only (the same instance on every call until the next
    /// listing); false when that venue lists none.
    /// </summary>
    public bool TryGetVenue(Venue venue, out CoinIndex coin)
    {
        for (var i = 0; i < Venues.Count; i++)
        {
            if (Venues[i] == venue)
            {
                coin = _byVenue[Venues.Count <= 1 ? 0 : i];
                return true;
            }
        }
        coin = null!;
        return false;
    }
}

/// <summary>The options of one coin and one expiry, ordered by strike then type.</summary>
public sealed record ExpiryIndex(DateTimeOffset ExpiryUtc, string Label, IReadOnlyList<OptionSlot> Slots)
{
    public DateOnly Date => DateOnly.FromDateTime(ExpiryUtc.UtcDateTime);
}
