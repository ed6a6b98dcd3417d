using System.Globalization;
using OptionsTracker.Book;
using StackExchange.Redis;

namespace OptionsTracker.Tape;

/// <summary>
/// A trade as one entry of its coin's Redis stream (<c>trades:{COIN}</c>). The entry's id is <c>{sequence}-0</c>: the
/// tape's sequence is the stream's order, so Redis itself refuses an entry that is not after the last one (a collector
/// can never write a sequence twice), and a reader resumes with <c>XREAD … {sequence}-0</c>. Every field of
/// <see cref="Trade"/> is written, always the same fields in the same order (a value not sent as <c>NaN</c>, no block
/// id as an empty string): Redis stores the field names of a stream once per node of entries that repeat them, so they
/// cost nothing per entry. Numbers in the invariant culture, doubles round-trip exact ("R").
/// </summary>
public static class TradeStreamEntry
{
    private static readonly string[] Fields =
    [
        "venue", "id", "symbol", "coin", "expiry", "strike", "type", "time", "side", "size", "price", "iv", "mark_iv",
        "mark_price", "index_price", "delta", "gamma", "vega", "block", "block_id", "exchange_seq", "sequence",
    ];

    /// <summary>The stream entry id of a sequence.</summary>
    public static RedisValue Id(long sequence) => string.Create(CultureInfo.InvariantCulture, $"{sequence}-0");

    /// <summary>The sequence an entry id carries (its milliseconds part); false for an id this tape did not write.</summary>
    public static bool TryParseId(RedisValue id, out long sequence)
    {
        var text = (string?)id ?? "";
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        return long.TryParse(dash < 0 ? text : text[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out sequence) && sequence > 0;
    }

    public static NameValueEntry[] ToEntries(Trade trade) =>
    [
        new(Fields[0], trade.Venue.Id),
        new(Fields[1], trade.Id),
        new(Fields[2], trade.Symbol),
        new(Fields[3], trade.BaseCoin),
        new(Fields[4], trade.ExpiryUtc.ToUnixTimeMilliseconds()),
        new(Fields[5], trade.Strike.ToString(CultureInfo.InvariantCulture)),
        new(Fields[6], trade.Type == OptionType.Put ? "P" : "C"),
        new(Fields[7], trade.TimeMs),
        new(Fields[8], trade.Side == TradeSide.Sell ? "sell" : "buy"),
        new(Fields[9], Number(trade.Size)),
        new(Fields[10], Number(trade.Price)),
        new(Fields[11], Number(trade.Iv)),
        new(Fields[12], Number(trade.MarkIv)),
        new(Fields[13], Number(trade.MarkPrice)),
        new(Fields[14], Number(trade.IndexPrice)),
        new(Fields[15], Number(trade.Delta)),
        new(Fields[16], Number(trade.Gamma)),
        new(Fields[17], Number(trade.Vega)),
        new(Fields[18], trade.IsBlock ? 1 : 0),
        new(Fields[19], trade.BlockId ?? ""),
        new(Fields[20], trade.ExchangeSequence),
        new(Fields[21], trade.Sequence),
    ];

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads an entry back; false, with the reason, for an entry that is not a trade this tape wrote (a missing or
    /// unreadable field, an id that is not its sequence): the reader logs and skips it, and loses nothing else.
    /// </summary>
    public static bool TryParse(StreamEntry entry, out Trade trade, out string error)
    {
        trade = null!;
        if (!TryParseId(entry.Id, out var sequence))
        {
            error = "its id is not a tape sequence";
            return false;
        }
        var values = new Dictionary<string, string>(Fields.Length, StringComparer.Ordinal);
        foreach (var pair in entry.Values)
            values[(string)pair.Name!] = (string?)pair.Value ?? "";
        foreach (var field in Fields)
        {
            if (!values.ContainsKey(field))
            {
                error = $"field '{field}' is missing";
                return false;
            }
        }
        error = "";
        try
        {
            if (!Venue.TryParse(values["venue"], out var venue))
                throw new FormatException($"venue '{values["venue"]}' is not a venue id");
            var type = values["type"] switch
            {
                "C" => OptionType.Call,
                "P" => OptionType.Put,
                var other => throw new FormatException($"type '{other}' is neither C nor P"),
            };
            var side = values["side"] switch
            {
                "buy" => TradeSide.Buy,
                "sell" => TradeSide.Sell,
                var other => throw new FormatException($"side '{other}' is neither buy nor sell"),
            };
            if (values["id"].Length == 0 || values["symbol"].Length == 0 || values["coin"].Length == 0)
                throw new FormatException("id, symbol and coin must not be empty");
            trade = new Trade
            {
                Venue = venue,
                Id = values["id"],
                Symbol = values["symbol"],
                BaseCoin = values["coin"],
                ExpiryUtc = DateTimeOffset.FromUnixTimeMilliseconds(Integer(values, "expiry")),
                Strike = decimal.Parse(values["strike"], NumberStyles.Number, CultureInfo.InvariantCulture),
                Type = type,
                TimeMs = Integer(values, "time"),
                Side = side,
                Size = Double(values, "size"),
                Price = Double(values, "price"),
                Iv = Double(values, "iv"),
                MarkIv = Double(values, "mark_iv"),
                MarkPrice = Double(values, "mark_price"),
                IndexPrice = Double(values, "index_price"),
                Delta = Double(values, "delta"),
                Gamma = Double(values, "gamma"),
                Vega = Double(values, "vega"),
                IsBlock = values["block"] == "1",
                BlockId = values["block_id"] is { Length: > 0 } block ? block : null,
                ExchangeSequence = Integer(values, "exchange_seq"),
                // The id is the sequence Redis ordered the entry by: it wins over the field (they agree when this tape wrote both).
                Sequence = sequence,
            };
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            error = e.Message;
            return false;
        }
    }

    private static long Integer(Dictionary<string, string> values, string field) =>
        long.TryParse(values[field], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{field} '{values[field]}' is not an integer");

    private static double Double(Dictionary<string, string> values, string field) =>
        double.TryParse(values[field], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{field} '{values[field]}' is not a number");
}
