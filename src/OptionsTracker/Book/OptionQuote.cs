namespace OptionsTracker.Book;

/// <summary>
/// A consistent copy of one option's latest ticker. IVs are fractions as Bybit sends them (0.52 = 52 %);
/// vega is per vol point and theta per day, as Bybit sends them. NaN = not sent by the exchange.
/// </summary>
public struct OptionQuote
{
    public QuoteValues Values;

    /// <summary>Exchange timestamp of the update (ms since the Unix epoch); 0 when never quoted.</summary>
    public long ExchangeTimeMs;

    /// <summary>Local time the update was applied (ms since the Unix epoch); 0 when never quoted.</summary>
    public long ReceivedAtMs;

    /// <summary>
    /// The option's place in its life (PreLaunch, Trading, Delivering): kept with the quote, not the instrument, because it
    /// changes; read through the same seqlock, so an item's status and values come from one moment.
    /// </summary>
    public ListingStatus Status;

    /// <summary>The settlement price once delivered (Bybit's <c>deliveryPrice</c>); NaN before, or until Bybit gives it.</summary>
    public double DeliveryPrice;

    public static OptionQuote Empty => new() { Values = QuoteValues.AllMissing(), DeliveryPrice = double.NaN };

    public readonly bool HasData => ExchangeTimeMs != 0;

    public readonly double this[QuoteField field] => Values[(int)field];

    public readonly double BidPrice => Values[(int)QuoteField.BidPrice];
    public readonly double BidSize => Values[(int)QuoteField.BidSize];
    public readonly double BidIv => Values[(int)QuoteField.BidIv];
    public readonly double AskPrice => Values[(int)QuoteField.AskPrice];
    public readonly double AskSize => Values[(int)QuoteField.AskSize];
    public readonly double AskIv => Values[(int)QuoteField.AskIv];
    public readonly double LastPrice => Values[(int)QuoteField.LastPrice];
    public readonly double HighPrice24h => Values[(int)QuoteField.HighPrice24h];
    public readonly double LowPrice24h => Values[(int)QuoteField.LowPrice24h];
    public readonly double MarkPrice => Values[(int)QuoteField.MarkPrice];
    public readonly double IndexPrice => Values[(int)QuoteField.IndexPrice];
    public readonly double MarkIv => Values[(int)QuoteField.MarkIv];
    public readonly double UnderlyingPrice => Values[(int)QuoteField.UnderlyingPrice];
    public readonly double OpenInterest => Values[(int)QuoteField.OpenInterest];
    public readonly double Turnover24h => Values[(int)QuoteField.Turnover24h];
    public readonly double Volume24h => Values[(int)QuoteField.Volume24h];
    public readonly double TotalVolume => Values[(int)QuoteField.TotalVolume];
    public readonly double TotalTurnover => Values[(int)QuoteField.TotalTurnover];
    public readonly double Delta => Values[(int)QuoteField.Delta];
    public readonly double Gamma => Values[(int)QuoteField.Gamma];
    public readonly double Vega => Values[(int)QuoteField.Vega];
    public readonly double Theta => Values[(int)QuoteField.Theta];
    public readonly double PredictedDeliveryPrice => Values[(int)QuoteField.PredictedDeliveryPrice];
    public readonly double Change24h => Values[(int)QuoteField.Change24h];
}
