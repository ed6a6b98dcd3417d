using System.ComponentModel;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Api;

/// <summary>
/// <c>GET /api/analytics/{asset}/surface</c>: the IV surface (docs/analytics.md, "The IV surface") from the shared
/// snapshot of <see cref="MarketAnalytics"/>, so it agrees with the term endpoint asked at the same moment.
/// </summary>
public static class SurfaceApi
{
    public static IEndpointRouteBuilder MapSurfaceApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics").WithTags("Analytics");

        api.MapGet("/{asset}/surface", GetSurfaceAsync)
            .WithName("GetSurface")
            .WithSummary("Mark IV on expiry × delta (10Δ put … ATM … 10Δ call) and expiry × log-moneyness ln(K/F) grids, ready for a 3D chart")
            .WithDescription("`data`: one row per unexpired expiry, chronological, with its IVs on both grids (`iv_by_delta` along `deltas`/`delta_labels`, `iv_by_moneyness` along `moneyness`). IVs are fractions; a cell that cannot be formed (outside the quoted deltas or strikes) is null, never extrapolated.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
        return app;
    }

    internal static async Task<Results<Ok<SurfaceResponse>, ProblemHttpResult, ValidationProblem>> GetSurfaceAsync(
        string asset, [FromQuery(Name = "grid"), Description("delta, moneyness, or both (default).")] string? grid, [AsParameters] AtQuery at,
        [FromQuery(Name = "venue"), Description(AnalyticsVenue.Description)] string? venue, BookReader reader, BoardMoments moments, CancellationToken cancellationToken)
    {
        if (!AnalyticsVenue.TryParse(venue, reader, out var only, out var badVenue))
            return badVenue!;
        var moment = await moments.ForAssetAsync(asset, at.At, cancellationToken);
        if (moment.Moment is null)
            return moment.Problem is { } problem ? problem : moment.Invalid!;
        return GetSurface(asset, grid, reader, moment.Moment, only);
    }

    internal static Results<Ok<SurfaceResponse>, ProblemHttpResult, ValidationProblem> GetSurface(string asset, string? grid, BookReader reader, BoardMoment moment, Venue? venue = null)
    {
        var index = moment.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out _))
            return reader.UnknownAsset(index, asset);
        var (byDelta, byMoneyness) = (grid?.Trim().ToLowerInvariant()) switch
        {
            null or "" or "both" => (true, true),
            "delta" => (true, false),
            "moneyness" => (false, true),
            _ => (false, false),
        };
        if (!byDelta && !byMoneyness)
        {
            var errors = new QueryErrors();
            errors.Add("grid", $"'{QueryErrors.Echo(grid!)}' is not a grid. Use delta, moneyness or both.");
            return errors.ToProblem();
        }
        var figures = moment.Analytics(name, venue);
        return TypedResults.Ok(Surface(name, figures, byDelta, byMoneyness) with
        {
            AsOf = moment.AsOfUtc,
            Venue = AnalyticsVenue.Name(venue),
            Venues = AnalyticsVenue.Ids(figures),
        });
    }

    /// <summary>The endpoint's body; empty while the asset has no options. A grid left out has null axes and cells.</summary>
    internal static SurfaceResponse Surface(string asset, CoinAnalytics? figures, bool byDelta = true, bool byMoneyness = true)
    {
        IReadOnlyList<double?>? deltas = byDelta ? [.. Measures.Surface.Columns.Select(c => MarketMeasures.OrNull(c.Delta))] : null;
        IReadOnlyList<string>? labels = byDelta ? [.. Measures.Surface.Columns.Select(c => c.Label)] : null;
        IReadOnlyList<double>? moneyness = byMoneyness ? Measures.Surface.Moneyness : null;
        if (figures is null)
            return new SurfaceResponse([], 0, asset, deltas, labels, moneyness, null, null);
        var surface = figures.Surface;
        var data = new List<SurfaceItem>(surface.Expiries.Count);
        for (var i = 0; i < surface.Expiries.Count; i++)
        {
            var f = surface.Expiries[i];
            data.Add(new SurfaceItem(
                f.Expiry.Label,
                f.Expiry.ExpiryUtc.UtcDateTime,
                Math.Round(f.DaysToExpiry, 6),
                MarketMeasures.OrNull(f.Forward),
                MarketMeasures.OrNull(f.AtmIv),
                byDelta ? Cells(surface.ByDelta[i]) : null,
                byMoneyness ? Cells(surface.ByMoneyness[i]) : null) { Venue = AnalyticsVenue.IvVenue(f) });
        }
        return new SurfaceResponse(data, data.Count, asset, deltas, labels, moneyness, MarketMeasures.OrNull(figures.IndexPrice), figures.At.UtcDateTime);
    }

    private static double?[] Cells(double[] row)
    {
        var cells = new double?[row.Length];
        for (var i = 0; i < row.Length; i++)
            cells[i] = MarketMeasures.OrNull(row[i]);
        return cells;
    }
}

/// <summary>
/// The IV surface: <c>data</c> one row per unexpired expiry; the axes beside it: <c>deltas</c> (signed, puts negative,
/// null for ATM, which is K = F) with <c>delta_labels</c>, and <c>moneyness</c> (k = ln(K/F)); <c>time</c> when computed.
/// </summary>
public sealed record SurfaceResponse(
    IReadOnlyList<SurfaceItem> Data,
    int Total,
    string Asset,
    IReadOnlyList<double?>? Deltas,
    IReadOnlyList<string>? DeltaLabels,
    IReadOnlyList<double>? Moneyness,
    double? IndexPrice,
    DateTime? Time)
{
    /// <summary>The time of the snapshot a past answer (<c>at=</c>) was read from; absent when live.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? AsOf { get; init; }

    /// <summary>Whose figures: a venue's id, or <c>all</c> for every venue combined.</summary>
    public string Venue { get; init; } = "all";

    /// <summary>The venues whose options the figures were computed from.</summary>
    public IReadOnlyList<string> Venues { get; init; } = [];
}

/// <summary>One expiry's row of the surface: mark IV (fractions; null where not formable) along each grid's axis.</summary>
public sealed record SurfaceItem(
    string Expiry,
    DateTime ExpiryDate,
    double DaysToExpiry,
    double? Forward,
    double? AtmIv,
    IReadOnlyList<double?>? IvByDelta,
    IReadOnlyList<double?>? IvByMoneyness)
{
    /// <summary>The venue whose quotes the row is read from (one smile: in the combined figures, the venue with most OI in the expiry).</summary>
    public string? Venue { get; init; }
}
