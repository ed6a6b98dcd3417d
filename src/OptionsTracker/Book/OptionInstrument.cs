namespace OptionsTracker.Book;

/// <summary>
/// The fixed part of an option: what it is, never how it trades. Made from parts its venue parsed (the book reads no
/// venue's symbol format); expiry is the venue's delivery instant. The symbol is the venue's own; only
/// (<see cref="Venue"/>, <see cref="Symbol"/>) identifies the option.
/// </summary>
public sealed class OptionInstrument
{
    public OptionInstrument(Venue venue, string symbol, string baseCoin, DateTimeOffset expiryUtc, decimal strike, OptionType type,
        string? settleCoin = null, ListingStatus status = ListingStatus.Trading, double tickSize = double.NaN, double qtyStep = double.NaN,
        string? priceCurrency = null)
    {
        if (venue.IsDefault)
            throw new ArgumentException("An instrument needs its venue.", nameof(venue));
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        ArgumentException.ThrowIfNullOrEmpty(baseCoin);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(strike);
        Venue = venue;
        Symbol = symbol;
        Key = new InstrumentKey(venue, symbol);
        BaseCoin = baseCoin;
        SettleCoin = settleCoin;
        Type = type;
        Strike = strike;
        StrikeValue = (double)strike;
        ExpiryUtc = expiryUtc;
        ExpiryDate = DateOnly.FromDateTime(expiryUtc.UtcDateTime);
        ExpiryLabel = Book.ExpiryLabel.Format(ExpiryDate);
        Status = status;
        // A step that is not positive is no step: treated as unknown, never as a grid of zero.
        TickSize = tickSize > 0 ? tickSize : double.NaN;
        QtyStep = qtyStep > 0 ? qtyStep : double.NaN;
        PriceCurrency = string.IsNullOrEmpty(priceCurrency) ? null : priceCurrency;
    }

    public Venue Venue { get; }
    public string Symbol { get; }

    /// <summary>(venue, symbol): the slot's key in the book.</summary>
    public InstrumentKey Key { get; }

    public string BaseCoin { get; }

    /// <summary>The settlement coin when the venue names one ("USDT"); null when it does not (Bybit's legacy USDC options).</summary>
    public string? SettleCoin { get; }

    public OptionType Type { get; }
    public decimal Strike { get; }

    /// <summary>The strike as a double, for arithmetic on the read path.</summary>
    public double StrikeValue { get; }

    public DateTimeOffset ExpiryUtc { get; }
    public DateOnly ExpiryDate { get; }

    /// <summary>Zero-padded <c>DDMMMYY</c>, as the original tool's API wrote it (<see cref="Book.ExpiryLabel"/>).</summary>
    public string ExpiryLabel { get; }

    /// <summary>The status the venue listed it with (the slot's quote carries the current one).</summary>
    public ListingStatus Status { get; }

    /// <summary>
    /// The venue's price grid (Bybit's <c>priceFilter.tickSize</c>: 5 for BTC, 0.1 for ETH); NaN when the venue or the
    /// store did not give one. The dashboard shows prices at this precision.
    /// </summary>
    public double TickSize { get; }

    /// <summary>The venue's quantity grid (Bybit's <c>lotSizeFilter.qtyStep</c>: 0.01 for BTC); NaN when not given.</summary>
    public double QtyStep { get; }

    /// <summary>
    /// The coin the venue quotes this option's prices in when that is not a dollar (<c>BTC</c> for Deribit's inverse
    /// options); null when it quotes in USD, USDT or USDC (every Bybit option, Deribit's linear ones). The book holds
    /// every price in USD whatever this says: the venue converts on arrival, and <see cref="NativePrice"/> converts back.
    /// </summary>
    public string? PriceCurrency { get; }

    /// <summary>Whether the venue quotes in a coin (<see cref="PriceCurrency"/>), so its native prices differ from the book's USD.</summary>
    public bool IsCoinPriced => PriceCurrency is not null;

    /// <summary>
    /// The grid of the book's USD prices, for showing them at their precision: the venue's <see cref="TickSize"/> when it
    /// quotes in dollars, unknown (NaN) when it quotes in a coin, whose tick (0.0005 BTC) says nothing of USD decimals.
    /// </summary>
    public double UsdTickSize => IsCoinPriced ? double.NaN : TickSize;

    public override string ToString() => Symbol;
}
