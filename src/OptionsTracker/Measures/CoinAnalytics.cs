using OptionsTracker.Book;

namespace OptionsTracker.Measures;

/// <summary>
/// Every analytics figure of one coin at one moment, computed together from one read of the book, so the endpoints,
/// the streams, the dashboard and the alerts that read the same snapshot agree with one another. Immutable; built by
/// <see cref="MarketAnalytics"/> at most a few times a second, and only when the book (or the realised volatility)
/// changed. Missing is NaN or null, never 0.
/// </summary>
public sealed class CoinAnalytics
{
    private CoinAnalytics(
        string coin, CoinIndex index, DateTimeOffset at, long sequence, double indexPrice,
        IReadOnlyList<ExpiryFigures> expiries, IReadOnlyList<TenorFigures> tenors,
        IReadOnlyList<SmileFit?> fits, Positioning positioning, Venue? venue)
    {
        Venue = venue;
        Coin = coin;
        Index = index;
        At = at;
        Sequence = sequence;
        IndexPrice = indexPrice;
        Expiries = expiries;
        Tenors = tenors;
        Fits = fits;
        Positioning = positioning;
    }

    public string Coin { get; }

    /// <summary>
    /// The venue the figures are of; null for the combined figures of every venue listing the coin
    /// (<see cref="Combine"/>; with one venue, that venue's figures).
    /// </summary>
    public Venue? Venue { get; }

    /// <summary>The venues whose options the figures were computed from, in ordinal order of their ids.</summary>
    public IReadOnlyList<Venue> Venues => Index.Venues;

    /// <summary>The coin's options the figures were computed from (the book index of that moment).</summary>
    public CoinIndex Index { get; }

    /// <summary>When the figures were computed (the "now" of days to expiry).</summary>
    public DateTimeOffset At { get; }

    /// <summary>The book's change sequence read before computing: figures include every change up to it.</summary>
    public long Sequence { get; }

    public double IndexPrice { get; }

    /// <summary>One item per expiry, chronological (parallel to <see cref="CoinIndex.Expiries"/>).</summary>
    public IReadOnlyList<ExpiryFigures> Expiries { get; }

    /// <summary>One item per constant tenor of <see cref="TermStructure.Tenors"/>.</summary>
    public IReadOnlyList<TenorFigures> Tenors { get; }

    /// <summary>Each expiry's SVI smile fit, parallel to <see cref="Expiries"/>; null where it has too few quoted options.</summary>
    public IReadOnlyList<SmileFit?> Fits { get; }

    /// <summary>
    /// Positioning by strike over all the coin's expiries: OI, volume and GEX per strike, max pain, total GEX and the
    /// gamma flip (one expiry's: <see cref="Positioning.ForExpiry"/> on request, from this snapshot's figures).
    /// </summary>
    public Positioning Positioning { get; }

    /// <summary>
    /// The IV surface (<see cref="Measures.Surface"/>) of this snapshot's expiries: computed on first read, then kept
    /// with the snapshot, so its readers (the surface endpoint, the Surface view) share one computation per snapshot and
    /// a snapshot nobody asks the surface of costs nothing. Its cells read the book at that first read (the snapshot's
    /// forwards, ATM, 25Δ and 10Δ IVs are the snapshot's own).
    /// </summary>
    public Surface Surface => LazyInitializer.EnsureInitialized(ref _surface, () => Surface.From(Expiries));

    private Surface? _surface;

    /// <summary>
    /// Computes every figure of <paramref name="coin"/> now; <paramref name="previous"/> (the coin's last snapshot, left
    /// as it was) only seeds the searches that a nearby answer speeds up (the smile fits).
    /// Several venues' options are combined (<see cref="Combine"/>), never measured as one board.
    /// </summary>
    public static CoinAnalytics Build(CoinIndex coin, long sequence, DateTimeOffset now, RealisedVolatility realised, CoinAnalytics? previous = null) =>
        coin.IsMultiVenue ? Build(coin, null, sequence, now, realised)! : BuildOne(coin, null, sequence, now, realised, previous);

    /// <summary>
    /// The figures of <paramref name="venue"/>'s options of the coin, or (null) the combined figures of every venue
    /// listing it; null when that venue lists none. Without a cache (a recorded board's analytics): the live board's go
    /// through <see cref="MarketAnalytics.Get(string, Venue?)"/>.
    /// </summary>
    public static CoinAnalytics? Build(CoinIndex coin, Venue? venue, long sequence, DateTimeOffset now, RealisedVolatility realised)
    {
        if (venue is { } one)
            return coin.TryGetVenue(one, out var own) ? BuildOne(own, one, sequence, now, realised, null) : null;
        if (!coin.IsMultiVenue)
            return BuildOne(coin, null, sequence, now, realised, null);
        var each = new CoinAnalytics[coin.Venues.Count];
        for (var i = 0; i < each.Length; i++)
        {
            coin.TryGetVenue(coin.Venues[i], out var own);
            each[i] = BuildOne(own, coin.Venues[i], sequence, now, realised, null);
        }
        return Combine(coin, each, sequence, now, realised);
    }

