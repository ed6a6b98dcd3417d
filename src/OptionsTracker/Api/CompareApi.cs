using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Api;

/// <summary>
/// <c>GET /api/compare/{asset}?expiry=</c>: the cross-venue chain of one coin and expiry, as <see cref="VenueComparison"/>
/// defines it (the dashboard's cross-venue view draws the same lines).
/// </summary>
public static class CompareApi
{
    public static void MapCompareApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Venues");

        api.MapGet("/compare/{asset}", GetComparison)
            .WithName("CompareVenues")
            .WithSummary("One expiry's options on every venue side by side: each venue's book, the best bid and ask across venues, the IV difference")
            .WithDescription("Lines by strike (calls before puts); `quotes` holds each listing venue's bid, ask, sizes, IVs and mark (prices in USD; "
                + "coin-priced venues also give price_currency and the *_native prices). `best_bid` is the highest bid shown (a bid above 0), `best_ask` "
                + "the lowest ask; a tie goes to the first venue of `venues`. `mark_iv_diff` is a venue's mark IV minus the reference venue's "
                + "(`reference_venue`, the first of `venues`): with Bybit and Deribit, Deribit − Bybit. `crossed` says the best bid is above the best ask. "
                + "Without `expiry`, the nearest expiry; `expiries` lists every one.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
    }

    internal static Results<Ok<CompareResponse>, ProblemHttpResult, ValidationProblem> GetComparison(
        string asset,
        [Description("26DEC25 (6JAN26 works too) or an ISO date like 2025-12-26. Default: the nearest expiry.")] string? expiry,
        BookReader reader)
    {
        var index = reader.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out var coin))
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        var date = string.IsNullOrWhiteSpace(expiry) ? null : errors.Expiry(expiry);
        if (errors.HasErrors)
            return errors.ToProblem();
        var expiries = coin?.Expiries ?? [];
        var labels = expiries.Select(e => e.Label).Distinct().ToList();
        // Two venues expiring on one date at different instants list different options: the earlier instant answers.
        var chosen = date is { } only ? expiries.FirstOrDefault(e => e.Date == only) : expiries.Count > 0 ? expiries[0] : null;
        if (date is not null && chosen is null)
        {
            errors.Add("expiry", $"'{QueryErrors.Echo(expiry!)}' is not an expiry of {name}. Listed: {(labels.Count == 0 ? "none yet" : string.Join(", ", labels))}.");
            return errors.ToProblem();
        }
        var now = reader.Now;
        var venueOrder = reader.Venues.All;
        if (chosen is null)
            return TypedResults.Ok(new CompareResponse(name, null, null, null, [.. venueOrder.Select(v => v.Id)], null, null, labels, 0, []));
        var chain = VenueComparison.Compare(chosen, venueOrder);
        var venues = chain.Venues.Select(v => v.Id).ToList();
        var lines = chain.Lines.Select(Line).ToList();
        return TypedResults.Ok(new CompareResponse(
            name,
            chosen.Label,
            chosen.ExpiryUtc.UtcDateTime,
            Math.Round(MarketMeasures.DaysToExpiry(chosen, now), 6),
            venues,
            venues.Count > 0 ? venues[0] : null,
            venues.Count > 1 ? $"mark_iv({venues[1]}) - mark_iv({venues[0]})" : null,
            labels,
            lines.Count,
            lines));
    }

    private static CompareLine Line(CrossVenueLine line)
    {
        var quotes = new Dictionary<string, CompareQuote>(StringComparer.Ordinal);
        for (var i = 0; i < line.ByVenue.Count; i++)
        {
            if (line.ByVenue[i] is { } quote)
                quotes[quote.Venue.Id] = Quote(quote, line.IvDifference(i));
        }
        return new CompareLine(
            line.Strike,
            OptionFields.TypeName(line.Type),
            quotes,
            line.BestBidQuote is { } bid ? new CompareBest(bid.Venue.Id, bid.Bid, OrNull(bid.BidSize), OrNull(bid.BidIv)) : null,
            line.BestAskQuote is { } ask ? new CompareBest(ask.Venue.Id, ask.Ask, OrNull(ask.AskSize), OrNull(ask.AskIv)) : null,
            OrNull(line.IvDifference(1)),
            line.IsCrossed);
    }

    private static CompareQuote Quote(VenueQuote quote, double ivDifference)
    {
        var instrument = quote.Instrument;
        var q = quote.Quote;
        // Native prices only where the venue quotes in a coin: the one conversion (Book/NativePrice), at the quote's own index.
        double? Native(double usd) => instrument.IsCoinPriced ? OrNull(NativePrice.FromUsd(usd, instrument, q)) : null;
        return new CompareQuote(
            instrument.Symbol,
            OrNull(quote.Bid),
            OrNull(quote.BidSize),
            OrNull(quote.BidIv),
            OrNull(quote.Ask),
            OrNull(quote.AskSize),
            OrNull(quote.AskIv),
            OrNull(quote.Mark),
            OrNull(quote.MarkIv),
            OrNull(ivDifference),
            instrument.PriceCurrency,
            Native(quote.Mark),
            Native(quote.Bid),
            Native(quote.Ask),
            q.HasData ? DateTimeOffset.FromUnixTimeMilliseconds(q.ExchangeTimeMs).UtcDateTime : null);
    }

    private static double? OrNull(double value) => double.IsFinite(value) ? value : null;
}

/// <summary>
/// The cross-venue chain of one expiry. <c>venues</c> are those listing options of it, in the configured order; the first
/// is <c>reference_venue</c>, against which each quote's <c>mark_iv_diff</c> is taken (<c>iv_difference</c> says it in words).
/// </summary>
public sealed record CompareResponse(
    string Asset,
    string? Expiry,
    DateTime? ExpiryDate,
    double? DaysToExpiry,
    IReadOnlyList<string> Venues,
    string? ReferenceVenue,
    string? IvDifference,
    IReadOnlyList<string> Expiries,
    int Total,
    IReadOnlyList<CompareLine> Data);

/// <summary>
/// One strike and type: <c>quotes</c> by venue id (a venue not listing it is absent), the best bid and ask across venues
/// (null when no venue shows one), <c>mark_iv_diff</c> = the second venue's mark IV minus the reference's.
/// </summary>
public sealed record CompareLine(
    decimal Strike,
    string Type,
    IReadOnlyDictionary<string, CompareQuote> Quotes,
    CompareBest? BestBid,
    CompareBest? BestAsk,
    double? MarkIvDiff,
    bool Crossed);

/// <summary>One venue's side of a line. Prices in USD; <c>*_native</c> in <c>price_currency</c> (null when the venue quotes in dollars).</summary>
public sealed record CompareQuote(
    string Symbol,
    double? BidPrice,
    double? BidSize,
    double? BidIv,
    double? AskPrice,
    double? AskSize,
    double? AskIv,
    double? MarkPrice,
    double? MarkIv,
    double? MarkIvDiff,
    string? PriceCurrency,
    double? MarkPriceNative,
    double? BidPriceNative,
    double? AskPriceNative,
    DateTime? UpdatedAt);

/// <summary>The best price of one side across venues and where it is.</summary>
public sealed record CompareBest(string Venue, double Price, double? Size, double? Iv);
