using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Api;

/// <summary>
/// The analytics of an asset (docs/analytics.md): every figure from the shared snapshot of
/// <see cref="MarketAnalytics"/>, so two endpoints asked at the same moment agree.
/// </summary>
public static class AnalyticsApi
{
    public static void MapAnalyticsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics").WithTags("Analytics");

        api.MapGet("/{asset}/term", GetTerm)
            .WithName("GetTerm")
            .WithSummary("Per expiry: forward, ATM strike and IV, 25Δ and 10Δ skew, put/call ratios, max pain; per constant tenor: ATM IV, skew, realised volatility and the premium over it")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    internal static Results<Ok<TermResponse>, ProblemHttpResult> GetTerm(string asset, BookReader reader, MarketAnalytics analytics)
    {
        var index = reader.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out _))
            return reader.UnknownAsset(index, asset);
        return TypedResults.Ok(Term(name, analytics.Get(name)));
    }

    /// <summary>The 404 of every analytics endpoint for an expiry the asset does not list, naming those it does.</summary>
    internal static ProblemHttpResult UnknownExpiry(string asset, DateOnly date, IReadOnlyList<ExpiryFigures> listed) => TypedResults.Problem(
        title: "Unknown expiry",
        detail: $"{asset} lists no options expiring {ExpiryLabel.Format(date)}."
            + (listed.Count == 0 ? " It lists none yet." : $" Expiries: {string.Join(", ", listed.Select(e => e.Expiry.Label))}."),
        statusCode: StatusCodes.Status404NotFound);

    /// <summary>The term endpoint's body (also each event of its stream); empty while the asset has no options.</summary>
    internal static TermResponse Term(string asset, CoinAnalytics? figures)
    {
        if (figures is null)
            return new TermResponse([], 0, asset, [], null, null);
        var data = figures.Expiries.Select(TermItem.From).ToList();
        var tenors = figures.Tenors.Select(TenorItem.From).ToList();
        return new TermResponse(data, data.Count, asset, tenors, MarketMeasures.OrNull(figures.IndexPrice), figures.At.UtcDateTime);
    }
}

/// <summary>The term structure: <c>data</c> per expiry, <c>tenors</c> per constant tenor; <c>time</c> when computed.</summary>
public sealed record TermResponse(
    IReadOnlyList<TermItem> Data, int Total, string Asset, IReadOnlyList<TenorItem> Tenors, double? IndexPrice, DateTime? Time);

/// <summary>One expiry's figures; IVs, risk reversals and butterflies are fractions (0.52 = 52 %).</summary>
public sealed record TermItem(
    string Expiry,
    DateTime ExpiryDate,
    double DaysToExpiry,
    double? Forward,
    decimal? AtmStrike,
    double? AtmIv,
    [property: JsonPropertyName("iv_25d_call")] double? Iv25dCall,
    [property: JsonPropertyName("iv_25d_put")] double? Iv25dPut,
    double? Rr25,
    double? Bf25,
    [property: JsonPropertyName("iv_10d_call")] double? Iv10dCall,
    [property: JsonPropertyName("iv_10d_put")] double? Iv10dPut,
    double? Rr10,
    double? Bf10,
    double? PutCallOi,
    double? PutCallVolume,
    decimal? MaxPain)
{
    internal static TermItem From(ExpiryFigures f) => new(
        f.Expiry.Label,
        f.Expiry.ExpiryUtc.UtcDateTime,
        Math.Round(f.DaysToExpiry, 6),
        MarketMeasures.OrNull(f.Forward),
        f.AtmStrike,
        MarketMeasures.OrNull(f.AtmIv),
        MarketMeasures.OrNull(f.Skew25.CallIv),
        MarketMeasures.OrNull(f.Skew25.PutIv),
        MarketMeasures.OrNull(f.Skew25.RiskReversal),
        MarketMeasures.OrNull(f.Skew25.Butterfly),
        MarketMeasures.OrNull(f.Skew10.CallIv),
        MarketMeasures.OrNull(f.Skew10.PutIv),
        MarketMeasures.OrNull(f.Skew10.RiskReversal),
        MarketMeasures.OrNull(f.Skew10.Butterfly),
        MarketMeasures.OrNull(f.PutCallOi),
        MarketMeasures.OrNull(f.PutCallVolume),
        f.MaxPain);
}

/// <summary>The figures at one constant tenor; <c>hv</c> is the realised volatility over the same number of days, <c>vrp</c> = <c>atm_iv</c> − <c>hv</c>.</summary>
public sealed record TenorItem(double TenorDays, double? AtmIv, double? Rr25, double? Bf25, double? Rr10, double? Bf10, double? Hv, double? Vrp)
{
    internal static TenorItem From(TenorFigures f) => new(
        f.TenorDays,
        MarketMeasures.OrNull(f.AtmIv),
        MarketMeasures.OrNull(f.Rr25),
        MarketMeasures.OrNull(f.Bf25),
        MarketMeasures.OrNull(f.Rr10),
        MarketMeasures.OrNull(f.Bf10),
        MarketMeasures.OrNull(f.Hv),
        MarketMeasures.OrNull(f.Vrp));
}
