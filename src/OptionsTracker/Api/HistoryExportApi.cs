using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using DuckDB.NET.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using OptionsTracker.Book;
using OptionsTracker.History;

namespace OptionsTracker.Api;

/// <summary>
/// <c>GET /api/history/export</c>: every recorded quote of a range as CSV (streamed) or Parquet (partitioned by coin and
/// day, hive style, in a zip), read through <see cref="IHistoryStore.ReadQuotesAsync"/> so both stores export alike.
/// The columns are the option item's fields (the API's names), after the snapshot's <c>time</c>, the venue and the symbol.
/// </summary>
public static class HistoryExportApi
{
    /// <summary>The longest range one export covers: a month of a full board at one minute is ~170 million rows.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(31);

    /// <summary>The item fields exported after time, venue and symbol: every recorded one (the model's are computed, not recorded).</summary>
    internal static readonly OptionField[] Fields = [.. OptionFields.Default.Where(f => f is not (OptionField.Symbol or OptionField.Venue))];

    /// <summary>The names of <see cref="Fields"/>, as the CSV header and the Parquet columns carry them.</summary>
    internal static readonly string[] FieldNames = [.. Fields.Select(f => OptionFields.AcceptedNames.Split(", ")[(int)f])];

    public static IEndpointRouteBuilder MapHistoryExportApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/history").WithTags("History")
            .MapGet("/export", GetExportAsync)
            .WithName("ExportHistory")
            .WithSummary("Every recorded quote of a range as CSV, or as Parquet partitioned by coin and day (a zip of coin=BTC/day=2026-12-01/….parquet)")
            .WithDescription("Columns: time (the snapshot's), venue, symbol, then the option item's fields (base_coin … delivery_price; days_to_expiry as of the snapshot). `from`/`to`: ISO 8601 with Z or an offset, default the day before now, at most 31 days. CSV: RFC 4180, invariant numbers, empty = missing, streamed. Parquet: missing = NULL, times as UTC timestamps.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesValidationProblem();
        return app;
    }

    internal static Results<HistoryExportResult, ProblemHttpResult, ValidationProblem> GetExportAsync(
        [FromQuery(Name = "asset"), Description("BTC, ETH, … or all (default: every tracked asset).")] string? asset,
        [FromQuery(Name = "from"), Description("ISO 8601 instant with Z or an offset. Default: a day before to.")] string? from,
        [FromQuery(Name = "to"), Description("ISO 8601 instant with Z or an offset. Default: now. At most 31 days after from.")] string? to,
        [FromQuery(Name = "format"), Description("csv (default) or parquet.")] string? format,
        BookReader reader, BoardMoments moments, ILogger<HistoryExportResult> logger)
    {
        var index = reader.Book.Index;
        IReadOnlyList<string> coins;
        if (string.IsNullOrWhiteSpace(asset) || asset.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
            coins = reader.KnownAssets();
        else if (reader.TryResolveAsset(index, asset, out var name, out _))
            coins = [name];
        else
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        var (start, end) = errors.Range(from, to, reader.Now, TimeSpan.FromDays(1), MaxRange);
        var parquet = (format?.Trim().ToLowerInvariant()) switch
        {
            null or "" or "csv" => false,
            "parquet" => true,
            _ => (bool?)null,
        };
        if (parquet is null)
            errors.Add("format", $"'{QueryErrors.Echo(format!)}' is not an export format. Use csv or parquet.");
        if (errors.HasErrors)
            return errors.ToProblem();
        if (moments.Views is not { } views)
            return BoardMoments.Disabled();
        return new HistoryExportResult(views, moments, coins, start, end, parquet!.Value, logger);
    }
}

/// <summary>
/// Writes the export: CSV row by row as the store streams them; Parquet through an in-memory DuckDB (its Appender,
/// then <c>COPY … (FORMAT parquet, PARTITION_BY (coin, day))</c>) into a temporary directory, zipped to the response
/// and removed. The store is opened, and its first rows read, before the status is sent, so a failing store is a 503.
/// </summary>
public sealed class HistoryExportResult : IResult, IEndpointMetadataProvider
{
    /// <summary>Rows the in-memory table holds before they go to Parquet: bounds the export's memory (~100 MB).</summary>
    private const int RowsPerFlush = 250_000;

    private const int CsvRowsPerWrite = 512;

    private static readonly OptionField[] VenueAndSymbol = [OptionField.Venue, OptionField.Symbol];

    private readonly HistoryViews _views;
    private readonly BoardMoments _moments;
    private readonly IReadOnlyList<string> _coins;
    private readonly DateTimeOffset _from;
    private readonly DateTimeOffset _to;
    private readonly bool _parquet;
    private readonly ILogger _logger;

