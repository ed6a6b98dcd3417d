using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OptionsTracker.Book;

namespace OptionsTracker.Bybit;

/// <summary>
/// Reads Bybit option messages with <see cref="Utf8JsonReader"/> straight from the received bytes and
/// applies tickers to the book. Numbers arrive as strings (<c>"0.4896"</c>); <c>""</c> means missing and is
/// stored as NaN; unknown fields are skipped. The ticker path allocates nothing: field names are matched as
/// UTF-8, the symbol is looked up through a span, and the quote is built on the stack.
/// </summary>
internal static class TickerParser
{
    private const int MaxSymbolLength = 96;

    /// <summary>Parses one WebSocket message. <paramref name="response"/> is set for <see cref="MessageKind.CommandResponse"/>.</summary>
    public static MessageKind ParseMessage(ReadOnlySpan<byte> message, OptionBook book, out CommandResponse? response) =>
        ParseMessage(message, book, book.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(), out response);

    /// <summary>
    /// Parses one WebSocket message received at <paramref name="receivedAtMs"/> (local clock, ms since the Unix epoch).
    /// The shard reads the clock once per message and passes it here, so the hot path reads it once, not twice.
    /// </summary>
    public static MessageKind ParseMessage(ReadOnlySpan<byte> message, OptionBook book, long receivedAtMs, out CommandResponse? response)
    {
        response = null;
        try
        {
            return ParseMessageCore(message, book, receivedAtMs, ref response);
        }
        catch (JsonException)
        {
            return MessageKind.Malformed;
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader throws this when a value is of another token type than asked for.
            return MessageKind.Malformed;
        }
    }

