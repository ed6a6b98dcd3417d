using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.History;

namespace OptionsTracker.Api;

/// <summary>
/// The recorded history as series (docs/history.md, "Reading"): one option's fields over time, a coin's measures over
/// time, and the recorded range the dashboard's slider spans. The board at an instant is <c>at=</c> on the live
/// endpoints (<see cref="BoardMoments"/>); the download of a range is <see cref="HistoryExportApi"/>.
/// </summary>
public static class HistoryApi
{
    /// <summary>What an option series carries without <c>fields</c>: what its chart draws (mark, IVs, OI, underlying).</summary>
    internal static readonly string[] DefaultFields = ["mark_price", "mark_iv", "bid_iv", "ask_iv", "open_interest", "underlying"];

    /// <summary>The item fields a series may name: those of the recorded quote (every number the exchange sends).</summary>
    internal static readonly string[] SeriesFields = [.. OptionFields.AcceptedNames.Split(", ")
        .Where(n => OptionFields.TryParse(n, out var f) && OptionFields.QuoteFieldOf(f) is not null)];

    /// <summary>The most names one measures request may ask for.</summary>
    internal const int MaxNames = 64;

    /// <summary>The range a series covers without <c>from</c>: a day before <c>to</c>.</summary>
    internal static readonly TimeSpan DefaultRange = TimeSpan.FromDays(1);

    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/history").WithTags("History");

