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
        IReadOnlyList<SmileFit?> fits, Positioning positioning)
    {
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
    /// </summary>
    public static CoinAnalytics Build(CoinIndex coin, long sequence, DateTimeOffset now, RealisedVolatility realised, CoinAnalytics? previous = null)
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
        return new CoinAnalytics(coin.BaseCoin, coin, now, sequence, positioning.IndexPrice, expiries, tenors, fits, positioning);
    }
}
