using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OptionsTracker.Strategies;

namespace OptionsTracker.Api;

/// <summary>
/// Saved strategies and exports (docs/strategies.md, "Saved strategies" and "Export"): <c>/api/strategies</c> lists,
/// opens, saves (<c>PUT</c>, the evaluate body) and deletes named strategies in the deployment's
/// <see cref="IStrategyLibrary"/>; <c>POST /api/strategy/export</c> and <c>GET /api/strategies/{name}/export</c> download
/// a strategy with its evaluation on the live board as CSV or JSON. A strategy is checked exactly as the evaluation
/// checks it (<see cref="StrategyApi.EvaluateAsync"/>), so what is saved can be opened, and a bad leg is a 400 naming it.
/// </summary>
public static class StrategyLibraryApi
{
    public static void MapStrategyLibraryApi(this IEndpointRouteBuilder app)
    {
        var library = app.MapGroup("/api/strategies").WithTags("Strategy");
        library.MapGet("", ListAsync)
            .WithName("ListSavedStrategies")
            .WithSummary("The saved strategies, by name (legs and choices; evaluate one to see its figures)")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        library.MapGet("/{name}", GetAsync)
            .WithName("GetSavedStrategy")
            .WithSummary("One saved strategy (name in any case)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        library.MapPut("/{name}", SaveAsync)
            .WithName("SaveStrategy")
            .WithSummary("Saves legs under a name, replacing a strategy of that name (any case)")
            .WithDescription("The body is `POST /api/strategy/evaluate`'s: `legs`, and optionally `vol_model` and `entry`, which are kept with them; the legs are checked on the live board as the evaluation checks them. At most `Strategies:MaxCount` (500) names: a new one beyond is a 409.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesValidationProblem();
        library.MapDelete("/{name}", DeleteAsync)
            .WithName("DeleteSavedStrategy")
            .WithSummary("Deletes a saved strategy")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        library.MapGet("/{name}/export", ExportSavedAsync)
            .WithName("ExportSavedStrategy")
            .WithSummary("A saved strategy and its evaluation on the live board, as a CSV or JSON download (`format=csv|json`, default json)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesValidationProblem();

        app.MapGroup("/api/strategy").WithTags("Strategy")
            .MapPost("/export", ExportAsync)
            .WithName("ExportStrategy")
            .WithSummary("Legs and their evaluation as a CSV or JSON download (`format=csv|json`, default json); the body is the evaluate request's")
            .WithDescription("CSV: one header, one row per figure, a `section` column (strategy, leg, entry, warning, greeks, summary, payoff, grid); invariant numbers, empty = missing. JSON: `{name, asset, legs, vol_model, entry, evaluation}` with `evaluation` as `POST /api/strategy/evaluate` answers.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
    }

    internal static async Task<Results<Ok<SavedStrategyListResponse>, ProblemHttpResult>> ListAsync(
        IStrategyLibrary library, IOptions<StrategiesOptions> options, CancellationToken cancellationToken)
    {
        try
        {
            var list = await library.ListAsync(cancellationToken);
            return TypedResults.Ok(new SavedStrategyListResponse([.. list.Select(SavedStrategyItem.From)], list.Count, options.Value.MaxCount));
        }
        catch (StrategyLibraryUnavailableException e)
        {
            return Unavailable(e);
        }
    }

    internal static async Task<Results<Ok<SavedStrategyItem>, ProblemHttpResult>> GetAsync(
        string name, IStrategyLibrary library, CancellationToken cancellationToken)
    {
        try
        {
            return await library.GetAsync(name, cancellationToken) is { } strategy
                ? TypedResults.Ok(SavedStrategyItem.From(strategy))
                : NotSaved(name);
        }
        catch (StrategyLibraryUnavailableException e)
        {
            return Unavailable(e);
        }
    }

    internal static async Task<Results<Ok<SavedStrategyItem>, ProblemHttpResult, ValidationProblem>> SaveAsync(
        string name, StrategyRequest request, IStrategyLibrary library, BookReader reader, BoardMoments moments, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (StrategyNames.Problem(name) is { } problem)
        {
            var errors = new QueryErrors();
            errors.Add("name", problem);
            return errors.ToProblem();
        }
        // Checked on the board exactly as an evaluation is: a strategy that saves is one that opens.
        var (evaluation, invalid, failed) = Evaluated(await StrategyApi.EvaluateAsync(request with { At = null, Date = null }, reader, moments, cancellationToken));
        if (evaluation is null)
            return invalid is null ? failed! : invalid;
        var strategy = new SavedStrategy
        {
            Name = name,
            Asset = evaluation.Asset,
            Legs = [.. request.Legs!.Select(l => new SavedLeg
            {
                Symbol = string.IsNullOrWhiteSpace(l.Forward) ? l.Symbol?.Trim() : null,
                Forward = string.IsNullOrWhiteSpace(l.Forward) ? null : l.Forward.Trim().ToUpperInvariant(),
                Side = l.Side!.Trim().Equals("buy", StringComparison.OrdinalIgnoreCase) ? LegSide.Buy : LegSide.Sell,
                Quantity = l.Quantity!.Value,
            })],
            VolModel = Choice(request.VolModel),
            Entry = Choice(request.Entry),
            SavedAt = time.GetUtcNow(),
        };
        try
        {
            await library.SaveAsync(strategy, cancellationToken);
            return TypedResults.Ok(SavedStrategyItem.From(strategy));
        }
        catch (StrategyLibraryFullException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "The strategy library is full");
        }
        catch (StrategyLibraryUnavailableException e)
        {
            return Unavailable(e);
        }
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string name, IStrategyLibrary library, CancellationToken cancellationToken)
    {
        try
        {
            return await library.DeleteAsync(name, cancellationToken) ? TypedResults.NoContent() : NotSaved(name);
        }
        catch (StrategyLibraryUnavailableException e)
        {
            return Unavailable(e);
        }
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult, ValidationProblem>> ExportAsync(
        string? format, StrategyRequest request, BookReader reader, BoardMoments moments, CancellationToken cancellationToken) =>
        await ExportEvaluatedAsync(null, format, request, reader, moments, cancellationToken);

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult, ValidationProblem>> ExportSavedAsync(
        string name, string? format, IStrategyLibrary library, BookReader reader, BoardMoments moments, CancellationToken cancellationToken)
    {
        SavedStrategy? saved;
        try
        {
            saved = await library.GetAsync(name, cancellationToken);
        }
        catch (StrategyLibraryUnavailableException e)
        {
            return Unavailable(e);
        }
        if (saved is null)
            return NotSaved(name);
        var request = new StrategyRequest
        {
            Asset = saved.Asset,
            Legs = [.. saved.Legs.Select(SavedStrategyItem.LegOf)],
            VolModel = saved.VolModel,
            Entry = saved.Entry,
        };
        return await ExportEvaluatedAsync(saved.Name, format, request, reader, moments, cancellationToken);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult, ValidationProblem>> ExportEvaluatedAsync(
        string? name, string? format, StrategyRequest request, BookReader reader, BoardMoments moments, CancellationToken cancellationToken)
    {
        var csv = false;
        switch (format?.Trim().ToLowerInvariant())
        {
            case null or "" or "json":
                break;
            case "csv":
                csv = true;
                break;
            default:
                var errors = new QueryErrors();
                errors.Add("format", $"'{QueryErrors.Echo(format)}' is not an export format. Use csv or json.");
                return errors.ToProblem();
        }
        var (evaluation, invalid, failed) = Evaluated(await StrategyApi.EvaluateAsync(request, reader, moments, cancellationToken));
        if (evaluation is null)
            return invalid is null ? failed! : invalid;
        var export = new StrategyExport(name, evaluation.Asset, request.Legs ?? [], Choice(request.VolModel) ?? "sticky_strike",
            evaluation.Entry.Basis, evaluation);
        var fileName = $"strategy-{FileNamePart(name ?? evaluation.Asset)}-{evaluation.Time:yyyyMMdd'T'HHmmss'Z'}";
        return csv
            ? TypedResults.File(System.Text.Encoding.UTF8.GetBytes(StrategyExportCsv.Write(export)), "text/csv; charset=utf-8", fileName + ".csv")
            : TypedResults.File(JsonSerializer.SerializeToUtf8Bytes(export, AppJsonContext.Default.StrategyExport), "application/json; charset=utf-8", fileName + ".json");
    }

    /// <summary>The evaluation, or the 400 or 404 it answered instead.</summary>
    private static (StrategyResponse? Evaluation, ValidationProblem? Invalid, ProblemHttpResult? Failed) Evaluated(
        Results<Ok<StrategyResponse>, ProblemHttpResult, ValidationProblem> evaluated) => evaluated.Result switch
    {
        Ok<StrategyResponse> { Value: { } evaluation } => (evaluation, null, null),
        ValidationProblem invalid => (null, invalid, null),
        ProblemHttpResult failed => (null, null, failed),
        _ => (null, null, TypedResults.Problem("The legs could not be evaluated.", statusCode: StatusCodes.Status400BadRequest)),
    };

    /// <summary>A saved choice as the evaluation spells it (lower case), null when left to its default.</summary>
    private static string? Choice(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLowerInvariant();

    /// <summary>A name made safe for a download's file name: letters, digits, - and _ only.</summary>
    private static string FileNamePart(string name)
    {
        var safe = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
        return safe.Length > 40 ? safe[..40] : safe;
    }

    private static ProblemHttpResult NotSaved(string name) => TypedResults.Problem(
        $"No strategy is saved as '{QueryErrors.Echo(name)}'. GET /api/strategies lists them.", statusCode: StatusCodes.Status404NotFound,
        title: "Unknown strategy");

    private static ProblemHttpResult Unavailable(StrategyLibraryUnavailableException e) =>
        TypedResults.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "The strategy library is unavailable");
}
