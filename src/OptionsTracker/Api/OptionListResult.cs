using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace OptionsTracker.Api;

/// <summary>
/// Writes option items straight to the response (no item objects, NaN as null, only the requested fields, each item
/// from reusable pieces by <see cref="ItemJsonWriter"/>): either the envelope
/// <c>{"data": [...], "total": N, "asset": "BTC"}</c> or a single item. Owns its rows and returns them to the pool
/// once written.
/// </summary>
public sealed class OptionListResult : IResult, IEndpointMetadataProvider
{
    private const int ItemsPerFlush = 256;

    private readonly string _asset;
    private readonly RowBuffer _rows;
    private readonly RowPage _page;
    private readonly OptionField[] _fields;
    private readonly DateTimeOffset _now;
    private readonly bool _single;

    internal OptionListResult(string asset, RowBuffer rows, RowPage page, OptionField[] fields, DateTimeOffset now, bool single = false)
    {
        _asset = asset;
        _rows = rows;
        _page = page;
        Total = rows.Count;
        _fields = fields;
        _now = now;
        _single = single;
    }

    /// <summary>When set, the response is a download with this file name.</summary>
    public string? DownloadName { get; init; }

    /// <summary>Every match before paging.</summary>
    public int Total { get; }

    /// <summary>The snapshot's time of a past answer (<c>at=</c>), written as <c>as_of</c>; null (not written) when live.</summary>
    public DateTimeOffset? AsOf { get; init; }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using var rows = _rows;
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        if (DownloadName is not null)
            response.Headers.ContentDisposition = $"attachment; filename=\"{DownloadName}\"";

        var cancellationToken = httpContext.RequestAborted;
        var body = response.BodyWriter;
        await using var writer = new Utf8JsonWriter(body);
        using var items = new ItemJsonWriter(_fields, _now);
        if (_single)
        {
            if (AsOf is { } asOf)
                WriteWithAsOf(writer, items, rows[0], asOf);
            else
                items.Write(writer, rows[0]);
            await writer.FlushAsync(cancellationToken);
            return;
        }

        writer.WriteStartObject();
        writer.WriteStartArray("data"u8);
        for (var i = 0; i < _page.Count; i++)
        {
            items.Write(writer, rows[_page.Start + i]);
            // Hand big responses to the socket as they grow instead of buffering them whole.
            if (i % ItemsPerFlush == ItemsPerFlush - 1)
            {
                writer.Flush();
                await body.FlushAsync(cancellationToken);
            }
        }
        writer.WriteEndArray();
        writer.WriteNumber("total"u8, Total);
        writer.WriteString("asset"u8, _asset);
        if (AsOf is { } time)
            writer.WriteString("as_of"u8, time.UtcDateTime);
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>One item with <c>as_of</c> as its last member: the item's bytes as the live answer has them, then the time.</summary>
    private static void WriteWithAsOf(Utf8JsonWriter writer, ItemJsonWriter items, in OptionRow row, DateTimeOffset asOf)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var item = new Utf8JsonWriter(buffer))
            items.Write(item, row);
        var time = new System.Buffers.ArrayBufferWriter<byte>(48);
        using (var value = new Utf8JsonWriter(time))
            value.WriteStringValue(asOf.UtcDateTime);
        // The item is an object: drop its closing brace, append the member, close it again.
        var written = buffer.WrittenSpan;
        byte[] whole = [.. written[..^1], .. ",\"as_of\":"u8, .. time.WrittenSpan, (byte)'}'];
        writer.WriteRawValue(whole, skipInputValidation: true);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(OptionListResponse), ["application/json"]));
}

/// <summary>Writes a single option item; see <see cref="OptionListResult"/>.</summary>
public sealed class OptionItemResult : IResult, IEndpointMetadataProvider
{
    private readonly OptionListResult _inner;

    internal OptionItemResult(OptionRow row, OptionField[] fields, DateTimeOffset now, DateTimeOffset? asOf = null)
    {
        var rows = new RowBuffer(1);
        rows.Add(row);
        _inner = new OptionListResult(row.Instrument.BaseCoin, rows, new RowPage(0, 1), fields, now, single: true) { AsOf = asOf };
    }

    public Task ExecuteAsync(HttpContext httpContext) => _inner.ExecuteAsync(httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(OptionItem), ["application/json"]));
}