    private static MessageKind ParseMessageCore(ReadOnlySpan<byte> message, OptionBook book, long receivedAtMs, ref CommandResponse? response)
    {
        var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = 8 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return MessageKind.Malformed;

        Span<byte> symbolBuffer = stackalloc byte[MaxSymbolLength];
        var symbolLength = 0;
        var update = new QuoteUpdate();
        var hasTicker = false;
        var tickerInvalid = false;
        long ts = 0;
        var isCommandResponse = false;
        var isPong = false;
        var success = false;
        var hasSuccess = false;
        string? retMsg = null;
        string? reqId = null;
        string? op = null;
        List<string>? successTopics = null;
        List<string>? failTopics = null;
        var kind = MessageKind.Other;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("topic"u8) || reader.ValueTextEquals("id"u8))
            {
                reader.Read();
            }
            else if (reader.ValueTextEquals("ts"u8))
            {
                reader.Read();
                if (!TryReadInt64(ref reader, out ts))
                    return MessageKind.Malformed;
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    var result = ReadDataObject(ref reader, TickerFieldNames.WebSocket, ref update, symbolBuffer, out symbolLength, ref successTopics, ref failTopics);
                    hasTicker = result != DataObject.NotTicker;
                    tickerInvalid = result == DataObject.InvalidTicker;
                    if (hasTicker && !tickerInvalid && ts != 0)
                    {
                        // ts normally precedes data: apply now, nothing to keep.
                        update.ExchangeTimeMs = ts;
                        kind = ApplyTicker(book, symbolBuffer[..symbolLength], update, receivedAtMs);
                        hasTicker = false;
                    }
                }
                else if (reader.TokenType == JsonTokenType.StartArray)
                {
                    // The docs' field table says array while every example is an object: accept both.
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        update = new QuoteUpdate();
                        var result = ReadDataObject(ref reader, TickerFieldNames.WebSocket, ref update, symbolBuffer, out symbolLength, ref successTopics, ref failTopics);
                        if (result == DataObject.InvalidTicker)
                            return MessageKind.Malformed;
                        if (result == DataObject.Ticker)
                        {
                            update.ExchangeTimeMs = ts != 0 ? ts : receivedAtMs;
                            var applied = ApplyTicker(book, symbolBuffer[..symbolLength], update, receivedAtMs);
                            kind = kind == MessageKind.Ticker ? kind : applied;
                        }
                    }
                    if (reader.TokenType != JsonTokenType.EndArray)
                        return MessageKind.Malformed;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                isCommandResponse = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("COMMAND_RESP"u8);
            }
            else if (reader.ValueTextEquals("op"u8))
            {
                reader.Read();
                isPong |= reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("pong"u8);
                // Only replies to our own requests name these (never a ticker): a string here costs nothing on the hot path.
                if (reader.TokenType == JsonTokenType.String && (reader.ValueTextEquals("subscribe"u8) || reader.ValueTextEquals("unsubscribe"u8)))
                    op = reader.GetString();
            }
            else if (reader.ValueTextEquals("req_id"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                    reqId = reader.GetString();
                else
                    reader.Skip();
            }
            else if (reader.ValueTextEquals("ret_msg"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    // Linear-style pongs say ret_msg "pong" (facts §4: op=="pong" || ret_msg=="pong").
                    isPong |= reader.ValueTextEquals("pong"u8);
                    if (!isPong)
                        retMsg = reader.GetString();
                }
            }
            else if (reader.ValueTextEquals("success"u8))
            {
                reader.Read();
                success = reader.TokenType == JsonTokenType.True;
                hasSuccess = true;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            return MessageKind.Malformed;

        if (tickerInvalid)
            return MessageKind.Malformed;
        if (hasTicker)
        {
            // A message whose ts came after its data (or had none).
            update.ExchangeTimeMs = ts != 0 ? ts : receivedAtMs;
            return ApplyTicker(book, symbolBuffer[..symbolLength], update, receivedAtMs);
        }
        if (isPong)
            return MessageKind.Pong;
        // A reply to a subscribe or unsubscribe: the option COMMAND_RESP, or the public V5 form without a type
        // ({"success":…,"ret_msg":…,"req_id":…,"op":"subscribe"}; a rejection names no topics, only its req_id).
        if (isCommandResponse || successTopics is not null || failTopics is not null || (hasSuccess && (op is not null || (!success && reqId is not null))))
        {
            response = new CommandResponse { Success = success, RetMsg = retMsg, ReqId = reqId, Op = op };
            if (successTopics is not null)
                response.SuccessTopics.AddRange(successTopics);
            if (failTopics is not null)
                response.FailTopics.AddRange(failTopics);
            return MessageKind.CommandResponse;
        }
        return kind;
    }

    /// <summary>
    /// Parses a REST <c>/v5/market/tickers</c> response body and applies every item, stamped with the
    /// envelope's <c>time</c>. Returns the number of items applied to known symbols.
    /// </summary>
    public static RestTickerResult ApplyRestTickers(ReadOnlySpan<byte> body, OptionBook book)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 8 });
        var updates = new List<(OptionSlot Slot, QuoteUpdate Update)>();
        long time = 0;
        var retCode = -1;
        string? retMsg = null;
        var items = 0;
        var unknown = 0;
        Span<byte> symbolBuffer = stackalloc byte[MaxSymbolLength];
        List<string>? unusedA = null, unusedB = null;

        Expect(ref reader, JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("retCode"u8))
            {
                reader.Read();
                retCode = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("retMsg"u8))
            {
                reader.Read();
                retMsg = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("time"u8))
            {
                reader.Read();
                if (!TryReadInt64(ref reader, out time))
                    throw new JsonException("time is not a number");
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
                    if (!reader.ValueTextEquals("list"u8))
                    {
                        reader.Read();
                        reader.Skip();
                        continue;
                    }
                    Expect(ref reader, JsonTokenType.StartArray);
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        var update = new QuoteUpdate();
                        var result = ReadDataObject(ref reader, TickerFieldNames.Rest, ref update, symbolBuffer, out var length, ref unusedA, ref unusedB);
                        if (result != DataObject.Ticker)
                            throw new JsonException("a ticker item has no symbol or a field that is not a number");
                        items++;
                        if (TryFindSlot(book.Index, symbolBuffer[..length], out var slot))
                            updates.Add((slot, update));
                        else
                            unknown++;
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (retCode != 0)
            throw new BybitApiException(retCode, retMsg ?? "no retMsg");
        if (time == 0)
            time = book.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var changed = 0;
        foreach (var (slot, update) in updates)
        {
            var stamped = update;
            stamped.ExchangeTimeMs = time;
            if (book.Apply(slot, stamped) == ApplyResult.Changed)
                changed++;
        }
        return new RestTickerResult(items, updates.Count, unknown, changed);
    }

    private static MessageKind ApplyTicker(OptionBook book, ReadOnlySpan<byte> symbol, in QuoteUpdate update, long receivedAtMs)
    {
        if (!TryFindSlot(book.Index, symbol, out var slot))
            return MessageKind.TickerUnknownSymbol;
        return book.Apply(slot, update, receivedAtMs) == ApplyResult.Changed ? MessageKind.Ticker : MessageKind.TickerUnchanged;
    }

    public static bool TryFindSlot(BookIndex index, ReadOnlySpan<byte> utf8Symbol, [NotNullWhen(true)] out OptionSlot? slot)
    {
        Span<char> chars = stackalloc char[MaxSymbolLength];
        if (Ascii.ToUtf16(utf8Symbol, chars, out var written) != OperationStatus.Done)
        {
            slot = null;
            return false;
        }
        return index.TryGetSlot(Venue.Bybit, chars[..written], out slot);
    }

    private enum DataObject : byte
    {
        NotTicker,
        Ticker,
        InvalidTicker,
    }

    /// <summary>
    /// Reads one <c>data</c> object: a ticker (symbol + numeric fields) or a command response's topic lists.
    /// The reader starts on StartObject and ends on its EndObject.
    /// </summary>
    private static DataObject ReadDataObject(
        ref Utf8JsonReader reader,
        FieldName[] names,
        ref QuoteUpdate update,
        scoped Span<byte> symbolBuffer,
        out int symbolLength,
        ref List<string>? successTopics,
        ref List<string>? failTopics)
    {
        symbolLength = 0;
        var hasSymbol = false;
        var invalid = false;
        var expected = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("symbol"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.ValueSpan.Length > symbolBuffer.Length)
                {
                    invalid = true;
                    continue;
                }
                reader.ValueSpan.CopyTo(symbolBuffer);
                symbolLength = reader.ValueSpan.Length;
                hasSymbol = true;
                continue;
            }

            var field = FindField(ref reader, names, ref expected);
            if (field >= 0)
            {
                reader.Read();
                if (TryReadNumber(ref reader, out var value))
                    update.Set((QuoteField)field, value);
                else
                    invalid = true;
                continue;
            }

            if (reader.ValueTextEquals("successTopics"u8))
                successTopics = ReadStringArray(ref reader);
            else if (reader.ValueTextEquals("failTopics"u8))
                failTopics = ReadStringArray(ref reader);
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (!hasSymbol)
            return invalid || update.PresentMask != 0 ? DataObject.InvalidTicker : DataObject.NotTicker;
        return invalid ? DataObject.InvalidTicker : DataObject.Ticker;
    }

    private static int FindField(ref Utf8JsonReader reader, FieldName[] names, ref int expected)
    {
        // Bybit sends fields in a fixed order: the one after the last match nearly always matches first.
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

    /// <summary>A number as a JSON string (Bybit's way) or a JSON number; <c>""</c> is missing (NaN).</summary>
    private static bool TryReadNumber(ref Utf8JsonReader reader, out double value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String when reader.ValueIsEscaped:
                value = double.NaN;
                return false;
            case JsonTokenType.String when reader.ValueSpan.IsEmpty:
                value = double.NaN;
                return true;
            case JsonTokenType.String:
                return double.TryParse(reader.ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
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

    private static bool TryReadInt64(ref Utf8JsonReader reader, out long value)
    {
        if (reader.TokenType == JsonTokenType.Number)
            return reader.TryGetInt64(out value);
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
            return long.TryParse(reader.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        value = 0;
        return false;
    }

    private static List<string>? ReadStringArray(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }
        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
                list.Add(reader.GetString()!);
            else
                reader.Skip();
        }
        return list;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
            throw new JsonException($"expected {type} at byte {reader.TokenStartIndex}");
    }
}

internal readonly record struct RestTickerResult(int Items, int Known, int Unknown, int Changed);
