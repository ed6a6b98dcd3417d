using System.ComponentModel;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OptionsTracker.Book;
using OptionsTracker.History;
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

        api.MapGet("/{asset}/term", GetTermAsync)
            .WithName("GetTerm")
            .WithSummary("Per expiry: forward, ATM strike and IV, 25Δ and 10Δ skew, put/call ratios, max pain; per constant tenor: ATM IV, skew, realised volatility and the premium over it, and the ATM IV's rank and percentile over the recorded lookback")
            .WithDescription("`iv_rank` = (ATM IV − min) / (max − min) and `iv_percentile` = the share of days below it, over each UTC day's last recorded ATM IV of the tenor in the lookback (`lookback` days, default 365; `lookback_days` says how much is actually recorded); null when nothing is recorded or history is off. With `at`, all of it as of that instant.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesValidationProblem();
    }

    internal static async Task<Results<Ok<TermResponse>, ProblemHttpResult, ValidationProblem>> GetTermAsync(
        string asset, [AsParameters] AtQuery at, [Description("Days of recorded ATM IV the rank is over (1 to 3650). Default: 365.")] string? lookback,
        [FromQuery(Name = "venue"), Description(AnalyticsVenue.Description)] string? venue, BookReader reader, BoardMoments moments, CancellationToken cancellationToken)
    {
        if (!AnalyticsVenue.TryParse(venue, reader, out var only, out var badVenue))
            return badVenue!;
        var errors = new QueryErrors();
        var lookbackDays = errors.Integer(lookback, "lookback", 1, 3650) ?? (int)IvRank.DefaultLookback.TotalDays;
        if (errors.HasErrors)
            return errors.ToProblem();
        var moment = await moments.ForAssetAsync(asset, at.At, cancellationToken);
        if (moment.Moment is null)
            return moment.Problem is { } problem ? problem : moment.Invalid!;
        var result = GetTerm(asset, reader, moment.Moment, only);
        if (result.Result is not Ok<TermResponse> { Value: { } term })
            return (ProblemHttpResult)result.Result;
        return TypedResults.Ok(await WithIvRanksAsync(term, moment.Moment.Now, TimeSpan.FromDays(lookbackDays), moments, cancellationToken));
    }

    internal static Results<Ok<TermResponse>, ProblemHttpResult> GetTerm(string asset, BookReader reader, BoardMoment moment, Venue? venue = null)
    {
        var index = moment.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out _))
            return reader.UnknownAsset(index, asset);
        return TypedResults.Ok(Term(name, moment.Analytics(name, venue), venue) with { AsOf = moment.AsOfUtc });
    }

    /// <summary>
    /// The term answer with each tenor's IV rank and percentile (<see cref="IvRank"/>, the one definition) as of
    /// <paramref name="now"/>; unchanged when history is off. A store that fails leaves them null: the term figures
    /// themselves do not depend on it.
    /// </summary>
    private static async Task<TermResponse> WithIvRanksAsync(TermResponse term, DateTimeOffset now, TimeSpan lookback, BoardMoments moments,
        CancellationToken cancellationToken)
    {
        if (moments.Views is not { } views || term.Tenors.Count == 0)
            return term;
        var tenors = new List<TenorItem>(term.Tenors.Count);
        try
        {
            var store = await views.OpenAsync(cancellationToken);
            foreach (var tenor in term.Tenors)
            {
                var rank = await IvRank.ComputeAsync(store, term.Asset, (int)tenor.TenorDays, tenor.AtmIv ?? double.NaN, now, lookback, cancellationToken);
                tenors.Add(tenor with
                {
                    IvRank = rank?.Rank,
                    IvPercentile = rank?.Percentile,
                    LookbackDays = rank is { } r ? Math.Round(r.LookbackDays, 3) : null,
                });
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            moments.Unavailable(exception);
            return term;
        }
        return term with { Tenors = tenors };
    }

    /// <summary>The 404 of every analytics endpoint for an expiry the asset does not list, naming those it does.</summary>
    internal static ProblemHttpResult UnknownExpiry(string asset, DateOnly date, IReadOnlyList<ExpiryFigures> listed) => TypedResults.Problem(
        title: "Unknown expiry",
        detail: $"{asset} lists no options expiring {ExpiryLabel.Format(date)}."
            + (listed.Count == 0 ? " It lists none yet." : $" Expiries: {string.Join(", ", listed.Select(e => e.Expiry.Label))}."),
        statusCode: StatusCodes.Status404NotFound);

    /// <summary>The term endpoint's body (also each event of its stream); empty while the asset has no options.</summary>
    internal static TermResponse Term(string asset, CoinAnalytics? figures, Venue? venue = null)
    {
        if (figures is null)
            return new TermResponse([], 0, asset, [], null, null) { Venue = AnalyticsVenue.Name(venue) };
        var data = figures.Expiries.Select(TermItem.From).ToList();
        var tenors = figures.Tenors.Select(TenorItem.From).ToList();
        return new TermResponse(data, data.Count, asset, tenors, MarketMeasures.OrNull(figures.IndexPrice), figures.At.UtcDateTime)
        {
            Venue = AnalyticsVenue.Name(venue),
            Venues = AnalyticsVenue.Ids(figures),
        };
    }
}

/// <summary>The term structure: <c>data</c> per expiry, <c>tenors</c> per constant tenor; <c>time</c> when computed.</summary>
public sealed record TermResponse(
    IReadOnlyList<TermItem> Data, int Total, string Asset, IReadOnlyList<TenorItem> Tenors, double? IndexPrice, DateTime? Time)
{
    /// <summary>The time of the snapshot a past answer (<c>at=</c>) was read from; absent when live.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? AsOf { get; init; }

    /// <summary>Whose figures: a venue's id, or <c>all</c> for every venue combined.</summary>
    public string Venue { get; init; } = "all";

    /// <summary>The venues whose options the figures were computed from.</summary>
    public IReadOnlyList<string> Venues { get; init; } = [];
}

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
    /// <summary>
    /// The venue the IV figures (forward to <c>bf10</c>) are read from: the answer's venue, or in the combined figures the
    /// venue with most OI in the expiry; <c>put_call_*</c> and <c>max_pain</c> count every venue of the answer.
    /// </summary>
    public string? Venue { get; init; }

    internal static TermItem From(ExpiryFigures f) => new TermItem(
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
        f.MaxPain) { Venue = AnalyticsVenue.IvVenue(f) };
}

/// <summary>The figures at one constant tenor; <c>hv</c> is the realised volatility over the same number of days, <c>vrp</c> = <c>atm_iv</c> − <c>hv</c>.</summary>
public sealed record TenorItem(double TenorDays, double? AtmIv, double? Rr25, double? Bf25, double? Rr10, double? Bf10, double? Hv, double? Vrp)
{
    /// <summary>Where <c>atm_iv</c> stands between the lookback's lowest (0) and highest (1) daily recorded value (<see cref="History.IvRank"/>); null without history.</summary>
    public double? IvRank { get; init; }

    /// <summary>The share of the lookback's days whose recorded ATM IV was below <c>atm_iv</c>, 0 to 1; null without history.</summary>
    public double? IvPercentile { get; init; }

    /// <summary>The days of history the rank is over (at most the lookback asked); null without history.</summary>
    public double? LookbackDays { get; init; }

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
