using System.ComponentModel;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Api;

/// <summary>
/// Realised against implied volatility of an asset (docs/analytics.md, "Realised volatility"): per period Bybit measures
/// realised volatility over, that value, the ATM IV at the same tenor from the shared snapshot's term structure, and the
/// premium of one over the other.
/// </summary>
public static class VolatilityApi
{
    public static void MapVolatilityApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics").WithTags("Analytics");

        api.MapGet("/{asset}/volatility", GetVolatilityAsync)
            .WithName("GetVolatility")
            .WithSummary("Per period of realised volatility (days): Bybit's realised volatility, the ATM IV at the same tenor and the volatility risk premium (ATM IV − realised)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
    }

    internal static async Task<Results<Ok<VolatilityResponse>, ProblemHttpResult, ValidationProblem>> GetVolatilityAsync(
        string asset, [AsParameters] AtQuery at, [FromQuery(Name = "venue"), Description(AnalyticsVenue.Description)] string? venue, BookReader reader, BoardMoments moments,
        CancellationToken cancellationToken)
    {
        if (!AnalyticsVenue.TryParse(venue, reader, out var only, out var badVenue))
            return badVenue!;
        var moment = await moments.ForAssetAsync(asset, at.At, cancellationToken);
        if (moment.Moment is null)
            return moment.Problem is { } problem ? problem : moment.Invalid!;
        var result = GetVolatility(asset, reader, moment.Moment, only);
        return result.Result is Ok<VolatilityResponse> ok ? ok : (ProblemHttpResult)result.Result;
    }

    internal static Results<Ok<VolatilityResponse>, ProblemHttpResult> GetVolatility(string asset, BookReader reader, BoardMoment moment, Venue? venue = null)
    {
        var index = moment.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out _))
            return reader.UnknownAsset(index, asset);
        var figures = moment.Analytics(name, venue);
        var points = moment.Realised.Get(name);
        var data = new List<VolatilityItem>(points.Count);
        foreach (var point in points)
        {
            // The tenor's ATM IV as the term endpoint's tenors interpolate it (total variance linear in T, no extrapolation).
            var atmIv = figures is null ? double.NaN : TermStructure.AtTenor(figures.Expiries, point.PeriodDays, point.Value).AtmIv;
            data.Add(new VolatilityItem(
                point.PeriodDays,
                MarketMeasures.OrNull(point.Value),
                point.Time.UtcDateTime,
                MarketMeasures.OrNull(atmIv),
                MarketMeasures.OrNull(atmIv - point.Value)));
        }
        return TypedResults.Ok(new VolatilityResponse(data, data.Count, name)
        {
            AsOf = moment.AsOfUtc,
            Venue = AnalyticsVenue.Name(venue),
            Venues = AnalyticsVenue.Ids(figures),
        });
    }
}

/// <summary>Realised against implied volatility, one item per period, ascending.</summary>
public sealed record VolatilityResponse(IReadOnlyList<VolatilityItem> Data, int Total, string Asset)
{
    /// <summary>The time of the snapshot a past answer (<c>at=</c>) was read from; absent when live.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? AsOf { get; init; }

    /// <summary>Whose figures: a venue's id, or <c>all</c> for every venue combined.</summary>
    public string Venue { get; init; } = "all";

    /// <summary>The venues whose options ATM IVs were read from.</summary>
    public IReadOnlyList<string> Venues { get; init; } = [];
}

/// <summary>
/// One period: <c>hv</c> Bybit's realised volatility over <c>period_days</c> days, measured at <c>time</c>; <c>atm_iv</c>
/// the ATM IV at a tenor of as many days (null outside the listed expiries); <c>vrp</c> = <c>atm_iv</c> − <c>hv</c>.
/// Fractions (0.52 = 52 %).
/// </summary>
public sealed record VolatilityItem(int PeriodDays, double? Hv, DateTime Time, double? AtmIv, double? Vrp);