    /// <summary>One venue's figures (<paramref name="venue"/> null: those of a coin only one venue lists).</summary>
    internal static CoinAnalytics BuildOne(CoinIndex coin, Venue? venue, long sequence, DateTimeOffset now, RealisedVolatility realised, CoinAnalytics? previous)
    {
        var expiries = TermStructure.ForCoin(coin, now);
        var tenors = new TenorFigures[TermStructure.Tenors.Count];
        for (var i = 0; i < tenors.Length; i++)
        {
            var tenor = TermStructure.Tenors[i];
            tenors[i] = TermStructure.AtTenor(expiries, tenor, realised.At(coin.BaseCoin, tenor));
        }
        var fits = SmileFit.ForCoin(expiries, previous?.Fits);
        var positioning = Positioning.ForCoin(coin, expiries, MarketMeasures.IndexPrice(coin), now);
        return new CoinAnalytics(coin.BaseCoin, coin, now, sequence, positioning.IndexPrice, expiries, tenors, fits, positioning, venue);
    }

    /// <summary>
    /// The one rule combining several venues' figures of a coin (docs/analytics.md "Venues"): per expiry, the IV figures
    /// (forward, ATM strike and IV, 25Δ and 10Δ skew) and the smile fit are those of the venue with the most open interest
    /// in that expiry (the first venue by id on a tie or without OI), never an average: an ATM IV or a risk reversal is a
    /// point of one venue's smile, and a mix of two smiles is a curve nobody quotes. What counts contracts is summed over
    /// every venue, strike by strike, in the book's common units (OI and volume in the base coin, GEX in USD): put/call
    /// ratios, max pain, positioning and total GEX. Tenors are interpolated from the combined expiries, the index is the
    /// freshest of every venue's options. <paramref name="venues"/> are the single venues' snapshots of the same moment,
    /// in <paramref name="coin"/>'s venue order.
    /// </summary>
    public static CoinAnalytics Combine(CoinIndex coin, IReadOnlyList<CoinAnalytics> venues, long sequence, DateTimeOffset now, RealisedVolatility realised)
    {
        var expiries = new ExpiryFigures[coin.Expiries.Count];
        var fits = new SmileFit?[expiries.Length];
        var cursors = new int[venues.Count];
        for (var i = 0; i < expiries.Length; i++)
        {
            var all = coin.Expiries[i];
            // The venue with most OI in this expiry among those listing it: each venue's expiries are chronological, so a
            // cursor per venue finds its figures of this expiry in one pass.
            var best = -1;
            var bestOi = double.NegativeInfinity;
            var bestAt = -1;
            for (var v = 0; v < venues.Count; v++)
            {
                var own = venues[v].Expiries;
                while (cursors[v] < own.Count && own[cursors[v]].Expiry.ExpiryUtc < all.ExpiryUtc)
                    cursors[v]++;
                if (cursors[v] >= own.Count || own[cursors[v]].Expiry.ExpiryUtc != all.ExpiryUtc)
                    continue;
                var oi = OpenInterest(own[cursors[v]].Expiry);
                if (best < 0 || oi > bestOi)
                    (best, bestOi, bestAt) = (v, oi, cursors[v]);
            }
            var chosen = venues[best].Expiries[bestAt];
            var putCall = MarketMeasures.PutCall(all.Slots);
            expiries[i] = chosen with
            {
                Expiry = all,
                Smile = chosen.Smile,
                PutCallOi = putCall.OiRatio ?? double.NaN,
                PutCallVolume = putCall.VolumeRatio ?? double.NaN,
                MaxPain = MarketMeasures.MaxPain(all.Slots),
            };
            fits[i] = venues[best].Fits[bestAt];
        }
        var tenors = new TenorFigures[TermStructure.Tenors.Count];
        for (var i = 0; i < tenors.Length; i++)
        {
            var tenor = TermStructure.Tenors[i];
            tenors[i] = TermStructure.AtTenor(expiries, tenor, realised.At(coin.BaseCoin, tenor));
        }
        var positioning = Positioning.ForCoin(coin, expiries, MarketMeasures.IndexPrice(coin), now);
        return new CoinAnalytics(coin.BaseCoin, coin, now, sequence, positioning.IndexPrice, expiries, tenors, fits, positioning, null);
    }

    /// <summary>Σ open interest of the expiry's options (missing counts as none), in the base coin.</summary>
    private static double OpenInterest(ExpiryIndex expiry)
    {
        var sum = 0.0;
        foreach (var slot in expiry.Slots)
        {
            var oi = slot.ReadQuote().OpenInterest;
            if (double.IsFinite(oi) && oi > 0)
                sum += oi;
        }
        return sum;
    }
}
