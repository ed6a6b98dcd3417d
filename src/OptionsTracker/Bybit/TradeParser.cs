using System.Globalization;
using System.Text;
using System.Text.Json;
using OptionsTracker.Tape;

namespace OptionsTracker.Bybit;

/// <summary>
/// One trade as Bybit writes it, before it meets the book: the same for the <c>publicTrade.{baseCoin}</c> stream
/// (<c>i, s, T, S, v, p, BT, RPI, seq, mP, iP, mIv, iv</c>) and the <c>/v5/market/recent-trade</c> answer
/// (<c>execId, symbol, time, side, size, price, isBlockTrade, isRPITrade, seq, mP, iP, mIv, iv</c>). Prices in USD, IVs as
/// fractions; NaN where Bybit gave nothing (<c>""</c> or absent).
/// </summary>
internal readonly record struct RawTrade(
    string Id,
    string Symbol,
    long TimeMs,
    TradeSide Side,
    double Size,
    double Price,
    double Iv,
    double MarkIv,
    double MarkPrice,
    double IndexPrice,
    bool IsBlock,
    bool IsRpi,
    long Sequence);

/// <summary>One leg of a block trade on the RFQ stream (<c>legs[]</c>): its product, symbol, side, price and quantity.</summary>
internal readonly record struct RfqLeg(string Category, string Symbol, string Side, double Price, double Qty);

/// <summary>One block trade on <c>rfq.open.public.trades</c>: <c>rfqId</c> and every leg, in one message.</summary>
internal sealed record RfqBlock(string RfqId, string StrategyType, long CreatedAtMs, long UpdatedAtMs, IReadOnlyList<RfqLeg> Legs);

