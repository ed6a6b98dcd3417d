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

        api.MapGet("/summary/{asset}", GetSummary)
            .WithName("GetSummary")
            .WithSummary("Counts, index price, ATM strike, open interest and volume by type, put/call ratios, max pain per expiry")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/greeks/{asset}", GetGreeks)
            .WithName("GetGreeks")
            .WithSummary("Mean, standard deviation, min and max of delta, gamma, theta and vega")
            .WithDescription("Over the options that have each Greek, optionally of one expiry and type.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
    }

    internal static Results<Ok<SummaryResponse>, ProblemHttpResult> GetSummary(string asset, BookReader reader)
    {
        var index = reader.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out var coin))
            return reader.UnknownAsset(index, asset);
        var now = reader.Now;
        using var rows = OptionSelection.BufferFor(index, coin);
        if (coin is not null)
            OptionSelection.Collect(coin, OptionFilter.None, rows);

        int calls = 0, puts = 0;
        double callOi = 0, putOi = 0, callVolume = 0, putVolume = 0;
        long latest = 0;
        foreach (ref readonly var row in rows.AsSpan())
        {
            var quote = row.Quote;
            var isCall = row.Instrument.Type == OptionType.Call;
            if (isCall)
            {
                calls++;
                callOi += ValueOrZero(quote.OpenInterest);
                callVolume += ValueOrZero(quote.Volume24h);
            }
            else
            {
                puts++;
                putOi += ValueOrZero(quote.OpenInterest);
                putVolume += ValueOrZero(quote.Volume24h);
            }
            latest = Math.Max(latest, quote.ExchangeTimeMs);
        }

        // The index and the headline ATM strike (nearest unexpired expiry's) as every screen shows them.
        var measures = coin is null ? default : MarketMeasures.ForCoin(coin, now);

        var maxPain = coin is null
            ? []
            : coin.Expiries.Select(e => new MaxPainItem(e.Label, e.ExpiryUtc.UtcDateTime, MaxPain(e.Slots))).ToList();

        return TypedResults.Ok(new SummaryResponse(
            name,
            rows.Count,
            new TypeCounts(calls, puts),
            coin is null ? [] : OptionsApi.ExpiryItems(coin, now),
            coin is null ? null : MarketMeasures.OrNull(measures.IndexPrice),
            measures.AtmStrike,
            new TypeTotals(callOi, putOi, callOi + putOi),
            new TypeTotals(callVolume, putVolume, callVolume + putVolume),
            new PutCallRatios(callOi > 0 ? putOi / callOi : null, callVolume > 0 ? putVolume / callVolume : null),
            maxPain,
            latest > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(latest).UtcDateTime : null));
    }

    /// <summary>
    /// The strike minimising what holders of this expiry's options would receive if it settled there:
    /// Σ call OI · max(0, S − K) + Σ put OI · max(0, K − S), over the listed strikes S. Null without open interest.
    /// </summary>
    internal static decimal? MaxPain(IReadOnlyList<OptionSlot> slots)
    {
        var positions = slots
            .Select(s => (s.Instrument.StrikeValue, s.Instrument.Strike, s.Instrument.Type, OpenInterest: s.ReadQuote().OpenInterest))
            .Where(p => double.IsFinite(p.OpenInterest) && p.OpenInterest > 0)
            .ToList();
        if (positions.Count == 0)
            return null;
        decimal? best = null;
        var bestPayout = double.PositiveInfinity;
        foreach (var candidate in slots.Select(s => s.Instrument).DistinctBy(i => i.Strike))
        {
            var settle = candidate.StrikeValue;
            var payout = 0.0;
            foreach (var p in positions)
                payout += p.OpenInterest * (p.Type == OptionType.Call ? Math.Max(0, settle - p.StrikeValue) : Math.Max(0, p.StrikeValue - settle));
            if (payout < bestPayout)
            {
                bestPayout = payout;
                best = candidate.Strike;
            }
        }
        return best;
    }

    internal static Results<Ok<GreeksResponse>, ProblemHttpResult, ValidationProblem> GetGreeks(
        string asset,
        [Description("26DEC25, 6JAN26, 2025-12-26 or all (default).")] string? expiry,
        [Description("call, put or all (default).")] string? type,
        BookReader reader)
    {
        var index = reader.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out var coin))
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        var filter = new OptionFilter { Expiry = errors.Expiry(expiry), Type = errors.Type(type) };
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

    private static double ValueOrZero(double value) => double.IsFinite(value) ? value : 0;
}
