using OptionsTracker.Book;

namespace OptionsTracker.Feed;

/// <summary>
/// Which listed options to track: all of them by default, or a custom set by expiry range, strike range
/// around the index, or an explicit symbol list (the original's <c>symbols_cache.json</c> custom set).
/// </summary>
public sealed class InstrumentFilter(TrackerOptions options)
{
    private readonly HashSet<string> _symbols = new(options.Symbols, StringComparer.Ordinal);

    /// <summary>Whether the strike range needs the index price (read from the ticker snapshot) to decide.</summary>
    public bool NeedsIndexPrice => options.StrikeRangePercent is not null;

    /// <summary>
    /// Decides for one option. <paramref name="indexPrice"/> is the coin's index (<c>MarketMeasures.IndexPrice</c>; NaN when unknown: the strike
    /// range then lets everything through until a price is known, rather than tracking nothing).
    /// </summary>
    public bool Includes(OptionInstrument instrument, double indexPrice, DateTimeOffset now)
    {
        if (_symbols.Count > 0 && !_symbols.Contains(instrument.Symbol))
            return false;
        var days = Measures.MarketMeasures.DaysToExpiry(instrument, now);
        if (options.MinDaysToExpiry is { } min && days < min)
            return false;
        if (options.MaxDaysToExpiry is { } max && days > max)
            return false;
        if (options.StrikeRangePercent is { } percent && double.IsFinite(indexPrice) && indexPrice > 0)
        {
            var distance = Math.Abs(instrument.StrikeValue / indexPrice - 1) * 100;
            if (distance > percent)
                return false;
        }
        return true;
    }
}
