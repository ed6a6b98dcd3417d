using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Api;

/// <summary>Aggregates of an asset: the original guide's summary and the data API's Greek statistics.</summary>
public static class SummaryApi
{
    public static void MapSummaryApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Summary");

        api.MapGet("/summary/{asset}", GetSummaryAsync)
            .WithName("GetSummary")
            .WithSummary("Counts, index price, ATM strike, open interest and volume by type, put/call ratios, max pain per expiry")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        api.MapGet("/greeks/{asset}", GetGreeks)
            .WithName("GetGreeks")
            .WithSummary("Mean, standard deviation, min and max of delta, gamma, theta and vega")
            .WithDescription("Over the options that have each Greek, optionally of one expiry and type.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
    }

    internal static async Task<Results<Ok<SummaryResponse>, ProblemHttpResult, ValidationProblem>> GetSummaryAsync(
        string asset, [Description("A venue such as bybit, or all (default): every count, total and figure of that venue's options only.")] string? venue,
        [AsParameters] AtQuery at, BookReader reader, BoardMoments moments, CancellationToken cancellationToken)
    {
        var moment = await moments.ForAssetAsync(asset, at.At, cancellationToken);
        if (moment.Moment is null)
            return moment.Problem is { } problem ? problem : moment.Invalid!;
        return GetSummary(asset, venue, reader, moment.Moment);
    }

    internal static Results<Ok<SummaryResponse>, ProblemHttpResult, ValidationProblem> GetSummary(string asset, BookReader reader, BoardMoment moment) =>
        GetSummary(asset, venue: null, reader, moment);

    internal static Results<Ok<SummaryResponse>, ProblemHttpResult, ValidationProblem> GetSummary(string asset, string? venue, BookReader reader, BoardMoment moment)
    {
        var index = moment.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out var coin))
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        coin = OptionSelection.OfVenue(coin, errors.Venue(venue, reader.Venues, index));
        if (errors.HasErrors)
            return errors.ToProblem();
        var now = moment.Now;
        using var rows = OptionSelection.BufferFor(index, coin);
        if (coin is not null)
            OptionSelection.Collect(coin, OptionFilter.None, rows);

        int calls = 0, puts = 0;
        var totals = new PutCallTotals();
        long latest = 0;
        foreach (ref readonly var row in rows.AsSpan())
        {
            var quote = row.Quote;
            if (row.Instrument.Type == OptionType.Call)
                calls++;
            else
                puts++;
            totals.Add(row.Instrument.Type, quote.OpenInterest, quote.Volume24h);
            latest = Math.Max(latest, quote.ExchangeTimeMs);
        }

        // The index and the headline ATM strike (nearest unexpired expiry's) as every screen shows them.
        var measures = coin is null ? default : MarketMeasures.ForCoin(coin, now);

        var maxPain = coin is null
            ? []
            : coin.Expiries.Select(e => new MaxPainItem(e.Label, e.ExpiryUtc.UtcDateTime, MarketMeasures.MaxPain(e.Slots))).ToList();

        return TypedResults.Ok(new SummaryResponse(
            name,
            rows.Count,
            new TypeCounts(calls, puts),
            coin is null ? [] : OptionsApi.ExpiryItems(coin, now),
            coin is null ? null : MarketMeasures.OrNull(measures.IndexPrice),
            measures.AtmStrike,
            new TypeTotals(totals.CallOi, totals.PutOi, totals.CallOi + totals.PutOi),
            new TypeTotals(totals.CallVolume, totals.PutVolume, totals.CallVolume + totals.PutVolume),
            new PutCallRatios(totals.OiRatio, totals.VolumeRatio),
            maxPain,
            latest > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(latest).UtcDateTime : null) { AsOf = moment.AsOfUtc });
    }

    internal static Results<Ok<GreeksResponse>, ProblemHttpResult, ValidationProblem> GetGreeks(
        string asset,
        [Description("26DEC25, 6JAN26, 2025-12-26 or all (default).")] string? expiry,
        [Description("call, put or all (default).")] string? type,
        [Description("A venue such as bybit, or all (default).")] string? venue,
        BookReader reader)
    {
        var index = reader.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out var coin))
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        var filter = new OptionFilter { Expiry = errors.Expiry(expiry), Type = errors.Type(type), Venue = errors.Venue(venue, reader.Venues, index) };
        if (errors.HasErrors)
            return errors.ToProblem();
        using var rows = OptionSelection.BufferFor(index, coin);
        if (coin is not null)
            OptionSelection.Collect(coin, filter, rows);
        return TypedResults.Ok(new GreeksResponse(
            name,
            rows.Count,
            Stats(rows.AsSpan(), QuoteField.Delta),
            Stats(rows.AsSpan(), QuoteField.Gamma),
            Stats(rows.AsSpan(), QuoteField.Theta),
            Stats(rows.AsSpan(), QuoteField.Vega)));
    }

    internal static GreekStats Stats(ReadOnlySpan<OptionRow> rows, QuoteField field)
    {
        // Welford's online mean and variance: one pass, stable for values of very different size.
        var count = 0;
        double mean = 0, m2 = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (ref readonly var row in rows)
        {
            var value = row.Quote[field];
            if (!double.IsFinite(value))
                continue;
            count++;
            var delta = value - mean;
            mean += delta / count;
            m2 += delta * (value - mean);
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }
        return count == 0
            ? new GreekStats(0, null, null, null, null)
            : new GreekStats(count, mean, Math.Sqrt(m2 / count), min, max);
    }
}
