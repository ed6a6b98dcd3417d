using System.Collections.Frozen;

namespace OptionsTracker.Book;

/// <summary>
/// An immutable view of which options the book holds, rebuilt whenever instruments are listed or delivered
/// (rare) and swapped in whole, so readers and the feed look up slots without locks.
/// </summary>
public sealed class BookIndex
{
    public static readonly BookIndex Empty = new(0, []);

    private readonly FrozenDictionary<string, OptionSlot> _bySymbol;
    private readonly FrozenDictionary<string, OptionSlot>.AlternateLookup<ReadOnlySpan<char>> _bySymbolSpan;
    private readonly FrozenDictionary<string, CoinIndex> _byCoin;

    public BookIndex(long version, IEnumerable<OptionSlot> slots)
    {
        Version = version;
        var ordered = slots
            .OrderBy(s => s.Instrument.BaseCoin, StringComparer.Ordinal)
            .ThenBy(s => s.Instrument.ExpiryUtc)
            .ThenBy(s => s.Instrument.Strike)
            .ThenBy(s => s.Instrument.Type)
            .ToArray();
        All = ordered;
        _bySymbol = ordered.ToFrozenDictionary(s => s.Instrument.Symbol, StringComparer.Ordinal);
        _bySymbolSpan = _bySymbol.GetAlternateLookup<ReadOnlySpan<char>>();
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

    public int Count => All.Count;

    public bool TryGetSlot(string symbol, out OptionSlot slot) => _bySymbol.TryGetValue(symbol, out slot!);

    public bool TryGetSlot(ReadOnlySpan<char> symbol, out OptionSlot slot) => _bySymbolSpan.TryGetValue(symbol, out slot!);

    /// <summary>Case-insensitive lookup of a base coin.</summary>
    public bool TryGetCoin(string baseCoin, out CoinIndex coin) => _byCoin.TryGetValue(baseCoin, out coin!);
}

/// <summary>One base coin's options, and the same options grouped by expiry in chronological order.</summary>
public sealed class CoinIndex
{
    public CoinIndex(string baseCoin, OptionSlot[] slots)
    {
        BaseCoin = baseCoin;
        Slots = slots;
        Expiries = [.. slots
            .GroupBy(s => s.Instrument.ExpiryUtc)
            .OrderBy(g => g.Key)
            .Select(g => new ExpiryIndex(g.Key, g.First().Instrument.ExpiryLabel, [.. g]))];
    }

    public string BaseCoin { get; }

    /// <summary>Ordered by expiry, strike, type.</summary>
    public IReadOnlyList<OptionSlot> Slots { get; }

    /// <summary>Chronological.</summary>
    public IReadOnlyList<ExpiryIndex> Expiries { get; }
}

/// <summary>The options of one coin and one expiry, ordered by strike then type.</summary>
public sealed record ExpiryIndex(DateTimeOffset ExpiryUtc, string Label, IReadOnlyList<OptionSlot> Slots)
{
    public DateOnly Date => DateOnly.FromDateTime(ExpiryUtc.UtcDateTime);
}
