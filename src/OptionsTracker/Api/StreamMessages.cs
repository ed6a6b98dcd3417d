using System.Buffers;
using System.Text.Json;

namespace OptionsTracker.Api;

/// <summary>
/// The JSON of stream messages, shared by Server-Sent Events and the WebSocket:
/// <c>{"type":"snapshot","asset":"BTC","expiry":null,"total":N,"data":[items]}</c>, then
/// <c>{"type":"update","asset":"BTC","data":[items]}</c> and <c>{"type":"remove","asset":"BTC","symbols":[…]}</c>.
/// Items are the option items of <c>/api/options</c>.
/// </summary>
internal static class StreamMessages
{
    public static void WriteSnapshot(IBufferWriter<byte> output, OptionStreamCursor cursor, List<OptionRow> rows, DateTimeOffset now)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "snapshot"u8);
        writer.WriteString("asset"u8, cursor.Asset);
        if (cursor.Expiry is { } expiry)
            writer.WriteString("expiry"u8, Book.OptionSymbol.FormatExpiryLabel(expiry));
        else
            writer.WriteNull("expiry"u8);
        writer.WriteNumber("total"u8, rows.Count);
        WriteItems(writer, rows, now);
        writer.WriteEndObject();
    }

    public static void WriteUpdate(IBufferWriter<byte> output, string asset, List<OptionRow> rows, DateTimeOffset now)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "update"u8);
        writer.WriteString("asset"u8, asset);
        WriteItems(writer, rows, now);
        writer.WriteEndObject();
    }

    public static void WriteRemove(IBufferWriter<byte> output, string asset, List<string> symbols)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "remove"u8);
        writer.WriteString("asset"u8, asset);
        writer.WriteStartArray("symbols"u8);
        foreach (var symbol in symbols)
            writer.WriteStringValue(symbol);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void WriteSubscribed(IBufferWriter<byte> output, string asset, DateOnly? expiry)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "subscribed"u8);
        writer.WriteString("asset"u8, asset);
        if (expiry is { } date)
            writer.WriteString("expiry"u8, Book.OptionSymbol.FormatExpiryLabel(date));
        else
            writer.WriteNull("expiry"u8);
        writer.WriteEndObject();
    }

    public static void WriteError(IBufferWriter<byte> output, string message)
    {
        using var writer = new Utf8JsonWriter(output);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "error"u8);
        writer.WriteString("message"u8, message);
        writer.WriteEndObject();
    }

    private static void WriteItems(Utf8JsonWriter writer, List<OptionRow> rows, DateTimeOffset now)
    {
        writer.WriteStartArray("data"u8);
        using var items = new ItemJsonWriter(OptionFields.All, now);
        foreach (var row in rows)
            items.Write(writer, row);
        writer.WriteEndArray();
    }
}