        api.MapGet("/option/{symbol}", GetOptionSeriesAsync)
            .WithName("GetOptionHistory")
            .WithSummary("One option's recorded fields over time, one row per interval (its last recorded value)")
            .WithDescription("Rows of `time` (the bucket's start, buckets aligned to the Unix epoch) and the fields asked, oldest first. `from`/`to`: ISO 8601 instants with Z or an offset (default: the day before now). `interval`: 30s, 1m, 15m, 1h, 1d, 1w, raw (every snapshot) or auto (default: at most 1,500 rows). At most 100,000 rows.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesValidationProblem();

        api.MapGet("/{asset}/measures", GetMeasureSeriesAsync)
            .WithName("GetMeasureHistory")
            .WithSummary("An asset's recorded measures over time (atm_iv_30d, rr25_30d, index_price, atm_iv@2026-12-25, …), one row per interval")
            .WithDescription("Names as docs/history.md lists them (MeasureNames). Rows of `time` and one member per name, oldest first; null where nothing was recorded. Same from/to/interval as the option series.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesValidationProblem();

        api.MapGet("/{asset}/range", GetRangeAsync)
            .WithName("GetHistoryRange")
            .WithSummary("The recorded span of an asset: first and last snapshot, their count, the store and what it was recorded from")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    internal static async Task<Results<SeriesResult, ProblemHttpResult, ValidationProblem>> GetOptionSeriesAsync(
        string symbol,
        [FromQuery(Name = "from"), Description("ISO 8601 instant with Z or an offset. Default: a day before to.")] string? from,
        [FromQuery(Name = "to"), Description("ISO 8601 instant with Z or an offset. Default: now.")] string? to,
        [FromQuery(Name = "fields"), Description("A comma list of the option item's quote fields (mark_price, mark_iv, bid_iv, ask_iv, delta, open_interest, underlying, index_price, …) or all. Default: mark_price,mark_iv,bid_iv,ask_iv,open_interest,underlying.")] string? fields,
        [FromQuery(Name = "interval"), Description("30s, 1m, 15m, 1h, 1d, 1w, raw or auto (default).")] string? interval,
        [FromQuery(Name = "venue"), Description("The venue (bybit, …). Default: the venue the live book lists the symbol on, else the first known venue.")] string? venue,
        BookReader reader, BoardMoments moments, IOptions<HistoryOptions> history, CancellationToken cancellationToken)
    {
        var errors = new QueryErrors();
        var only = errors.Venue(venue, reader.Venues, reader.Book.Index);
        var (names, quoteFields) = SeriesFieldsOf(errors, fields);
        var (start, end) = errors.Range(from, to, reader.Now, DefaultRange, HistoryQueries.MaxSeriesRange);
        var width = errors.HasErrors ? TimeSpan.Zero : errors.Interval(interval, start, end, history.Value.Interval);
        if (errors.HasErrors)
            return errors.ToProblem();
        if (moments.Views is not { } views)
            return BoardMoments.Disabled();

        // The live book names the option's venue and exact symbol; an option no longer listed is looked up as asked.
        var index = reader.Book.Index;
        OptionSlot? slot = null;
        var listed = symbol.Length <= 64 && (OptionsApi.TryFindOption(index, reader.Venues, only, symbol, out slot)
            || OptionsApi.TryFindOption(index, reader.Venues, only, symbol.ToUpperInvariant(), out slot));
        var coin = moments.CoinOf(symbol, only);
        if (coin is null)
            return BoardMoments.UnknownOption(symbol);
        var (optionVenue, optionSymbol) = listed && slot is not null ? (slot.Instrument.Venue, slot.Instrument.Symbol) : (only ?? reader.Venues.All[0], symbol.ToUpperInvariant());
        IReadOnlyList<SeriesPoint> points;
        try
        {
            var store = await views.OpenAsync(cancellationToken);
            points = await store.OptionSeriesAsync(optionVenue, optionSymbol, quoteFields, start, end, width, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return moments.Unavailable(exception);
        }
        if (points.Count == 0 && !listed)
        {
            return TypedResults.Problem(
                title: "Nothing recorded",
                detail: $"No option '{QueryErrors.Echo(symbol)}' ({optionVenue.Id}) was recorded from {HistoryQueries.Format(start)} to {HistoryQueries.Format(end)}, and the book does not list it now. Symbols look like BTC-26DEC25-100000-C.",
                statusCode: StatusCodes.Status404NotFound);
        }
        return new SeriesResult(points, "fields", names, width, start, end)
        {
            Asset = coin,
            Symbol = optionSymbol,
            Venue = optionVenue.Id,
        };
    }

    /// <summary>The <c>fields</c> of a series: item field names of recorded quote values, in the order asked; <c>all</c> = every one.</summary>
    private static (string[] Names, QuoteField[] Fields) SeriesFieldsOf(QueryErrors errors, string? text)
    {
        string[] names;
        if (string.IsNullOrWhiteSpace(text))
            names = DefaultFields;
        else if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
            names = SeriesFields;
        else
            names = [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => n.ToLowerInvariant()).Distinct()];
        var fields = new List<QuoteField>(names.Length);
        foreach (var name in names)
        {
            if (!OptionFields.TryParse(name, out var field) || OptionFields.QuoteFieldOf(field) is not { } quoteField)
            {
                errors.Add("fields", $"'{QueryErrors.Echo(name)}' is not a recorded field. Use a comma list of {string.Join(", ", SeriesFields)}, or all.");
                return ([], []);
            }
            fields.Add(quoteField);
        }
        if (fields.Count == 0)
            errors.Add("fields", $"No field named. Use a comma list of {string.Join(", ", SeriesFields)}, or all.");
        return (names, [.. fields]);
    }

    internal static async Task<Results<SeriesResult, ProblemHttpResult, ValidationProblem>> GetMeasureSeriesAsync(
        string asset,
        [FromQuery(Name = "names"), Description("A comma list of measure names (docs/history.md): atm_iv_30d, rr25_30d, bf25_7d, hv_30d, vrp_30d, index_price, total_gex, gex_flip, max_pain, pc_oi, atm_iv@2026-12-25, … Required; at most 64.")] string? names,
        [FromQuery(Name = "from"), Description("ISO 8601 instant with Z or an offset. Default: a day before to.")] string? from,
        [FromQuery(Name = "to"), Description("ISO 8601 instant with Z or an offset. Default: now.")] string? to,
        [FromQuery(Name = "interval"), Description("30s, 1m, 15m, 1h, 1d, 1w, raw or auto (default).")] string? interval,
        [FromQuery(Name = "venue"), Description("A venue such as bybit or deribit: its own figures, as recorded while the asset was listed by several venues. Absent or all (default): every venue combined.")] string? venue,
        BookReader reader, BoardMoments moments, IOptions<HistoryOptions> history, CancellationToken cancellationToken)
    {
        var index = reader.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var coin, out _))
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        var only = errors.Venue(venue, reader.Venues, index);
        var list = names?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray() ?? [];
        if (list.Length == 0)
            errors.Add("names", "Name at least one measure, e.g. names=atm_iv_30d,rr25_30d (docs/history.md lists them).");
        else if (list.Length > MaxNames)
            errors.Add("names", $"{list.Length} names; at most {MaxNames} per request.");
        else if (list.FirstOrDefault(n => !MeasureNames.IsValid(n)) is { } bad)
            errors.Add("names", $"'{QueryErrors.Echo(bad)}' is not a measure name. Use per tenor {{kind}}_{{days}}d with kind {string.Join(", ", MeasureNames.TenorKinds)} (atm_iv_30d); per expiry {{kind}}@YYYY-MM-DD with kind {string.Join(", ", MeasureNames.ExpiryKinds)} (rr25@2026-12-25); or per coin {string.Join(", ", MeasureNames.CoinKinds)}.");
        var (start, end) = errors.Range(from, to, reader.Now, DefaultRange, HistoryQueries.MaxSeriesRange);
        var width = errors.HasErrors ? TimeSpan.Zero : errors.Interval(interval, start, end, history.Value.Interval);
        if (errors.HasErrors)
            return errors.ToProblem();
        if (moments.Views is not { } views)
            return BoardMoments.Disabled();
        IReadOnlyList<SeriesPoint> points;
        try
        {
            var store = await views.OpenAsync(cancellationToken);
            // One venue's own figures are recorded under its names (MeasureNames.ForVenue), but only while several venues list
            // the asset; a deployment of one venue records that venue's figures under the plain names alone.
            string[] recorded = only is { } one && (reader.Venues.All.Count > 1 || index.Venues.Count > 1)
                ? [.. list.Select(n => MeasureNames.ForVenue(one, n))]
                : list;
            points = await store.MeasureSeriesAsync(coin, recorded, start, end, width, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return moments.Unavailable(exception);
        }
        return new SeriesResult(points, "names", list, width, start, end) { Asset = coin, Venue = AnalyticsVenue.Name(only) };
    }

    internal static async Task<Results<Ok<HistoryRangeResponse>, ProblemHttpResult>> GetRangeAsync(
        string asset, BookReader reader, BoardMoments moments, IOptions<HistoryOptions> history, CancellationToken cancellationToken)
    {
        var index = reader.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var coin, out _))
            return reader.UnknownAsset(index, asset);
        if (moments.Views is not { } views)
            return BoardMoments.Disabled();
        RecordedRange? range;
        IHistoryStore store;
        try
        {
            store = await views.OpenAsync(cancellationToken);
            range = await store.RangeAsync(coin, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return moments.Unavailable(exception);
        }
        return TypedResults.Ok(new HistoryRangeResponse(
            coin,
            range?.First.UtcDateTime,
            range?.Last.UtcDateTime,
            range?.Snapshots ?? 0,
            history.Value.Interval.TotalSeconds,
            store.Name,
            views.Source.Label,
            views.Source.Urls));
    }
}

