namespace OptionsTracker.Book;

/// <summary>
/// Every numeric field of a Bybit option ticker, as an index into <see cref="QuoteValues"/>.
/// Append only: the parser's name tables and the presence mask depend on these positions.
/// </summary>
public enum QuoteField
{
    BidPrice,
    BidSize,
    BidIv,
    AskPrice,
    AskSize,
    AskIv,
    LastPrice,
    HighPrice24h,
    LowPrice24h,
    MarkPrice,
    IndexPrice,
    MarkIv,
    UnderlyingPrice,
    OpenInterest,
    Turnover24h,
    Volume24h,
    TotalVolume,
    TotalTurnover,
    Delta,
    Gamma,
    Vega,
    Theta,
    PredictedDeliveryPrice,
    Change24h,
}

public static class QuoteFields
{
    public const int Count = 24;
}
