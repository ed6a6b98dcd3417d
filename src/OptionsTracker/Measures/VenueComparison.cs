using OptionsTracker.Book;

namespace OptionsTracker.Measures;

/// <summary>
/// The cross-venue chain (issue 19): the same option on every venue side by side, the best bid and best ask across them,
/// and the mark IV difference. The one definition: <c>GET /api/compare/{asset}</c> and the dashboard's cross-venue view
/// both build their lines here, so they cannot disagree on which venue is best.
/// <list type="bullet">
/// <item><b>Same option</b>: same base coin, same expiry instant, same strike, same type (the book's expiry index groups
/// by the instant, so a Bybit and a Deribit option expiring at the same 08:00 UTC meet on one line).</item>
/// <item><b>Best bid</b>: the highest bid among the venues that show one (a bid price above 0: Bybit sends an empty side
/// as 0); <b>best ask</b>: the lowest ask among those that show one. Prices compare in USD, the book's unit (coin-priced
/// venues are converted on arrival at the index of the same tick, <see cref="NativePrice"/>). A tie goes to the venue
/// first in the given order (the configured order, Bybit first).</item>
/// <item><b>IV difference</b>: a venue's mark IV minus the <b>reference</b> venue's (the first of the order present in the
/// comparison): positive = that venue marks the option richer. With two venues it is "Deribit − Bybit".</item>
/// </list>
/// Pure: it reads the quotes it is given (a copy per option), never the book.
/// </summary>
public static class VenueComparison
{
    /// <summary>
    /// The lines of one expiry from <paramref name="options"/> (any venues, one coin and expiry), ordered by strike then
    /// call before put. <paramref name="order"/> ranks venues (ties, the reference); venues not in it follow, by id.
    /// </summary>
    public static CrossVenueChain Compare(IEnumerable<VenueQuote> options, IReadOnlyList<Venue> order)
    {
        var list = options as IReadOnlyCollection<VenueQuote> ?? [.. options];
        var present = list.Select(o => o.Venue).Distinct().ToHashSet();
        Venue[] venues = [.. order.Where(present.Contains), .. present.Where(v => !order.Contains(v)).OrderBy(v => v.Id, StringComparer.Ordinal)];
        var lines = new List<CrossVenueLine>();
        foreach (var group in list.GroupBy(o => (o.Instrument.Strike, o.Instrument.Type)).OrderBy(g => g.Key.Strike).ThenBy(g => g.Key.Type))
        {
            var byVenue = new VenueQuote?[venues.Length];
            foreach (var quote in group)
            {
                var at = Array.IndexOf(venues, quote.Venue);
                // One option per venue and line; were a venue to list two (it cannot: a symbol names strike and type), the first stays.
                byVenue[at] ??= quote;
            }
            lines.Add(new CrossVenueLine(group.Key.Strike, group.Key.Type, byVenue, BestBid(byVenue), BestAsk(byVenue)));
        }
        return new CrossVenueChain(venues, lines);
    }

    /// <summary>The options of <paramref name="expiry"/> (one coin, one expiry instant) with their quotes read now.</summary>
    public static CrossVenueChain Compare(ExpiryIndex expiry, IReadOnlyList<Venue> order) =>
        Compare(expiry.Slots.Select(s => new VenueQuote(s.Instrument, s.ReadQuote())), order);

    /// <summary>The index of the venue with the highest bid; -1 when no venue bids. Strictly higher replaces, so a tie keeps the earlier venue.</summary>
    public static int BestBid(IReadOnlyList<VenueQuote?> byVenue)
    {
        var best = -1;
        for (var i = 0; i < byVenue.Count; i++)
        {
            if (byVenue[i] is { } quote && !double.IsNaN(quote.Bid) && (best < 0 || quote.Bid > byVenue[best]!.Bid))
                best = i;
        }
        return best;
    }

    /// <summary>The index of the venue with the lowest ask; -1 when no venue offers. Strictly lower replaces.</summary>
    public static int BestAsk(IReadOnlyList<VenueQuote?> byVenue)
    {
        var best = -1;
        for (var i = 0; i < byVenue.Count; i++)
        {
            if (byVenue[i] is { } quote && !double.IsNaN(quote.Ask) && (best < 0 || quote.Ask < byVenue[best]!.Ask))
                best = i;
        }
        return best;
    }
}

/// <summary>One option on one venue as the comparison reads it: prices in USD (the book's), IVs as fractions.</summary>
public sealed record VenueQuote(OptionInstrument Instrument, OptionQuote Quote)
{
    public Venue Venue => Instrument.Venue;

    /// <summary>The bid, NaN when the venue shows none (missing, or 0: Bybit's empty side).</summary>
    public double Bid => Shown(Quote.BidPrice);

    /// <summary>The ask, NaN when the venue shows none.</summary>
    public double Ask => Shown(Quote.AskPrice);

    /// <summary>The bid's size in the base coin; NaN without a bid.</summary>
    public double BidSize => double.IsNaN(Bid) ? double.NaN : Quote.BidSize;

    public double AskSize => double.IsNaN(Ask) ? double.NaN : Quote.AskSize;

    /// <summary>The bid's IV; NaN without a bid (an empty side's IV of 0 is no IV).</summary>
    public double BidIv => double.IsNaN(Bid) ? double.NaN : Shown(Quote.BidIv);

    public double AskIv => double.IsNaN(Ask) ? double.NaN : Shown(Quote.AskIv);

    public double Mark => Quote.MarkPrice;

    public double MarkIv => Quote.MarkIv;

    private static double Shown(double value) => value > 0 ? value : double.NaN;
}

/// <summary>
/// One strike and type across venues: <see cref="ByVenue"/> follows <see cref="CrossVenueChain.Venues"/> (null where a
/// venue does not list it); <see cref="BestBid"/> and <see cref="BestAsk"/> are indexes into it (-1: none).
/// </summary>
public sealed record CrossVenueLine(decimal Strike, OptionType Type, IReadOnlyList<VenueQuote?> ByVenue, int BestBid, int BestAsk)
{
    public VenueQuote? BestBidQuote => BestBid >= 0 ? ByVenue[BestBid] : null;

    public VenueQuote? BestAskQuote => BestAsk >= 0 ? ByVenue[BestAsk] : null;

    /// <summary>How many venues list this option.</summary>
    public int Listed => ByVenue.Count(q => q is not null);

    /// <summary>
    /// Venue <paramref name="venue"/>'s mark IV minus the reference venue's (index 0); NaN for the reference itself, or when
    /// either has no mark IV.
    /// </summary>
    public double IvDifference(int venue) =>
        venue > 0 && venue < ByVenue.Count && ByVenue[venue] is { } other && ByVenue[0] is { } reference
            ? other.MarkIv - reference.MarkIv
            : double.NaN;

    /// <summary>
    /// Whether the best bid on one venue is above the best ask on another: a cross that one could trade (before fees). A
    /// venue's own book never crosses, so this is always across venues.
    /// </summary>
    public bool IsCrossed => BestBidQuote is { } bid && BestAskQuote is { } ask && bid.Bid > ask.Ask;
}

/// <summary>The cross-venue chain of one coin and expiry: the venues present, in order (the first is the IV reference), and the lines.</summary>
public sealed record CrossVenueChain(IReadOnlyList<Venue> Venues, IReadOnlyList<CrossVenueLine> Lines);
