using System.ComponentModel;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Api;

/// <summary>
/// Positioning by strike (docs/analytics.md): OI, 24 h volume and GEX per strike, max pain, total GEX and the gamma
/// flip, of all an asset's expiries (the <see cref="MarketAnalytics"/> snapshot's) or of one (computed on request from
/// the snapshot's forward, index and time).
/// </summary>
public static class PositioningApi
{
    public static void MapPositioningApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics").WithTags("Analytics");

        api.MapGet("/{asset}/strikes", GetStrikesAsync)
            .WithName("GetPositioning")
            .WithSummary("Per strike: calls' and puts' OI, 24 h volume and GEX (USD per 1 % move, calls +, puts −); max pain, total GEX and the gamma flip")
            .WithDescription("One expiry with `expiry` (26DEC25 or 2025-12-26), all expiries without it. `gex_flip` is the index level nearest the index, within ±30 %, where total GEX at Black-76 gammas changes sign; null when it does not.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
    }

    internal static async Task<Results<Ok<PositioningResponse>, ProblemHttpResult, ValidationProblem>> GetStrikesAsync(
        string asset, string? expiry, [AsParameters] AtQuery at, [FromQuery(Name = "venue"), Description(AnalyticsVenue.Description)] string? venue, BookReader reader, BoardMoments moments,
        CancellationToken cancellationToken)
    {
        if (!AnalyticsVenue.TryParse(venue, reader, out var only, out var badVenue))
            return badVenue!;
        var moment = await moments.ForAssetAsync(asset, at.At, cancellationToken);
        if (moment.Moment is null)
            return moment.Problem is { } problem ? problem : moment.Invalid!;
        return GetStrikes(asset, expiry, reader, moment.Moment, only);
    }

    internal static Results<Ok<PositioningResponse>, ProblemHttpResult, ValidationProblem> GetStrikes(
        string asset, string? expiry, BookReader reader, BoardMoment moment, Venue? venue = null)
    {
        var index = moment.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out var coin))
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        var date = errors.Expiry(expiry);
        if (errors.HasErrors)
            return errors.ToProblem();
        var figures = coin is null ? null : moment.Analytics(name, venue);
        if (figures is null)
        {
            // A tracked asset still loading: nothing listed, so no expiry of it exists yet.
            return date is null
                ? TypedResults.Ok(new PositioningResponse([], 0, name, null, null, null, null, null, null) { AsOf = moment.AsOfUtc, Venue = AnalyticsVenue.Name(venue) })
                : AnalyticsApi.UnknownExpiry(name, date.Value, []);
        }
        if (Positioning.Of(figures, date) is not { } positioning)
            return AnalyticsApi.UnknownExpiry(name, date!.Value, figures.Expiries);
        return TypedResults.Ok(Response(name, positioning, figures.At) with
        {
            AsOf = moment.AsOfUtc,
            Venue = AnalyticsVenue.Name(venue),
            Venues = AnalyticsVenue.Ids(figures),
        });
    }

    internal static PositioningResponse Response(string asset, Positioning positioning, DateTimeOffset at)
    {
        var data = new List<StrikePositionItem>(positioning.Strikes.Count);
        foreach (var strike in positioning.Strikes)
            data.Add(StrikePositionItem.From(strike));
        return new PositioningResponse(
            data, data.Count, asset, positioning.Expiry?.Label, positioning.MaxPain, MarketMeasures.OrNull(positioning.TotalGex),
            MarketMeasures.OrNull(positioning.GexFlip), MarketMeasures.OrNull(positioning.IndexPrice), at.UtcDateTime);
    }
}

/// <summary>
/// Positioning by strike: <c>data</c> per strike ascending; <c>expiry</c> the one asked for (null: all);
/// <c>max_pain</c> a strike; <c>total_gex</c> USD per 1 % move; <c>gex_flip</c> an index level; <c>time</c> when computed.
/// </summary>
public sealed record PositioningResponse(
    IReadOnlyList<StrikePositionItem> Data, int Total, string Asset, string? Expiry, decimal? MaxPain, double? TotalGex,
    double? GexFlip, double? IndexPrice, DateTime? Time)
{
    /// <summary>The time of the snapshot a past answer (<c>at=</c>) was read from; absent when live.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? AsOf { get; init; }

    /// <summary>Whose figures: a venue's id, or <c>all</c> for every venue combined.</summary>
    public string Venue { get; init; } = "all";

    /// <summary>The venues whose options OI, volume and GEX are summed over.</summary>
    public IReadOnlyList<string> Venues { get; init; } = [];
}

/// <summary>One strike: OI and 24 h volume in contracts; GEX in USD per 1 % move (calls +, puts −); null where no option carries the inputs.</summary>
public sealed record StrikePositionItem(
    decimal Strike, double? CallOi, double? PutOi, double? CallVolume, double? PutVolume, double? CallGex, double? PutGex, double? NetGex)
{
    internal static StrikePositionItem From(StrikePosition p) => new(
        p.Strike,
        MarketMeasures.OrNull(p.CallOi),
        MarketMeasures.OrNull(p.PutOi),
        MarketMeasures.OrNull(p.CallVolume),
        MarketMeasures.OrNull(p.PutVolume),
        MarketMeasures.OrNull(p.CallGex),
        MarketMeasures.OrNull(p.PutGex),
        MarketMeasures.OrNull(p.NetGex));
}
