using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using OptionsTracker.Book;

namespace OptionsTracker.Api;

/// <summary>
/// Downloads: <c>/api/export/csv</c> and <c>/api/export/json</c>, with the filters of <c>/api/options</c>
/// (asset optional: every asset when absent).
/// </summary>
public static class ExportApi
{
    public static void MapExportApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/export").WithTags("Export");

        api.MapGet("/csv", GetCsv)
            .WithName("ExportCsv")
            .WithSummary("Options as a CSV download")
            .WithDescription("A header row of field names, then one row per option (RFC 4180, comma separated, invariant numbers, empty cell = missing). Same filters as /api/options.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        api.MapGet("/json", GetJson)
            .WithName("ExportJson")
            .WithSummary("Options as a JSON download (the /api/options envelope)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
    }

    internal static Results<CsvResult, ProblemHttpResult, ValidationProblem> GetCsv(
        string? asset, [AsParameters] OptionFilterQuery filterQuery, [AsParameters] ListQuery listQuery, BookReader reader)
    {
        var selected = Select(asset, filterQuery, listQuery, reader);
        if (selected.Problem is not null)
            return selected.Problem;
        if (selected.Invalid is not null)
            return selected.Invalid;
        var list = selected.List!;
        return new CsvResult(list.Rows, list.Page, list.Fields, list.Now, FileName(list.Asset, list.Now, "csv"));
    }

    internal static Results<OptionListResult, ProblemHttpResult, ValidationProblem> GetJson(
        string? asset, [AsParameters] OptionFilterQuery filterQuery, [AsParameters] ListQuery listQuery, BookReader reader)
    {
        var selected = Select(asset, filterQuery, listQuery, reader);
        if (selected.Problem is not null)
            return selected.Problem;
        if (selected.Invalid is not null)
            return selected.Invalid;
        var list = selected.List!;
        return new OptionListResult(list.Asset, list.Rows, list.Page, list.Fields, list.Now) { DownloadName = FileName(list.Asset, list.Now, "json") };
    }

    private static string FileName(string asset, DateTimeOffset now, string extension) =>
        $"options-{asset}-{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.{extension}";

    private sealed record Selection(string Asset, RowBuffer Rows, RowPage Page, OptionField[] Fields, DateTimeOffset Now);

    private readonly record struct Selected(Selection? List, ProblemHttpResult? Problem, ValidationProblem? Invalid);

    private static Selected Select(string? asset, OptionFilterQuery filterQuery, ListQuery listQuery, BookReader reader)
    {
        var index = reader.Book.Index;
        var everyAsset = string.IsNullOrWhiteSpace(asset) || asset.Equals("all", StringComparison.OrdinalIgnoreCase);
        var name = "all";
        CoinIndex? coin = null;
        if (!everyAsset && !reader.TryResolveAsset(index, asset, out name, out coin))
            return new Selected(null, reader.UnknownAsset(index, asset), null);
        var errors = new QueryErrors();
        var filter = filterQuery.Parse(errors, reader.Venues, index);
        var list = listQuery.Parse(errors);
        if (errors.HasErrors)
            return new Selected(null, null, errors.ToProblem());

        var now = reader.Now;
        var (rows, page) = OptionSelection.Select(index, coin, everyAsset, filter, list, now);
        return new Selected(new Selection(name, rows, page, list.Fields, now), null, null);
    }
}

/// <summary>Writes option rows as CSV, a few hundred rows per write; returns the rows to the pool once written.</summary>
public sealed class CsvResult : IResult, IEndpointMetadataProvider
{
    private const int RowsPerWrite = 256;
    private readonly RowBuffer _rows;
    private readonly RowPage _page;
    private readonly OptionField[] _fields;
    private readonly DateTimeOffset _now;
    private readonly string _fileName;

    internal CsvResult(RowBuffer rows, RowPage page, OptionField[] fields, DateTimeOffset now, string fileName)
    {
        _rows = rows;
        _page = page;
        _fields = fields;
        _now = now;
        _fileName = fileName;
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using var rows = _rows;
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{_fileName}\"";

        var text = new StringBuilder(64 * 1024);
        OptionFields.AppendCsvHeader(text, _fields);
        text.Append("\r\n");
        for (var i = 0; i < _page.Count; i++)
        {
            OptionFields.AppendCsvRow(text, rows[_page.Start + i], _fields, _now);
            text.Append("\r\n");
            if (i % RowsPerWrite == RowsPerWrite - 1)
            {
                await response.WriteAsync(text.ToString(), Encoding.UTF8, cancellationToken);
                text.Clear();
            }
        }
        await response.WriteAsync(text.ToString(), Encoding.UTF8, cancellationToken);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/csv"]));
}
