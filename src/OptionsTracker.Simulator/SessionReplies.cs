using System.Buffers;
using System.Text;
using System.Text.Json;

namespace OptionsTracker.Simulator;

/// <summary>
/// The WebSocket's non-push messages, exactly as Bybit's option stream sends them. These are rare, so they may allocate.
/// </summary>
internal static class SessionReplies
{
    /// <summary>
    /// The option subscribe/unsubscribe ack: <c>{"success":true,"conn_id":…,"data":{"failTopics":[…],"successTopics":[…]},"type":"COMMAND_RESP"}</c>.
    /// Bybit documents no <c>op</c>, <c>ret_msg</c> or <c>req_id</c> in it, so clients must match acks by topic.
    /// </summary>
    public static byte[] CommandResponse(string connectionId, IReadOnlyList<string> failTopics, IReadOnlyList<string> successTopics)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + 48 * (failTopics.Count + successTopics.Count));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("success"u8, true);
            json.WriteString("conn_id"u8, connectionId);
            json.WriteStartObject("data"u8);
            json.WriteStartArray("failTopics"u8);
            foreach (string topic in failTopics)
                json.WriteStringValue(topic);
            json.WriteEndArray();
            json.WriteStartArray("successTopics"u8);
            foreach (string topic in successTopics)
                json.WriteStringValue(topic);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString("type"u8, "COMMAND_RESP"u8);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The option pong: <c>{"args":["&lt;ms&gt;"],"op":"pong"}</c>.</summary>
    public static byte[] Pong(long timestampMs) =>
        Encoding.ASCII.GetBytes($"{{\"args\":[\"{timestampMs}\"],\"op\":\"pong\"}}");

    /// <summary>
    /// A rejected subscribe or unsubscribe in the public V5 form seen in the wild (facts §10; sieblyio/bybit-api issue 561):
    /// <c>{"success":false,"ret_msg":"error:…","conn_id":…,"req_id":…,"op":"subscribe"}</c>, with no <c>type</c> and no
    /// topics, so a client can tell which topics were rejected only by the <c>req_id</c> it sent.
    /// </summary>
    public static byte[] Rejection(string connectionId, string? reqId, string op, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(160);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("success"u8, false);
            json.WriteString("ret_msg"u8, message);
            json.WriteString("conn_id"u8, connectionId);
            json.WriteString("req_id"u8, reqId ?? "");
            json.WriteString("op"u8, op);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The reply to a request that is not valid (Bybit's exact shape here is unverified).</summary>
    public static byte[] Error(string connectionId, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("success"u8, false);
            json.WriteString("ret_msg"u8, message);
            json.WriteString("conn_id"u8, connectionId);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// One bad message of the given kind: 0 garbage bytes, 1 truncated JSON, 2 a ticker whose numbers are not numbers,
    /// 3 a ticker whose data is an array. All valid UTF-8, so a client's WebSocket layer passes them up to its parser.
    /// </summary>
    public static byte[] Malformed(int kind, Random random, InstrumentState? instrument, long timestampMs)
    {
        string symbol = instrument?.Symbol ?? "BTC-1JAN30-100000-C-USDT";
        switch (kind)
        {
            case 0:
            {
                var garbage = new byte[random.Next(8, 64)];
                for (int i = 0; i < garbage.Length; i++)
                    garbage[i] = (byte)random.Next(1, 128);
                return garbage;
            }

            case 1:
            {
                byte[] whole = ValidFrame(instrument, symbol, timestampMs);
                return whole.AsSpan(0, whole.Length / 2).ToArray();
            }

            case 2:
            {
                string[] bad = ["abc", "1.2.3", "--5", "0x1F", "12e", "one", " ", "1,5"];
                var text = new StringBuilder();
                text.Append($"{{\"id\":\"tickers.{symbol}-0-{timestampMs}\",\"topic\":\"tickers.{symbol}\",\"ts\":{timestampMs},\"data\":{{\"symbol\":\"{symbol}\"");
                int i = 0;
                foreach (string field in WebSocketNumberFields)
                    text.Append($",\"{field}\":\"{bad[i++ % bad.Length]}\"");
                text.Append("},\"type\":\"snapshot\"}");
                return Encoding.ASCII.GetBytes(text.ToString());
            }

            default:
            {
                string valid = Encoding.ASCII.GetString(ValidFrame(instrument, symbol, timestampMs));
                return Encoding.ASCII.GetBytes(valid
                    .Replace("\"data\":{", "\"data\":[{", StringComparison.Ordinal)
                    .Replace("},\"type\":\"snapshot\"}", "}],\"type\":\"snapshot\"}", StringComparison.Ordinal));
            }
        }
    }

    private static readonly string[] WebSocketNumberFields =
    [
        "bidPrice", "bidSize", "bidIv", "askPrice", "askSize", "askIv", "lastPrice", "highPrice24h", "lowPrice24h",
        "markPrice", "indexPrice", "markPriceIv", "underlyingPrice", "openInterest", "turnover24h", "volume24h",
        "totalVolume", "totalTurnover", "delta", "gamma", "vega", "theta", "predictedDeliveryPrice", "change24h",
    ];

    private static byte[] ValidFrame(InstrumentState? instrument, string symbol, long timestampMs)
    {
        var ticker = instrument?.ReadTicker() ?? new SimulatedTicker { Symbol = symbol, MarkPrice = 1 };
        var buffer = new byte[TickerFrame.Capacity];
        int length = TickerFrame.Write(buffer, Encoding.ASCII.GetBytes(symbol), in ticker, 0, timestampMs);
        return buffer.AsSpan(0, length).ToArray();
    }
}
