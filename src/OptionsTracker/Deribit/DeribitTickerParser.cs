using System.Buffers;
using System.Text;
using System.Text.Json;
using OptionsTracker.Book;

namespace OptionsTracker.Deribit;

/// <summary>What one ticker (or book-summary item) did to the book.</summary>
internal enum TickerResult : byte
{
    Applied,
    Unchanged,
    UnknownSymbol,
    Malformed,
}

/// <summary>
/// Reads Deribit's option tickers (<c>ticker.{instrument_name}.100ms</c> data, and <c>public/get_book_summary_by_currency</c>
/// items) with <see cref="Utf8JsonReader"/> straight from the received bytes, normalises them
/// (<see cref="DeribitNormalisation"/>) and applies them to the book. Numbers are JSON numbers; <c>null</c> is missing;
/// unknown fields are skipped. The ticker path allocates nothing: names are matched as UTF-8, the instrument is looked up
/// through a span, and the quote is built on the stack.
/// </summary>
internal static class DeribitTickerParser
{
    private const int MaxNameLength = 96;

    private readonly record struct FieldName(byte[] Utf8, QuoteField Field);

    private static FieldName F(string name, QuoteField field) => new(Encoding.UTF8.GetBytes(name), field);

    // The ticker's top level, in the order Deribit's documentation lists them (the next expected name is tried first).
    private static readonly FieldName[] TickerFields =
    [
        F("best_bid_price", QuoteField.BidPrice),
        F("best_bid_amount", QuoteField.BidSize),
        F("bid_iv", QuoteField.BidIv),
        F("best_ask_price", QuoteField.AskPrice),
        F("best_ask_amount", QuoteField.AskSize),
        F("ask_iv", QuoteField.AskIv),
        F("last_price", QuoteField.LastPrice),
        F("mark_price", QuoteField.MarkPrice),
        F("index_price", QuoteField.IndexPrice),
        F("mark_iv", QuoteField.MarkIv),
        F("underlying_price", QuoteField.UnderlyingPrice),
        F("open_interest", QuoteField.OpenInterest),
        F("estimated_delivery_price", QuoteField.PredictedDeliveryPrice),
    ];

    private static readonly FieldName[] StatsFields =
    [
        F("volume", QuoteField.Volume24h),
        F("volume_usd", QuoteField.Turnover24h),
        F("price_change", QuoteField.Change24h),
        F("high", QuoteField.HighPrice24h),
        F("low", QuoteField.LowPrice24h),
    ];

    private static readonly FieldName[] GreekFields =
    [
        F("delta", QuoteField.Delta),
        F("gamma", QuoteField.Gamma),
        F("vega", QuoteField.Vega),
        F("theta", QuoteField.Theta),
    ];

    // A book-summary item: flat, other names; no sizes, side IVs or Greeks.
    private static readonly FieldName[] SummaryFields =
    [
        F("bid_price", QuoteField.BidPrice),
        F("ask_price", QuoteField.AskPrice),
        F("last", QuoteField.LastPrice),
        F("high", QuoteField.HighPrice24h),
        F("low", QuoteField.LowPrice24h),
        F("mark_price", QuoteField.MarkPrice),
        F("mark_iv", QuoteField.MarkIv),
        F("underlying_price", QuoteField.UnderlyingPrice),
        F("open_interest", QuoteField.OpenInterest),
        F("volume", QuoteField.Volume24h),
        F("volume_usd", QuoteField.Turnover24h),
        F("price_change", QuoteField.Change24h),
        F("estimated_delivery_price", QuoteField.PredictedDeliveryPrice),
    ];