    internal HistoryExportResult(HistoryViews views, BoardMoments moments, IReadOnlyList<string> coins, DateTimeOffset from, DateTimeOffset to,
        bool parquet, ILogger logger)
    {
        _views = views;
        _moments = moments;
        _coins = coins;
        _from = from;
        _to = to;
        _parquet = parquet;
        _logger = logger;
    }

    private string FileName(string extension) =>
        $"history-{(_coins.Count == 1 ? _coins[0] : "all")}-{_from.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{_to.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.{extension}";

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var cancellationToken = httpContext.RequestAborted;
        var started = Stopwatch.GetTimestamp();
        long rows;
        IHistoryStore store;
        try
        {
            store = await _views.OpenAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await _moments.Unavailable(exception).ExecuteAsync(httpContext);
            return;
        }
        if (_parquet)
        {
            var rowsWritten = await WriteParquetAsync(store, httpContext, cancellationToken);
            if (rowsWritten is not { } written)
                return;
            rows = written;
        }
        else
        {
            var rowsWritten = await WriteCsvAsync(store, httpContext, cancellationToken);
            if (rowsWritten is not { } written)
                return;
            rows = written;
        }
        History.Log.HistoryExported(_logger, rows, string.Join(",", _coins), _from, _to, _parquet ? "parquet" : "csv",
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Every coin's rows in turn, oldest first.</summary>
    private async IAsyncEnumerable<RecordedRow> RowsAsync(IHistoryStore store, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var coin in _coins)
        {
            await foreach (var row in store.ReadQuotesAsync(coin, _from, _to, cancellationToken))
                yield return row;
        }
    }

    /// <summary>The CSV, streamed; null when the store failed before anything was sent (answered 503).</summary>
    private async Task<long?> WriteCsvAsync(IHistoryStore store, HttpContext httpContext, CancellationToken cancellationToken)
    {
        await using var rows = RowsAsync(store, cancellationToken).GetAsyncEnumerator(cancellationToken);
        bool any;
        try
        {
            any = await rows.MoveNextAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await _moments.Unavailable(exception).ExecuteAsync(httpContext);
            return null;
        }
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{FileName("csv")}\"";
        var fields = HistoryExportApi.Fields;
        var text = new StringBuilder(128 * 1024);
        text.Append("time,venue,symbol,");
        OptionFields.AppendCsvHeader(text, fields);
        text.Append("\r\n");
        long count = 0;
        while (any)
        {
            var recorded = rows.Current;
            var row = new OptionRow(recorded.Instrument, recorded.Quote);
            text.Append(recorded.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(',');
            OptionFields.AppendCsvRow(text, row, VenueAndSymbol, recorded.Time);
            text.Append(',');
            // Days to expiry as of the snapshot, as the live answer at that moment had them.
            OptionFields.AppendCsvRow(text, row, fields, recorded.Time);
            text.Append("\r\n");
            if (++count % CsvRowsPerWrite == 0)
            {
                await response.WriteAsync(text.ToString(), Encoding.UTF8, cancellationToken);
                text.Clear();
            }
            any = await rows.MoveNextAsync();
        }
        await response.WriteAsync(text.ToString(), Encoding.UTF8, cancellationToken);
        return count;
    }

    /// <summary>The Parquet zip; null when the store failed before anything was sent (answered 503).</summary>
    private async Task<long?> WriteParquetAsync(IHistoryStore store, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"optionstracker-export-{Guid.NewGuid():N}");
        var output = Path.Combine(directory, "parquet");
        Directory.CreateDirectory(directory);
        try
        {
            long count;
            try
            {
                count = await BuildParquetAsync(store, directory, output, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                await _moments.Unavailable(exception).ExecuteAsync(httpContext);
                return null;
            }
            // The zip is built beside the Parquet files, then sent with its length: a zip written straight to a response
            // would need the response to seek, or synchronous writes Kestrel refuses.
            var zip = Path.Combine(directory, "export.zip");
            // Parquet is compressed already (zstd): storing it again costs time and saves nothing.
            await ZipFile.CreateFromDirectoryAsync(output, zip, CompressionLevel.NoCompression, includeBaseDirectory: false, cancellationToken);
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/zip";
            response.Headers.ContentDisposition = $"attachment; filename=\"{FileName("zip")}\"";
            await using (var file = new FileStream(zip, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan))
            {
                response.ContentLength = file.Length;
                await file.CopyToAsync(response.Body, cancellationToken);
            }
            return count;
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                History.Log.HistoryExportTempNotRemoved(_logger, exception, directory);
            }
        }
    }