/// <summary>
/// The recorded span of an asset: <c>first</c> and <c>last</c> snapshot (null when none), <c>snapshots</c> their
/// count, <c>interval_seconds</c> the recording interval now, <c>store</c> duckdb or postgres, <c>source</c> bybit or
/// simulator with the exchange URLs it was recorded from.
/// </summary>
public sealed record HistoryRangeResponse(
    string Asset, DateTime? First, DateTime? Last, long Snapshots, double IntervalSeconds, string Store, string Source, IReadOnlyList<string> SourceUrls);

/// <summary>
/// A series as the history endpoints answer it (described for the OpenAPI document; written by <see cref="SeriesResult"/>):
/// <c>data</c> rows of <c>time</c> and one member per field or name (null = nothing recorded), oldest first.
/// </summary>
public sealed record HistorySeriesResponse(
    string Asset,
    string? Symbol,
    string? Venue,
    IReadOnlyList<string>? Fields,
    IReadOnlyList<string>? Names,
    string Interval,
    DateTime From,
    DateTime To,
    IReadOnlyList<Dictionary<string, JsonElement>> Data,
    int Total);

/// <summary>Writes a series straight to the response: a few thousand rows per flush, NaN as null.</summary>
public sealed class SeriesResult : IResult, IEndpointMetadataProvider
{
    private const int RowsPerFlush = 2048;

    private readonly IReadOnlyList<SeriesPoint> _points;
    private readonly string _columnsName;
    private readonly string[] _columns;
    private readonly TimeSpan _interval;
    private readonly DateTimeOffset _from;
    private readonly DateTimeOffset _to;

    internal SeriesResult(IReadOnlyList<SeriesPoint> points, string columnsName, string[] columns, TimeSpan interval, DateTimeOffset from, DateTimeOffset to)
    {
        _points = points;
        _columnsName = columnsName;
        _columns = columns;
        _interval = interval;
        _from = from;
        _to = to;
    }

    public required string Asset { get; init; }

    public string? Symbol { get; init; }

    public string? Venue { get; init; }

    public IReadOnlyList<SeriesPoint> Points => _points;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var cancellationToken = httpContext.RequestAborted;
        var body = response.BodyWriter;
        await using var writer = new Utf8JsonWriter(body);
        writer.WriteStartObject();
        writer.WriteString("asset"u8, Asset);
        if (Symbol is not null)
            writer.WriteString("symbol"u8, Symbol);
        if (Venue is not null)
            writer.WriteString("venue"u8, Venue);
        writer.WriteStartArray(_columnsName);
        foreach (var column in _columns)
            writer.WriteStringValue(column);
        writer.WriteEndArray();
        writer.WriteString("interval"u8, HistoryQueries.Format(_interval));
        writer.WriteString("from"u8, _from.UtcDateTime);
        writer.WriteString("to"u8, _to.UtcDateTime);
        var names = new JsonEncodedText[_columns.Length];
        for (var i = 0; i < names.Length; i++)
            names[i] = JsonEncodedText.Encode(_columns[i]);
        writer.WriteStartArray("data"u8);
        for (var row = 0; row < _points.Count; row++)
        {
            var point = _points[row];
            writer.WriteStartObject();
            writer.WriteString("time"u8, point.Time.UtcDateTime);
            for (var i = 0; i < names.Length; i++)
            {
                writer.WritePropertyName(names[i]);
                OptionFields.WriteNumberOrNull(writer, i < point.Values.Length ? point.Values[i] : double.NaN);
            }
            writer.WriteEndObject();
            if (row % RowsPerFlush == RowsPerFlush - 1)
            {
                writer.Flush();
                await body.FlushAsync(cancellationToken);
            }
        }
        writer.WriteEndArray();
        writer.WriteNumber("total"u8, _points.Count);
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(HistorySeriesResponse), ["application/json"]));
}