    /// <summary>
    /// Parses the <c>data</c> object of a ticker notification, received at <paramref name="receivedAtMs"/>, and applies it
    /// to <paramref name="venue"/>'s option in the book. Allocation-free.
    /// </summary>
    public static TickerResult ApplyTicker(ReadOnlySpan<byte> data, OptionBook book, Venue venue, long receivedAtMs)
    {
        Span<byte> name = stackalloc byte[MaxNameLength];
        var update = new QuoteUpdate();
        int nameLength;
        long timestamp;
        try
        {
            var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !ReadTicker(ref reader, ref update, name, out nameLength, out timestamp))
                return TickerResult.Malformed;
        }
        catch (JsonException)
        {
            return TickerResult.Malformed;
        }
        catch (InvalidOperationException)
        {
            return TickerResult.Malformed;
        }
        if (nameLength == 0)
            return TickerResult.Malformed;
        if (!TryFindSlot(book.Index, venue, name[..nameLength], out var slot))
            return TickerResult.UnknownSymbol;
        DeribitNormalisation.Normalise(ref update, slot.Instrument);
        update.ExchangeTimeMs = timestamp > 0 ? timestamp : receivedAtMs;
        return book.Apply(slot, update, receivedAtMs) == ApplyResult.Changed ? TickerResult.Applied : TickerResult.Unchanged;
    }

    /// <summary>
    /// Parses a <c>public/get_book_summary_by_currency</c> reply and applies every item of an option in the book, stamped
    /// with its <c>creation_timestamp</c> (the reply's <c>usOut</c> when an item has none). An inverse option's coin prices
    /// become USD at the item's <c>estimated_delivery_price</c>, the only index figure the summary carries (equal to the
    /// index price until the last half hour before delivery); it is also stored as the item's index price, so
    /// <see cref="NativePrice"/> recovers the coin price exactly.
    /// </summary>
    public static SummaryResult ApplyBookSummary(ReadOnlySpan<byte> body, OptionBook book, Venue venue, long nowMs)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
        var updates = new List<(OptionSlot Slot, QuoteUpdate Update, long Time)>();
        Span<byte> name = stackalloc byte[MaxNameLength];
        int items = 0, unknown = 0, malformed = 0;
        long usOut = 0;
        Expect(ref reader, JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("usOut"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number)
                    reader.TryGetInt64(out usOut);
                continue;
            }
            if (!reader.ValueTextEquals("result"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }
            Expect(ref reader, JsonTokenType.StartArray);
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                items++;
                var update = new QuoteUpdate();
                var nameLength = 0;
                long created = 0;
                var valid = true;
                var expected = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("instrument_name"u8))
                    {
                        reader.Read();
                        valid &= TryCopyName(ref reader, name, out nameLength);
                    }
                    else if (reader.ValueTextEquals("creation_timestamp"u8))
                    {
                        reader.Read();
                        valid &= TryReadTime(ref reader, out created);
                    }
                    else
                    {
                        valid &= ReadField(ref reader, SummaryFields, ref update, ref expected);
                    }
                }
                if (!valid || nameLength == 0)
                {
                    malformed++;
                    continue;
                }
                if (!TryFindSlot(book.Index, venue, name[..nameLength], out var slot))
                {
                    unknown++;
                    continue;
                }
                if (update.Has(QuoteField.PredictedDeliveryPrice) && update.Values[(int)QuoteField.PredictedDeliveryPrice] > 0)
                    update.Set(QuoteField.IndexPrice, update.Values[(int)QuoteField.PredictedDeliveryPrice]);
                updates.Add((slot, update, created));
            }
        }
        var fallback = usOut > 0 ? usOut / 1000 : nowMs;
        var changed = 0;
        foreach (var (slot, raw, created) in updates)
        {
            var update = raw;
            DeribitNormalisation.Normalise(ref update, slot.Instrument);
            update.ExchangeTimeMs = created > 0 ? created : fallback;
            if (book.Apply(slot, update, nowMs) == ApplyResult.Changed)
                changed++;
        }
        return new SummaryResult(items, updates.Count, unknown, malformed, changed);
    }

    /// <summary>Reads a ticker object (the reader on its StartObject, left on its EndObject).</summary>
    private static bool ReadTicker(ref Utf8JsonReader reader, ref QuoteUpdate update, scoped Span<byte> name, out int nameLength, out long timestamp)
    {
        nameLength = 0;
        timestamp = 0;
        var valid = true;
        var expected = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("instrument_name"u8))
            {
                reader.Read();
                valid &= TryCopyName(ref reader, name, out nameLength);
            }
            else if (reader.ValueTextEquals("timestamp"u8))
            {
                reader.Read();
                valid &= TryReadTime(ref reader, out timestamp);
            }
            else if (reader.ValueTextEquals("stats"u8))
            {
                valid &= ReadNested(ref reader, StatsFields, ref update);
            }
            else if (reader.ValueTextEquals("greeks"u8))
            {
                valid &= ReadNested(ref reader, GreekFields, ref update);
            }
            else
            {
                valid &= ReadField(ref reader, TickerFields, ref update, ref expected);
            }
        }
        return valid && reader.TokenType == JsonTokenType.EndObject;
    }

    private static bool ReadNested(ref Utf8JsonReader reader, FieldName[] names, ref QuoteUpdate update)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
            return true;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }
        var valid = true;
        var expected = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            valid &= ReadField(ref reader, names, ref update, ref expected);
        return valid;
    }

    /// <summary>Reads the value of the property the reader is on: a known field is set, anything else skipped.</summary>
    private static bool ReadField(ref Utf8JsonReader reader, FieldName[] names, ref QuoteUpdate update, ref int expected)
    {
        var field = Find(ref reader, names, ref expected);
        reader.Read();
        if (field < 0)
        {
            reader.Skip();
            return true;
        }
        if (!TryReadNumber(ref reader, out var value))
            return false;
        update.Set((QuoteField)field, value);
        return true;
    }

    private static int Find(ref Utf8JsonReader reader, FieldName[] names, ref int expected)
    {
        if (expected < names.Length && reader.ValueTextEquals(names[expected].Utf8))
            return (int)names[expected++].Field;
        for (var i = 0; i < names.Length; i++)
        {
            if (reader.ValueTextEquals(names[i].Utf8))
            {
                expected = i + 1;
                return (int)names[i].Field;
            }
        }
        return -1;
    }

    /// <summary>A JSON number, or <c>null</c> (missing, NaN). Anything else is malformed.</summary>
    private static bool TryReadNumber(ref Utf8JsonReader reader, out double value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetDouble(out value) && double.IsFinite(value);
            case JsonTokenType.Null:
                value = double.NaN;
                return true;
            default:
                value = double.NaN;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    reader.Skip();
                return false;
        }
    }

    private static bool TryReadTime(ref Utf8JsonReader reader, out long value)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value))
            return true;
        value = 0;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            reader.Skip();
        return false;
    }

    private static bool TryCopyName(ref Utf8JsonReader reader, scoped Span<byte> name, out int length)
    {
        length = 0;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.ValueSpan.Length > name.Length)
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                reader.Skip();
            return false;
        }
        reader.ValueSpan.CopyTo(name);
        length = reader.ValueSpan.Length;
        return true;
    }

    public static bool TryFindSlot(BookIndex index, Venue venue, ReadOnlySpan<byte> utf8Name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out OptionSlot? slot)
    {
        Span<char> chars = stackalloc char[MaxNameLength];
        if (Ascii.ToUtf16(utf8Name, chars, out var written) != OperationStatus.Done)
        {
            slot = null;
            return false;
        }
        return index.TryGetSlot(venue, chars[..written], out slot);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
            throw new JsonException($"expected {type} at byte {reader.TokenStartIndex}");
    }
}

/// <summary>A book summary applied: items read, of options in the book, of others, unreadable, and quotes changed.</summary>
internal readonly record struct SummaryResult(int Items, int Known, int Unknown, int Malformed, int Changed);