    /// <summary>The table's columns: the partition (coin, day), the snapshot time, venue and symbol, then the item fields.</summary>
    private static string ColumnType(OptionField field) => field switch
    {
        OptionField.BaseCoin or OptionField.Type or OptionField.Expiry or OptionField.Status => "VARCHAR",
        // Instants go in as Unix milliseconds and out as UTC timestamps (no time zone ever involved).
        OptionField.ExpiryDate or OptionField.UpdatedAt => "BIGINT",
        _ => "DOUBLE",
    };

    private async Task<long> BuildParquetAsync(IHistoryStore store, string directory, string output, CancellationToken cancellationToken)
    {
        var fields = HistoryExportApi.Fields;
        var names = HistoryExportApi.FieldNames;
        await using var connection = new DuckDBConnection("DataSource=:memory:");
        await connection.OpenAsync(cancellationToken);
        Execute(connection, $"SET memory_limit = '512MB'; SET temp_directory = '{Sql(Path.Combine(directory, "spill"))}'; SET preserve_insertion_order = false;");
        var columns = string.Join(", ", fields.Select((f, i) => $"\"{names[i]}\" {ColumnType(f)}"));
        Execute(connection, $"CREATE TABLE quotes (coin VARCHAR, time_ms BIGINT, venue VARCHAR, symbol VARCHAR, {columns})");
        var select = "coin, CAST(epoch_ms(time_ms) AS DATE) AS day, make_timestamp(time_ms * 1000)::TIMESTAMPTZ AS time, venue, symbol, "
            + string.Join(", ", fields.Select((f, i) => ColumnType(f) == "BIGINT"
                ? $"make_timestamp(\"{names[i]}\" * 1000)::TIMESTAMPTZ AS \"{names[i]}\""
                : $"\"{names[i]}\""));
        var copy = $"COPY (SELECT {select} FROM quotes) TO '{Sql(output)}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (coin, day), APPEND, FILENAME_PATTERN 'part_{{uuid}}')";
        // DuckDB reads TIMESTAMP to TIMESTAMPTZ in the session's time zone: UTC, so the instants stay what they were.
        Execute(connection, "SET TimeZone = 'UTC'");

        long count = 0;
        var pending = 0;
        var appender = connection.CreateAppender("quotes");
        try
        {
            await foreach (var recorded in RowsAsync(store, cancellationToken))
            {
                var row = new OptionRow(recorded.Instrument, recorded.Quote);
                var instrument = recorded.Instrument;
                var appended = appender.CreateRow()
                    .AppendValue(instrument.BaseCoin)
                    .AppendValue(recorded.Time.ToUnixTimeMilliseconds())
                    .AppendValue(instrument.Venue.Id)
                    .AppendValue(instrument.Symbol);
                foreach (var field in fields)
                {
                    appended = field switch
                    {
                        OptionField.BaseCoin => appended.AppendValue(instrument.BaseCoin),
                        OptionField.Type => appended.AppendValue(OptionFields.TypeName(instrument.Type)),
                        OptionField.Expiry => appended.AppendValue(instrument.ExpiryLabel),
                        OptionField.Status => appended.AppendValue(ListingStatuses.Name(recorded.Quote.Status)),
                        OptionField.ExpiryDate => appended.AppendValue(instrument.ExpiryUtc.ToUnixTimeMilliseconds()),
                        OptionField.UpdatedAt => recorded.Quote.HasData ? appended.AppendValue(recorded.Quote.ExchangeTimeMs) : appended.AppendNullValue(),
                        _ => OptionFields.SortKey(field, row, recorded.Time) is var value && double.IsFinite(value)
                            ? appended.AppendValue(value)
                            : appended.AppendNullValue(),
                    };
                }
                appended.EndRow();
                count++;
                if (++pending == RowsPerFlush)
                {
                    appender.Close();
                    appender.Dispose();
                    Flush(connection, copy);
                    pending = 0;
                    appender = connection.CreateAppender("quotes");
                }
            }
            appender.Close();
        }
        finally
        {
            appender.Dispose();
        }
        if (pending > 0 || count == 0)
            Flush(connection, copy);
        Directory.CreateDirectory(output);
        return count;

    }

    private static void Flush(DuckDBConnection connection, string copy)
    {
        Execute(connection, $"{copy}");
        Execute(connection, "DELETE FROM quotes");
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A path inside a single-quoted SQL string.</summary>
    private static string Sql(string path) => path.Replace("'", "''", StringComparison.Ordinal);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/csv", "application/zip"]));
}
