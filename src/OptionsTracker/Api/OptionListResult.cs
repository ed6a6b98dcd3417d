using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace OptionsTracker.Api;

/// <summary>
/// Writes option items straight to the response with <see cref="Utf8JsonWriter"/> (no item objects, NaN as
/// null, only the requested fields): either the envelope <c>{"data": [...], "total": N, "asset": "BTC"}</c>
/// or a single item.
/// </summary>
public sealed class OptionListResult : IResult, IEndpointMetadataProvider
{
    private const int ItemsPerFlush = 256;

    private readonly string _asset;
    private readonly ArraySegment<OptionRow> _rows;
    private readonly int _total;
    private readonly OptionField[] _fields;
    private readonly DateTimeOffset _now;
    private readonly bool _single;

    internal OptionListResult(string asset, ArraySegment<OptionRow> rows, int total, OptionField[] fields, DateTimeOffset now, bool single = false)
    {
        _asset = asset;
        _rows = rows;
        _total = total;
        _fields = fields;
        _now = now;
        _single = single;
    }

    /// <summary>When set, the response is a download with this file name.</summary>
    public string? DownloadName { get; init; }

    public int Total => _total;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        if (DownloadName is not null)
            response.Headers.ContentDisposition = $"attachment; filename=\"{DownloadName}\"";

        var cancellationToken = httpContext.RequestAborted;
        var body = response.BodyWriter;
        await using var writer = new Utf8JsonWriter(body);
        if (_single)
        {
            OptionFields.WriteItem(writer, _rows[0], _fields, _now);
            await writer.FlushAsync(cancellationToken);
            return;
        }

        writer.WriteStartObject();
        writer.WriteStartArray("data"u8);
        for (var i = 0; i < _rows.Count; i++)
        {
            OptionFields.WriteItem(writer, _rows[i], _fields, _now);
            // Hand big responses to the socket as they grow instead of buffering them whole.
            if (i % ItemsPerFlush == ItemsPerFlush - 1)
            {
                writer.Flush();
                await body.FlushAsync(cancellationToken);
            }
        }
        writer.WriteEndArray();
        writer.WriteNumber("total"u8, _total);
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

    internal OptionItemResult(OptionRow row, OptionField[] fields, DateTimeOffset now) =>
        _inner = new OptionListResult(row.Instrument.BaseCoin, new ArraySegment<OptionRow>([row]), 1, fields, now, single: true);

    public Task ExecuteAsync(HttpContext httpContext) => _inner.ExecuteAsync(httpContext);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(OptionItem), ["application/json"]));
}
