using System.ComponentModel;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Api;

/// <summary>
/// The SVI smile fit of an asset's expiries (docs/analytics.md, "The smile fit (SVI)"), read from the shared snapshot of
/// <see cref="MarketAnalytics"/>: the parameters, the arbitrage flags, and each option's fitted IV and residual.
/// </summary>
public static class FitApi
{
    public static IEndpointRouteBuilder MapFitApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics").WithTags("Analytics");

        api.MapGet("/{asset}/fit", GetFitAsync)
            .WithName("GetFit")
            .WithSummary("Per expiry (one with expiry=, else all): the raw SVI slice fitted to the out-of-the-money mark IVs, its RMSE and arbitrage flags, and per option the fitted IV and the residual in vol points (rich > 0, cheap < 0)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
        return app;
    }

    internal static async Task<Results<Ok<FitResponse>, ProblemHttpResult, ValidationProblem>> GetFitAsync(
        string asset, string? expiry, [AsParameters] AtQuery at, [FromQuery(Name = "venue"), Description(AnalyticsVenue.Description)] string? venue, BookReader reader, BoardMoments moments,
        CancellationToken cancellationToken)
    {
        if (!AnalyticsVenue.TryParse(venue, reader, out var only, out var badVenue))
            return badVenue!;
        var moment = await moments.ForAssetAsync(asset, at.At, cancellationToken);
        if (moment.Moment is null)
            return moment.Problem is { } problem ? problem : moment.Invalid!;
        return GetFit(asset, expiry, reader, moment.Moment, only);
    }

    internal static Results<Ok<FitResponse>, ProblemHttpResult, ValidationProblem> GetFit(string asset, string? expiry, BookReader reader, BoardMoment moment, Venue? venue = null)
    {
        var index = moment.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out _))
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        var date = errors.Expiry(expiry);
        if (errors.HasErrors)
            return errors.ToProblem();
        var figures = moment.Analytics(name, venue);
        var data = new List<FitItem>();
        if (figures is not null)
        {
            for (var i = 0; i < figures.Expiries.Count; i++)
            {
                if (date is null || figures.Expiries[i].Expiry.Date == date)
                    data.Add(FitItem.From(figures.Expiries[i], figures.Fits[i]));
            }
        }
        if (date is { } wanted && data.Count == 0)
            return AnalyticsApi.UnknownExpiry(name, wanted, figures?.Expiries ?? []);
        return TypedResults.Ok(new FitResponse(data, data.Count, name, figures?.At.UtcDateTime)
        {
            AsOf = moment.AsOfUtc,
            Venue = AnalyticsVenue.Name(venue),
            Venues = AnalyticsVenue.Ids(figures),
        });
    }
}

/// <summary>The fits: <c>data</c> per expiry, chronological; <c>time</c> when the snapshot was computed.</summary>
public sealed record FitResponse(IReadOnlyList<FitItem> Data, int Total, string Asset, DateTime? Time)
{
    /// <summary>The time of the snapshot a past answer (<c>at=</c>) was read from; absent when live.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? AsOf { get; init; }

    /// <summary>Whose figures: a venue's id, or <c>all</c> for every venue combined.</summary>
    public string Venue { get; init; } = "all";

    /// <summary>The venues whose options the figures were computed from.</summary>
    public IReadOnlyList<string> Venues { get; init; } = [];
}

/// <summary>
/// One expiry's raw SVI slice in total variance, <c>w(k) = a + b(rho(k − m) + sqrt((k − m)² + sigma²))</c> with
/// <c>k = ln(strike / forward)</c> and <c>w = iv² · T</c> (T = <c>days_to_expiry</c> / 365); every fit field null when
/// the expiry has fewer than 5 quoted out-of-the-money options. <c>rmse</c> in vol points over the <c>options_used</c>;
/// <c>butterfly_arbitrage</c>: Gatheral's g(k) &lt; 0 somewhere on the check grid [<c>k_low</c>, <c>k_high</c>];
/// <c>calendar_arbitrage</c>: total variance above the next fitted expiry's somewhere on that grid (null for the last).
/// </summary>
public sealed record FitItem(
    string Expiry,
    DateTime ExpiryDate,
    double DaysToExpiry,
    double? Forward,
    double? A,
    double? B,
    double? Rho,
    double? M,
    double? Sigma,
    double? Rmse,
    int OptionsUsed,
    bool? ButterflyArbitrage,
    bool? CalendarArbitrage,
    double? KLow,
    double? KHigh,
    IReadOnlyList<FitOptionItem> Options)
{
    /// <summary>The venue whose options were fitted (one smile: in the combined figures, the venue with most OI in the expiry).</summary>
    public string? Venue { get; init; }

    internal static FitItem From(ExpiryFigures figures, SmileFit? fit)
    {
        var expiry = figures.Expiry;
        var venue = AnalyticsVenue.IvVenue(figures);
        if (fit is null)
        {
            return new FitItem(expiry.Label, expiry.ExpiryUtc.UtcDateTime, Math.Round(figures.DaysToExpiry, 6), MarketMeasures.OrNull(figures.Forward),
                null, null, null, null, null, null, 0, null, null, null, null, []) { Venue = venue };
        }
        var p = fit.Parameters;
        var options = new FitOptionItem[fit.Options.Count];
        for (var i = 0; i < options.Length; i++)
            options[i] = FitOptionItem.From(fit.Options[i]);
        return new FitItem(expiry.Label, expiry.ExpiryUtc.UtcDateTime, Math.Round(fit.DaysToExpiry, 6), fit.Forward,
            p.A, p.B, p.Rho, p.M, p.Sigma, MarketMeasures.OrNull(fit.RmseVolPoints), fit.OptionsUsed, fit.ButterflyArbitrage, fit.CalendarArbitrage,
            fit.GridLow, fit.GridHigh, options) { Venue = venue };
    }
}

/// <summary>
/// One option against its expiry's fit: <c>k</c> = ln(strike / forward); <c>mark_iv</c> and <c>model_iv</c> (the
/// fitted IV at k) are fractions; <c>residual</c> = mark IV − fitted IV in vol points (rich &gt; 0, cheap &lt; 0);
/// <c>in_fit</c> when the option was one of the out-of-the-money options fitted (the in-the-money ones are only compared).
/// </summary>
public sealed record FitOptionItem(string Symbol, decimal Strike, string Type, double K, double MarkIv, double? ModelIv, double? Residual, bool InFit)
{
    internal static FitOptionItem From(SmileFitPoint point)
    {
        var instrument = point.Slot.Instrument;
        return new FitOptionItem(instrument.Symbol, instrument.Strike, OptionFields.TypeName(instrument.Type),
            point.K, point.MarkIv, MarketMeasures.OrNull(point.ModelIv), MarketMeasures.OrNull(point.Residual), point.InFit);
    }
}
