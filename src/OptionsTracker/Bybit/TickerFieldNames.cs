using OptionsTracker.Book;

namespace OptionsTracker.Bybit;

/// <summary>
/// Ticker field names on the wire. The WebSocket and REST names differ for the book and the mark IV
/// (<c>bidPrice</c> vs <c>bid1Price</c>, <c>markPriceIv</c> vs <c>markIv</c>; bybit-v5-options.md §3, §5), so
/// each side has its own table and a name from the other side is an unknown field, skipped.
/// Tables are in the exchange's order: the parser tries the entry after the last match first.
/// </summary>
internal static class TickerFieldNames
{
    public static readonly FieldName[] WebSocket =
    [
        new("bidPrice"u8.ToArray(), QuoteField.BidPrice),
        new("bidSize"u8.ToArray(), QuoteField.BidSize),
        new("bidIv"u8.ToArray(), QuoteField.BidIv),
        new("askPrice"u8.ToArray(), QuoteField.AskPrice),
        new("askSize"u8.ToArray(), QuoteField.AskSize),
        new("askIv"u8.ToArray(), QuoteField.AskIv),
        .. SharedBeforeMarkIv(),
        new("markPriceIv"u8.ToArray(), QuoteField.MarkIv),
        .. SharedAfterMarkIv(),
    ];

    public static readonly FieldName[] Rest =
    [
        new("bid1Price"u8.ToArray(), QuoteField.BidPrice),
        new("bid1Size"u8.ToArray(), QuoteField.BidSize),
        new("bid1Iv"u8.ToArray(), QuoteField.BidIv),
        new("ask1Price"u8.ToArray(), QuoteField.AskPrice),
        new("ask1Size"u8.ToArray(), QuoteField.AskSize),
        new("ask1Iv"u8.ToArray(), QuoteField.AskIv),
        .. SharedBeforeMarkIv(),
        new("markIv"u8.ToArray(), QuoteField.MarkIv),
        .. SharedAfterMarkIv(),
    ];

    // The names both sides use, in the exchange's order around the mark IV. Methods, not fields: static fields are set
    // in the order written, so the tables above would read these before they were set.
    private static FieldName[] SharedBeforeMarkIv() =>
    [
        new("lastPrice"u8.ToArray(), QuoteField.LastPrice),
        new("highPrice24h"u8.ToArray(), QuoteField.HighPrice24h),
        new("lowPrice24h"u8.ToArray(), QuoteField.LowPrice24h),
        new("markPrice"u8.ToArray(), QuoteField.MarkPrice),
        new("indexPrice"u8.ToArray(), QuoteField.IndexPrice),
    ];

    private static FieldName[] SharedAfterMarkIv() =>
    [
        new("underlyingPrice"u8.ToArray(), QuoteField.UnderlyingPrice),
        new("openInterest"u8.ToArray(), QuoteField.OpenInterest),
        new("turnover24h"u8.ToArray(), QuoteField.Turnover24h),
        new("volume24h"u8.ToArray(), QuoteField.Volume24h),
        new("totalVolume"u8.ToArray(), QuoteField.TotalVolume),
        new("totalTurnover"u8.ToArray(), QuoteField.TotalTurnover),
        new("delta"u8.ToArray(), QuoteField.Delta),
        new("gamma"u8.ToArray(), QuoteField.Gamma),
        new("vega"u8.ToArray(), QuoteField.Vega),
        new("theta"u8.ToArray(), QuoteField.Theta),
        new("predictedDeliveryPrice"u8.ToArray(), QuoteField.PredictedDeliveryPrice),
        new("change24h"u8.ToArray(), QuoteField.Change24h),
    ];
}

internal sealed record FieldName(byte[] Utf8, QuoteField Field);
