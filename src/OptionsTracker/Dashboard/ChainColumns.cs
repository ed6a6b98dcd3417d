using OptionsTracker.Book;

namespace OptionsTracker.Dashboard;

/// <summary>
/// The chain's columns, chosen per side as on Deribit's chain. The calls side reads them in <see cref="All"/>'s order,
/// left to right towards the strike; the puts side mirrors it around the strike, except that the book (bid size to ask
/// size) keeps reading bid to ask, so both sides' books sit next to the strike. Keys are stored in the browser: keep
/// them stable.
/// </summary>
public static class ChainColumns
{
    public static readonly IReadOnlyList<ChainColumn> All =
    [
        new("oi", "OI", "Open interest", QuoteField.OpenInterest, IsBook: false),
        new("volume", "Volume", "24 h volume", QuoteField.Volume24h, IsBook: false),
        new("change", "24h %", "24 h change", QuoteField.Change24h, IsBook: false),
        new("last", "Last", "Last price", QuoteField.LastPrice, IsBook: false),
        new("delta", "Delta", "Delta", QuoteField.Delta, IsBook: false),
        new("gamma", "Gamma", "Gamma", QuoteField.Gamma, IsBook: false),
        new("vega", "Vega", "Vega", QuoteField.Vega, IsBook: false),
        new("theta", "Theta", "Theta", QuoteField.Theta, IsBook: false),
        // Not a quote field: the SVI residual from the analytics snapshot (Dashboard/SmileResidual.cs); off by default.
        new("rich-cheap", "Rich/cheap", "Rich/cheap (smile fit)", QuoteField.MarkIv, IsBook: false, IsSmileResidual: true),
        new("bid-size", "Size", "Bid size", QuoteField.BidSize, IsBook: true),
        new("bid-iv", "Bid IV", "Bid IV", QuoteField.BidIv, IsBook: true),
        new("bid", "Bid", "Bid", QuoteField.BidPrice, IsBook: true),
        new("mark", "Mark", "Mark price", QuoteField.MarkPrice, IsBook: true),
        new("mark-iv", "Mark IV", "Mark IV", QuoteField.MarkIv, IsBook: true),
        new("ask", "Ask", "Ask", QuoteField.AskPrice, IsBook: true),
        new("ask-iv", "Ask IV", "Ask IV", QuoteField.AskIv, IsBook: true),
        new("ask-size", "Size", "Ask size", QuoteField.AskSize, IsBook: true),
    ];

    /// <summary>What a trader reads first, per side: positioning and delta outside, the book with its IVs and sizes inside.</summary>
    public static readonly IReadOnlyList<string> Default = ["oi", "delta", "bid-size", "bid-iv", "bid", "mark", "ask", "ask-iv", "ask-size"];

    /// <summary>The columns a phone shows per side, whatever is chosen: strike and both sides' book must fit 390 px.</summary>
    public static readonly IReadOnlySet<string> Condensed = new HashSet<string>(["bid", "mark", "ask"], StringComparer.Ordinal);

    /// <summary>The calls side, left to right, ending next to the strike.</summary>
    public static IReadOnlyList<ChainColumn> Calls(IReadOnlySet<string> chosen) => [.. All.Where(c => chosen.Contains(c.Key))];

    /// <summary>The puts side, left to right from the strike: the book in bid-to-ask order, then the rest mirrored.</summary>
    public static IReadOnlyList<ChainColumn> Puts(IReadOnlySet<string> chosen) =>
        [.. All.Where(c => c.IsBook && chosen.Contains(c.Key)), .. All.Where(c => !c.IsBook && chosen.Contains(c.Key)).Reverse()];

    /// <summary>Reads a stored comma list, keeping known keys only; null when nothing usable was stored.</summary>
    public static HashSet<string>? Parse(string? stored)
    {
        if (string.IsNullOrWhiteSpace(stored))
            return null;
        var keys = stored.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(k => All.Any(c => c.Key == k))
            .ToHashSet(StringComparer.Ordinal);
        return keys.Count == 0 ? null : keys;
    }

    /// <summary>The stored form: known keys in <see cref="All"/>'s order.</summary>
    public static string Format(IReadOnlySet<string> chosen) => string.Join(',', All.Where(c => chosen.Contains(c.Key)).Select(c => c.Key));
}

/// <param name="Key">Stored in the browser and used in cell classes (<c>c-bid</c>, <c>p-bid</c>).</param>
/// <param name="Title">The column header.</param>
/// <param name="Name">The menu's label and the header's tooltip.</param>
/// <param name="IsBook">Part of the order book block (sizes, bid/ask IVs and prices), which keeps bid-to-ask order on both sides.</param>
/// <param name="IsSmileResidual">
/// Shows the option's SVI residual (mark IV − the expiry's fitted IV, vol points) instead of <paramref name="Field"/>, which
/// is then the quote it derives from.
/// </param>
public sealed record ChainColumn(string Key, string Title, string Name, QuoteField Field, bool IsBook, bool IsSmileResidual = false)
{
    /// <summary>Prices flash when they move; sizes, IVs, Greeks and totals do not (issue 14: flash on prices only).</summary>
    public bool Flashes => Field is QuoteField.BidPrice or QuoteField.AskPrice or QuoteField.MarkPrice or QuoteField.LastPrice;

    /// <summary>Signed values read green or red.</summary>
    public bool IsSigned => Field is QuoteField.Delta or QuoteField.Change24h;
}
