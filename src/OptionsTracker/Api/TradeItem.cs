using System.Globalization;
using System.Text;
using OptionsTracker.Book;
using OptionsTracker.Tape;

namespace OptionsTracker.Api;

/// <summary>
/// One trade as the API shows it (<c>/api/trades</c>, its CSV, the trade stream, <c>/ws</c>'s trades channel, the flow's
/// largest trades). <c>id</c> is the venue's trade id; <c>sequence</c> the tape's order (the stream's event id);
/// <c>side</c> the taker's; prices and premium in USD, size in contracts of the base coin, IVs as fractions; delta,
/// gamma and vega of one contract at trade time (docs/tape.md). Missing numbers are null.
/// </summary>
public sealed record TradeItem(
    string Id,
    DateTime Time,
    string Symbol,
    string Expiry,
    DateTime ExpiryDate,
    decimal Strike,
    string Type,
    string Side,
    double Size,
    double Price,
    double PremiumUsd,
    double? Iv,
    double? MarkIv,
    double? MarkPrice,
    double? IndexPrice,
    bool Block,
    string? BlockId,
    long Sequence,
    string Venue,
    double? Delta,
    double? Gamma,
    double? Vega)
{
    public static TradeItem From(Trade trade) => new(
        trade.Id,
        trade.Time.UtcDateTime,
        trade.Symbol,
        ExpiryLabelOf(trade),
        trade.ExpiryUtc.UtcDateTime,
        trade.Strike,
        OptionFields.TypeName(trade.Type),
        SideName(trade.Side),
        trade.Size,
        trade.Price,
        trade.PremiumUsd,
        OrNull(trade.Iv),
        OrNull(trade.MarkIv),
        OrNull(trade.MarkPrice),
        OrNull(trade.IndexPrice),
        trade.IsBlock,
        trade.BlockId,
        trade.Sequence,
        trade.Venue.Id,
        OrNull(trade.Delta),
        OrNull(trade.Gamma),
        OrNull(trade.Vega));

    public static string SideName(TradeSide side) => side == TradeSide.Buy ? "Buy" : "Sell";

    internal static string ExpiryLabelOf(Trade trade) => ExpiryLabel.Format(DateOnly.FromDateTime(trade.ExpiryUtc.UtcDateTime));

    private static double? OrNull(double value) => double.IsFinite(value) ? value : null;
}

/// <summary>The trades of <c>/api/trades/{asset}</c>, newest first; <c>last_sequence</c> is the tape's newest (a stream resumes after it).</summary>
public sealed record TradeListResponse(string Asset, int Count, long LastSequence, IReadOnlyList<TradeItem> Data);

/// <summary>Trades as CSV rows: the item's fields in its order (RFC 4180, invariant numbers, empty cell = missing).</summary>
internal static class TradeCsv
{
    public const string Header =
        "id,time,symbol,expiry,expiry_date,strike,type,side,size,price,premium_usd,iv,mark_iv,mark_price,index_price,block,block_id,sequence,venue,delta,gamma,vega";

    public static void AppendRow(StringBuilder line, Trade trade)
    {
        AppendText(line, trade.Id).Append(',');
        line.Append(trade.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(',');
        AppendText(line, trade.Symbol).Append(',');
        line.Append(TradeItem.ExpiryLabelOf(trade)).Append(',');
        line.Append(trade.ExpiryUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(',');
        line.Append(trade.Strike.ToString(CultureInfo.InvariantCulture)).Append(',');
        line.Append(OptionFields.TypeName(trade.Type)).Append(',');
        line.Append(TradeItem.SideName(trade.Side)).Append(',');
        AppendNumber(line, trade.Size).Append(',');
        AppendNumber(line, trade.Price).Append(',');
        AppendNumber(line, trade.PremiumUsd).Append(',');
        AppendNumber(line, trade.Iv).Append(',');
        AppendNumber(line, trade.MarkIv).Append(',');
        AppendNumber(line, trade.MarkPrice).Append(',');
        AppendNumber(line, trade.IndexPrice).Append(',');
        line.Append(trade.IsBlock ? "true" : "false").Append(',');
        if (trade.BlockId is { } blockId)
            AppendText(line, blockId);
        line.Append(',');
        line.Append(trade.Sequence.ToString(CultureInfo.InvariantCulture)).Append(',');
        AppendText(line, trade.Venue.Id).Append(',');
        AppendNumber(line, trade.Delta).Append(',');
        AppendNumber(line, trade.Gamma).Append(',');
        AppendNumber(line, trade.Vega);
    }

    private static StringBuilder AppendNumber(StringBuilder line, double value) =>
        double.IsFinite(value) ? line.Append(value.ToString("R", CultureInfo.InvariantCulture)) : line;

    // Ids and symbols come from the venue: quote one that would break the row, as OptionFields does.
    private static StringBuilder AppendText(StringBuilder line, string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? line.Append(text) : line.Append('"').Append(text.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
}