/// <summary>
/// Reads Bybit's trade messages with <see cref="Utf8JsonReader"/>: the <c>publicTrade</c> frames of the option stream, the
/// recent-trade REST answer, and the RFQ stream's block trades. Numbers may come as strings (<c>"0.14"</c>, and REST's
/// <c>time</c> and <c>seq</c>) or as JSON numbers (the stream's <c>T</c> and <c>seq</c>): both are read. An item without
/// an id, a symbol, a time, a side, a positive size or a finite price is not a trade and is counted as bad; the others of
/// the same message are kept. Trades are events, so this path may allocate (a string per id and symbol); the ticker path
/// is another parser.
/// </summary>
internal static class TradeParser
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16 };

    /// <summary>
    /// Reads a <c>publicTrade</c> frame's <c>data</c> items into <paramref name="trades"/>. False when the frame is not a
    /// JSON object with a <c>data</c> array (nothing of it is kept); <paramref name="badItems"/> counts items that were not
    /// trades.
    /// </summary>
    public static bool TryParseFrame(ReadOnlySpan<byte> frame, List<RawTrade> trades, out int badItems) =>
        TryParseDataFrame(frame, trades, ReadItems, out badItems);

    /// <summary>
    /// Reads a <c>/v5/market/recent-trade</c> answer. Throws <see cref="BybitApiException"/> for a non-zero <c>retCode</c> and
    /// <see cref="JsonException"/> when it is not such an answer; <paramref name="badItems"/> counts items that were not trades.
    /// </summary>
    public static List<RawTrade> ParseRecentTrades(ReadOnlySpan<byte> body, string request, out int badItems)
    {
        var trades = new List<RawTrade>();
        badItems = ParseResultList(body, request, "recent-trade", trades, ReadItems);
        return trades;
    }

    /// <summary>
    /// Reads a <c>/v5/rfq/public-trades</c> answer (rfq/trade/public-trades.mdx: <c>result.list</c> of blocks shaped like
    /// the RFQ stream's items, <c>result.cursor</c>). Throws like <see cref="ParseRecentTrades"/>; <paramref name="badItems"/>
    /// counts blocks without an <c>rfqId</c> or legs.
    /// </summary>
    public static List<RfqBlock> ParseRfqPublicTrades(ReadOnlySpan<byte> body, string request, out int badItems)
    {
        var blocks = new List<RfqBlock>();
        badItems = ParseResultList(body, request, "rfq public-trades", blocks, ReadBlocks);
        return blocks;
    }

    /// <summary>A V5 answer's <c>result.list</c> read by <paramref name="readItems"/>; returns how many items were not items.</summary>
    private static int ParseResultList<T>(ReadOnlySpan<byte> body, string request, string what, List<T> items, DataItemsReader<T> readItems)
    {
        var badItems = 0;
        int? retCode = null;
        string? retMsg = null;
        var hasList = false;
        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new JsonException($"{what} answer is not a JSON object ({request})");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("retCode"u8))
                {
                    reader.Read();
                    retCode = reader.TokenType == JsonTokenType.Number ? reader.GetInt32() : int.Parse(reader.GetString()!, CultureInfo.InvariantCulture);
                }
                else if (reader.ValueTextEquals("retMsg"u8))
                {
                    reader.Read();
                    retMsg = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("result"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isList = reader.ValueTextEquals("list"u8);
                        reader.Read();
                        if (isList && reader.TokenType == JsonTokenType.StartArray)
                        {
                            hasList = true;
                            badItems += readItems(ref reader, items);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or OverflowException)
        {
            throw new JsonException($"{what} answer unreadable ({request}): {ex.Message}", ex);
        }
        if (retCode is not 0)
        {
            if (retCode is { } code)
                throw new BybitApiException(code, retMsg ?? "no retMsg", request);
            throw new JsonException($"{what} answer has no retCode ({request})");
        }
        if (!hasList)
            throw new JsonException($"{what} answer has no result list ({request})");
        return badItems;
    }

    /// <summary>
    /// Reads an <c>rfq.open.public.trades</c> message into <paramref name="blocks"/>. False when it is not a JSON object
    /// with a <c>data</c> array; a block without an <c>rfqId</c> or legs is skipped and counted in <paramref name="badItems"/>.
    /// </summary>
    public static bool TryParseRfq(ReadOnlySpan<byte> frame, List<RfqBlock> blocks, out int badItems) =>
        TryParseDataFrame(frame, blocks, ReadBlocks, out badItems);

    /// <summary>The items of one <c>data</c> array, the reader on its start; returns how many items were not items.</summary>
    private delegate int DataItemsReader<T>(ref Utf8JsonReader reader, List<T> items);

    /// <summary>
    /// The envelope both streams share: a JSON object whose <c>data</c> array holds the items. False (and nothing of the
    /// frame kept in <paramref name="items"/>) when it is not one; <paramref name="badItems"/> counts items that were not.
    /// </summary>
    private static bool TryParseDataFrame<T>(ReadOnlySpan<byte> frame, List<T> items, DataItemsReader<T> readItems, out int badItems)
    {
        badItems = 0;
        var start = items.Count;
        try
        {
            var reader = new Utf8JsonReader(frame, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            var hasData = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isData = reader.ValueTextEquals("data"u8);
                reader.Read();
                if (!isData)
                {
                    reader.Skip();
                    continue;
                }
                if (reader.TokenType != JsonTokenType.StartArray)
                    return Fail(items, start);
                hasData = true;
                badItems += readItems(ref reader, items);
            }
            return hasData || Fail(items, start);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Fail(items, start);
        }
    }

    /// <summary>The blocks of an RFQ message's <c>data</c> array; a block without an <c>rfqId</c> or legs is counted, not kept.</summary>
    private static int ReadBlocks(ref Utf8JsonReader reader, List<RfqBlock> blocks)
    {
        var bad = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                bad++;
                continue;
            }
            if (ReadBlock(ref reader) is { } block)
                blocks.Add(block);
            else
                bad++;
        }
        return bad;
    }

    private static bool Fail<T>(List<T> items, int start)
    {
        items.RemoveRange(start, items.Count - start);
        return false;
    }
    /// <summary>Reads the items of an array (the reader on its StartArray), adding the trades; returns how many were not.</summary>
    private static int ReadItems(ref Utf8JsonReader reader, List<RawTrade> trades)
    {
        var bad = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                bad++;
                continue;
            }
            if (ReadTrade(ref reader, out var trade))
                trades.Add(trade);
            else
                bad++;
        }
        return bad;
    }

    /// <summary>One item (the reader on its StartObject; on its EndObject after). Stream and REST names are both read.</summary>
    private static bool ReadTrade(ref Utf8JsonReader reader, out RawTrade trade)
    {
        string? id = null, symbol = null;
        long time = 0, sequence = 0;
        TradeSide? side = null;
        double size = double.NaN, price = double.NaN, iv = double.NaN, markIv = double.NaN, markPrice = double.NaN, indexPrice = double.NaN;
        bool isBlock = false, isRpi = false, valid = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("i"u8) || reader.ValueTextEquals("execId"u8))
                id = ReadText(ref reader);
            else if (reader.ValueTextEquals("s"u8) || reader.ValueTextEquals("symbol"u8))
                symbol = ReadText(ref reader);
            else if (reader.ValueTextEquals("T"u8) || reader.ValueTextEquals("time"u8))
                valid &= TryReadInt64(ref reader, out time);
            else if (reader.ValueTextEquals("S"u8) || reader.ValueTextEquals("side"u8))
                side = ReadSide(ref reader);
            else if (reader.ValueTextEquals("v"u8) || reader.ValueTextEquals("size"u8))
                size = ReadDouble(ref reader);
            else if (reader.ValueTextEquals("p"u8) || reader.ValueTextEquals("price"u8))
                price = ReadDouble(ref reader);
            else if (reader.ValueTextEquals("iv"u8))
                iv = ReadDouble(ref reader);
            else if (reader.ValueTextEquals("mIv"u8))
                markIv = ReadDouble(ref reader);
            else if (reader.ValueTextEquals("mP"u8))
                markPrice = ReadDouble(ref reader);
            else if (reader.ValueTextEquals("iP"u8))
                indexPrice = ReadDouble(ref reader);
            else if (reader.ValueTextEquals("BT"u8) || reader.ValueTextEquals("isBlockTrade"u8))
                isBlock = ReadBool(ref reader);
            else if (reader.ValueTextEquals("RPI"u8) || reader.ValueTextEquals("isRPITrade"u8))
                isRpi = ReadBool(ref reader);
            else if (reader.ValueTextEquals("seq"u8))
                TryReadInt64(ref reader, out sequence); // informative only: a bad seq does not make a bad trade
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        valid &= !string.IsNullOrEmpty(id) && !string.IsNullOrEmpty(symbol) && time > 0 && side is not null
            && double.IsFinite(size) && size > 0 && double.IsFinite(price) && price >= 0;
        trade = valid
            ? new RawTrade(id!, symbol!, time, side!.Value, size, price, iv, markIv, markPrice, indexPrice, isBlock, isRpi, sequence)
            : default;
        return valid;
    }

    private static RfqBlock? ReadBlock(ref Utf8JsonReader reader)
    {
        string? rfqId = null, strategy = null;
        long created = 0, updated = 0;
        List<RfqLeg>? legs = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("rfqId"u8))
                rfqId = ReadText(ref reader);
            else if (reader.ValueTextEquals("strategyType"u8))
                strategy = ReadText(ref reader);
            else if (reader.ValueTextEquals("createdAt"u8))
                TryReadInt64(ref reader, out created);
            else if (reader.ValueTextEquals("updatedAt"u8))
                TryReadInt64(ref reader, out updated);
            else if (reader.ValueTextEquals("legs"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }
                legs = [];
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }
                    if (ReadLeg(ref reader) is { } leg)
                        legs.Add(leg);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return string.IsNullOrEmpty(rfqId) || legs is not { Count: > 0 }
            ? null
            : new RfqBlock(rfqId, strategy ?? "", created, updated, legs);
    }

    private static RfqLeg? ReadLeg(ref Utf8JsonReader reader)
    {
        string? category = null, symbol = null, side = null;
        double price = double.NaN, qty = double.NaN;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("category"u8))
                category = ReadText(ref reader);
            else if (reader.ValueTextEquals("symbol"u8))
                symbol = ReadText(ref reader);
            else if (reader.ValueTextEquals("side"u8))
                side = ReadText(ref reader);
            else if (reader.ValueTextEquals("price"u8))
                price = ReadDouble(ref reader);
            else if (reader.ValueTextEquals("qty"u8))
                qty = ReadDouble(ref reader);
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return string.IsNullOrEmpty(symbol) || !double.IsFinite(qty) || qty <= 0
            ? null
            : new RfqLeg(category ?? "", symbol, side ?? "", price, qty);
    }

    /// <summary>A string value (a number is taken as its text); null for anything else.</summary>
    private static string? ReadText(ref Utf8JsonReader reader)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                return Encoding.UTF8.GetString(reader.ValueSpan);
            default:
                reader.Skip();
                return null;
        }
    }

    private static TradeSide? ReadSide(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return null;
        }
        // Bybit writes "Buy"/"Sell"; the RFQ stream's documentation says "buy"/"sell": either is read.
        if (reader.ValueTextEquals("Buy"u8) || reader.ValueTextEquals("buy"u8))
            return TradeSide.Buy;
        if (reader.ValueTextEquals("Sell"u8) || reader.ValueTextEquals("sell"u8))
            return TradeSide.Sell;
        return null;
    }

    /// <summary>A number written as a string or as a JSON number; <c>""</c>, null and anything unreadable are NaN.</summary>
    private static double ReadDouble(ref Utf8JsonReader reader)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetDouble(out var number) ? number : double.NaN;
            case JsonTokenType.String:
                if (reader.ValueIsEscaped)
                    return double.NaN;
                return System.Buffers.Text.Utf8Parser.TryParse(reader.ValueSpan, out double value, out var consumed)
                    && consumed == reader.ValueSpan.Length && double.IsFinite(value) ? value : double.NaN;
            default:
                reader.Skip();
                return double.NaN;
        }
    }

    private static bool TryReadInt64(ref Utf8JsonReader reader, out long value)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetInt64(out value);
            case JsonTokenType.String:
                value = 0;
                return !reader.ValueIsEscaped && System.Buffers.Text.Utf8Parser.TryParse(reader.ValueSpan, out value, out var consumed)
                    && consumed == reader.ValueSpan.Length;
            default:
                reader.Skip();
                value = 0;
                return false;
        }
    }

    private static bool ReadBool(ref Utf8JsonReader reader)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.String:
                return reader.ValueTextEquals("true"u8);
            default:
                reader.Skip();
                return false;
        }
    }
}
