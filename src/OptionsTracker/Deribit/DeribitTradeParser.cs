using System.Text.Json;
using OptionsTracker.Tape;

namespace OptionsTracker.Deribit;

/// <summary>One trade as Deribit publishes it (<c>trades.option.{currency}.100ms</c>, <c>public/get_last_trades_by_currency</c>), in its units.</summary>
internal sealed record RawDeribitTrade(
    string Id,
    string InstrumentName,
    long TimeMs,
    long Sequence,
    TradeSide Side,
    double Amount,
    double Price,
    double IvPercent,
    double IndexPrice,
    double MarkPrice,
    string? BlockTradeId)
{
    /// <summary>
    /// The trade's place among the currency's trades of one millisecond: the number in its <c>trade_id</c> ("unique per
    /// currency", increasing; some carry a prefix such as <c>ETH-</c>), not <c>trade_seq</c>, which counts the trades of
    /// one instrument only: two options traded in the same millisecond would be ordered by how often each had traded
    /// before. <c>trade_seq</c> only when the id has no number.
    /// </summary>
    public long CurrencyOrder
    {
        get
        {
            var digits = Id.AsSpan(Id.LastIndexOf('-') + 1);
            return long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
                ? number
                : Sequence;
        }
    }
}

/// <summary>
/// Reads arrays of Deribit trades. Trades are events, rare next to tickers: each becomes a record (their path allocates by
/// nature, like Bybit's). An item without an id, a name, a time, a direction, a price or an amount is counted as bad and
/// skipped; the rest of the array is kept.
/// </summary>
internal static class DeribitTradeParser
{
    /// <summary>Parses a JSON array of trades (the reader on its StartArray, left on its EndArray).</summary>
    public static List<RawDeribitTrade> ReadArray(ref Utf8JsonReader reader, ref int badItems)
    {
        var trades = new List<RawDeribitTrade>();
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException("trades are not an array");
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                badItems++;
                continue;
            }
            if (ReadTrade(ref reader) is { } trade)
                trades.Add(trade);
            else
                badItems++;
        }
        return trades;
    }

    /// <summary>The <c>data</c> array of a trades notification.</summary>
    public static List<RawDeribitTrade> ParseData(ReadOnlySpan<byte> data, out int badItems)
    {
        badItems = 0;
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = 8 });
        if (!reader.Read())
            throw new JsonException("empty data");
        return ReadArray(ref reader, ref badItems);
    }

    /// <summary>The <c>result</c> of <c>public/get_last_trades_by_currency</c>: its trades and whether more exist.</summary>
    public static (List<RawDeribitTrade> Trades, int BadItems, bool HasMore) ParseLastTrades(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
        var bad = 0;
        var hasMore = false;
        List<RawDeribitTrade>? trades = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("not a JSON-RPC reply");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("result"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new JsonException("result is not an object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("trades"u8))
                {
                    reader.Read();
                    trades = ReadArray(ref reader, ref bad);
                }
                else if (reader.ValueTextEquals("has_more"u8))
                {
                    reader.Read();
                    hasMore = reader.TokenType == JsonTokenType.True;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        return (trades ?? throw new JsonException("result has no trades"), bad, hasMore);
    }

    private static RawDeribitTrade? ReadTrade(ref Utf8JsonReader reader)
    {
        string? id = null, name = null, block = null;
        long time = 0, sequence = 0;
        TradeSide? side = null;
        double amount = double.NaN, price = double.NaN, iv = double.NaN, index = double.NaN, mark = double.NaN;
        var valid = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("trade_id"u8))
            {
                reader.Read();
                // Documented as a string; an older reply wrote BTC's as numbers.
                id = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                    _ => null,
                };
            }
            else if (reader.ValueTextEquals("instrument_name"u8))
            {
                reader.Read();
                name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("block_trade_id"u8))
            {
                reader.Read();
                block = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                    _ => null,
                };
            }
            else if (reader.ValueTextEquals("direction"u8))
            {
                reader.Read();
                side = reader.TokenType != JsonTokenType.String ? null
                    : reader.ValueTextEquals("buy"u8) ? TradeSide.Buy
                    : reader.ValueTextEquals("sell"u8) ? TradeSide.Sell
                    : null;
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                valid &= reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out time);
            }
            else if (reader.ValueTextEquals("trade_seq"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number)
                    reader.TryGetInt64(out sequence);
            }
            else if (reader.ValueTextEquals("amount"u8))
                valid &= Number(ref reader, out amount);
            else if (reader.ValueTextEquals("price"u8))
                valid &= Number(ref reader, out price);
            else if (reader.ValueTextEquals("iv"u8))
                valid &= Number(ref reader, out iv);
            else if (reader.ValueTextEquals("index_price"u8))
                valid &= Number(ref reader, out index);
            else if (reader.ValueTextEquals("mark_price"u8))
                valid &= Number(ref reader, out mark);
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (!valid || string.IsNullOrEmpty(id) || string.IsNullOrEmpty(name) || time <= 0 || side is null
            || !(amount > 0) || double.IsNaN(price))
            return null;
        return new RawDeribitTrade(id, name, time, sequence, side.Value, amount, price, iv, index, mark, block);
    }

    private static bool Number(ref Utf8JsonReader reader, out double value)
    {
        reader.Read();
        value = double.NaN;
        if (reader.TokenType == JsonTokenType.Null)
            return true;
        if (reader.TokenType == JsonTokenType.Number)
            return reader.TryGetDouble(out value) && double.IsFinite(value);
        reader.Skip();
        return false;
    }
}
