using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OptionsTracker.Simulator;

/// <summary>
/// The trade messages exactly as Bybit documents them (bybit-exchange/docs at 072c197): the option stream's
/// <c>publicTrade.{baseCoin}</c> push (websocket/public/trade.mdx), recent-trade's items (market/recent-trade.mdx), and the
/// RFQ stream's <c>rfq.open.public.trades</c> push and <c>/v5/rfq/public-trades</c> items (rfq/websocket/public/
/// public-transaction.mdx, rfq/trade/public-trades.mdx). Numbers are strings where the docs show strings; <c>T</c>,
/// <c>seq</c>, <c>ts</c> and <c>creationTime</c> are JSON numbers. Trades are events, so these may allocate.
/// </summary>
internal static class TradeFrames
{
    public const string TopicPrefix = "publicTrade.";
    public const string RfqTopic = "rfq.open.public.trades";

    /// <summary>
    /// <c>{"id":…,"topic":"publicTrade.BTC","type":"snapshot","ts":…,"data":[{"T":…,"s":…,"S":…,"v":…,"p":…,"i":…,"BT":…,
    /// "RPI":…,"seq":…,"mP":…,"iP":…,"mIv":…,"iv":…}]}</c>: the documented fields for options, in the table's order
    /// (<c>L</c> is for perpetuals and futures only, so options have none); <c>id</c> is the message id the table gives
    /// options alone.
    /// </summary>
    public static byte[] PublicTrade(string messageId, string baseCoin, long timestampMs, IReadOnlyList<SimulatedTrade> trades, int start, int count)
    {
        var buffer = new ArrayBufferWriter<byte>(160 + 320 * count);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id"u8, messageId);
            json.WriteString("topic"u8, TopicPrefix + baseCoin);
            json.WriteString("type"u8, "snapshot"u8);
            json.WriteNumber("ts"u8, timestampMs);
            json.WriteStartArray("data"u8);
            for (int i = start; i < start + count; i++)
            {
                var t = trades[i];
                json.WriteStartObject();
                json.WriteNumber("T"u8, t.TimeMs);
                json.WriteString("s"u8, t.Symbol);
                json.WriteString("S"u8, t.Side);
                WriteNumber(json, "v"u8, t.Size);
                WriteNumber(json, "p"u8, t.Price);
                json.WriteString("i"u8, t.Id);
                json.WriteBoolean("BT"u8, t.IsBlock);
                json.WriteBoolean("RPI"u8, false);
                json.WriteNumber("seq"u8, t.Sequence);
                WriteNumber(json, "mP"u8, t.MarkPrice);
                WriteNumber(json, "iP"u8, t.IndexPrice);
                WriteNumber(json, "mIv"u8, t.MarkIv);
                WriteNumber(json, "iv"u8, t.Iv);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One recent-trade item: <c>execId, symbol, price, size, side, time, isBlockTrade, isRPITrade, mP, iP, mIv, iv, seq</c>.</summary>
    public static void WriteRecentTrade(Utf8JsonWriter json, SimulatedTrade t)
    {
        json.WriteStartObject();
        json.WriteString("execId"u8, t.Id);
        json.WriteString("symbol"u8, t.Symbol);
        WriteNumber(json, "price"u8, t.Price);
        WriteNumber(json, "size"u8, t.Size);
        json.WriteString("side"u8, t.Side);
        json.WriteString("time"u8, t.TimeMs.ToString(CultureInfo.InvariantCulture));
        json.WriteBoolean("isBlockTrade"u8, t.IsBlock);
        json.WriteBoolean("isRPITrade"u8, false);
        WriteNumber(json, "mP"u8, t.MarkPrice);
        WriteNumber(json, "iP"u8, t.IndexPrice);
        WriteNumber(json, "mIv"u8, t.MarkIv);
        WriteNumber(json, "iv"u8, t.Iv);
        json.WriteString("seq"u8, t.Sequence.ToString(CultureInfo.InvariantCulture));
        json.WriteEndObject();
    }

    /// <summary>
    /// <c>{"id":…,"topic":"rfq.open.public.trades","creationTime":…,"data":[block]}</c>: one block per message, all its legs
    /// in it ("All legs in the same block trade are included in the same update").
    /// </summary>
    public static byte[] RfqPush(string messageId, long creationTimeMs, SimulatedBlock block)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + 200 * block.Legs.Count);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id"u8, messageId);
            json.WriteString("topic"u8, RfqTopic);
            json.WriteNumber("creationTime"u8, creationTimeMs);
            json.WriteStartArray("data"u8);
            WriteBlock(json, block);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// One block as both RFQ pages show it, in their examples' order: <c>rfqId, strategyType, legs[{category, symbol, side,
    /// price, qty, markPrice}], createdAt, updatedAt</c>. A leg's <c>markPrice</c> is the expiry's forward: public-trades.mdx
    /// says "the option is the markPrice of the underlying Price".
    /// </summary>
    public static void WriteBlock(Utf8JsonWriter json, SimulatedBlock block)
    {
        json.WriteStartObject();
        json.WriteString("rfqId"u8, block.RfqId);
        json.WriteString("strategyType"u8, block.StrategyType);
        json.WriteStartArray("legs"u8);
        foreach (var leg in block.Legs)
        {
            json.WriteStartObject();
            json.WriteString("category"u8, "option"u8);
            json.WriteString("symbol"u8, leg.Symbol);
            json.WriteString("side"u8, leg.Side);
            WriteNumber(json, "price"u8, leg.Price);
            WriteNumber(json, "qty"u8, leg.Size);
            WriteNumber(json, "markPrice"u8, leg.UnderlyingPrice);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("createdAt"u8, block.CreatedAtMs.ToString(CultureInfo.InvariantCulture));
        json.WriteString("updatedAt"u8, block.UpdatedAtMs.ToString(CultureInfo.InvariantCulture));
        json.WriteEndObject();
    }

    /// <summary>
    /// A bad <c>publicTrade</c> message, cycling through: an item whose numbers are not numbers, <c>data</c> as an object
    /// instead of an array, and truncated JSON. Its trade id (<c>malformed-…</c>) is in no record: nothing real is lost.
    /// </summary>
    public static byte[] Malformed(int kind, string baseCoin, string symbol, long timestampMs)
    {
        string item = string.Create(CultureInfo.InvariantCulture,
            $$"""{"T":{{timestampMs}},"s":"{{symbol}}","S":"Buy","v":"lots","p":"NaN?","i":"malformed-{{timestampMs}}-{{kind}}","BT":false,"RPI":false,"seq":-1,"mP":"x","iP":"","mIv":"?","iv":"-"}""");
        string text = (kind % 3) switch
        {
            0 => $$"""{"id":"malformed","topic":"publicTrade.{{baseCoin}}","type":"snapshot","ts":{{timestampMs}},"data":[{{item}}]}""",
            1 => $$"""{"id":"malformed","topic":"publicTrade.{{baseCoin}}","type":"snapshot","ts":{{timestampMs}},"data":{{item}}}""",
            _ => $$"""{"id":"malformed","topic":"publicTrade.{{baseCoin}}","type":"snapshot","ts":{{timestampMs}},"data":[{"T":{{timestampMs}},"s":"{{symbol}}","S":"Bu""",
        };
        return Encoding.UTF8.GetBytes(text);
    }

    private static void WriteNumber(Utf8JsonWriter json, ReadOnlySpan<byte> name, double value)
    {
        Span<byte> text = stackalloc byte[PlainNumber.MaxLength];
        if (!PlainNumber.TryFormat(value, text, out int written))
        {
            text[0] = (byte)'0';
            written = 1;
        }

        json.WriteString(name, text[..written]);
    }
}
