namespace OptionsTracker.Api;

/// <summary>
/// The fields of an option item, in the order items are written. The JSON and CSV names are the original
/// tool's snake_case ones (<see cref="OptionFields"/>); scripts select and sort by those names.
/// </summary>
public enum OptionField
{
    Symbol,
    BaseCoin,
    Type,
    Strike,
    Expiry,
    ExpiryDate,
    DaysToExpiry,
    LastPrice,
    MarkPrice,
    BidPrice,
    BidSize,
    BidIv,
    AskPrice,
    AskSize,
    AskIv,
    MarkIv,
    Iv,
    Delta,
    Gamma,
    Theta,
    Vega,
    Volume24h,
    Turnover24h,
    OpenInterest,
    HighPrice24h,
    LowPrice24h,
    Change24h,
    TotalVolume,
    TotalTurnover,
    IndexPrice,
    Underlying,
    PredictedDeliveryPrice,
    UpdatedAt,

    /// <summary>PreLaunch, Trading or Delivering (see <see cref="Book.ListingStatus"/>).</summary>
    Status,

    /// <summary>The settlement price of a delivered option; null before delivery and until Bybit gives it.</summary>
    DeliveryPrice,

    /// <summary>
    /// The venue's id (<c>bybit</c>). Last, so every field the original tool and earlier versions wrote keeps its place
    /// (CSV columns are read by position too).
    /// </summary>
    Venue,

    // A coin-priced venue's prices as it quotes them (issue 19: Deribit's inverse options, priced in BTC or ETH), beside
    // the book's USD ones. Not in the default lists (like the model's below): a list returns them when `fields` names them,
    // /api/option/{symbol} always does; null for options quoted in dollars (every Bybit option), so a Bybit user's answers
    // keep their bytes and CSV columns. The conversion is Book/NativePrice's, at the quote's own index price.

    /// <summary>The coin the venue quotes prices in (<c>BTC</c>); null when it quotes in dollars.</summary>
    PriceCurrency,

    /// <summary>The mark price in <see cref="PriceCurrency"/>; null when the venue quotes in dollars.</summary>
    MarkPriceNative,
    BidPriceNative,
    AskPriceNative,

    // The tracker's own Black-76 against the exchange (Measures/OptionModel, docs/analytics.md). After every field the
    // default lists write, and not among them: a list returns them only when `fields` names them (solving an IV per
    // option costs more than copying a quote); /api/option/{symbol} always does.

    /// <summary>Black-76 IV solved from the mark price (fraction).</summary>
    ModelIv,
    ModelDelta,
    ModelGamma,
    ModelVega,
    ModelTheta,

    /// <summary>Model IV − mark IV (fraction).</summary>
    ModelIvDiff,

    /// <summary>Model − exchange, in the exchange's units (as the Greeks' differences after it).</summary>
    ModelDeltaDiff,
    ModelGammaDiff,
    ModelVegaDiff,
    ModelThetaDiff,

    /// <summary>Whether any difference is beyond its tolerance (see <see cref="Measures.OptionModel"/>); null when none is comparable.</summary>
    ModelDivergent,
}
