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
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(OptionListResponse), ["application/json"]));
}

/// <summary>Writes a single option item; see <see cref="OptionListResult"/>.</summary>
public sealed class OptionItemResult : IResult, IEndpointMetadataProvider
{
    private readonly OptionListResult _inner;

    internal OptionItemResult(OptionRow row, OptionField[] fields, DateTimeOffset now)
    {
        var rows = new RowBuffer(1);
        rows.Add(row);
        _inner = new OptionListResult(row.Instrument.BaseCoin, rows, new RowPage(0, 1), fields, now, single: true);
    }

    public Task ExecuteAsync(HttpContext httpContext) => _inner.ExecuteAsync(httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(OptionItem), ["application/json"]));
}
