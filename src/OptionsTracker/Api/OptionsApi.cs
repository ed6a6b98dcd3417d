using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using OptionsTracker.Book;

namespace OptionsTracker.Api;

/// <summary>The original guide's endpoints: options, one option, expiries and strikes of an asset.</summary>
public static class OptionsApi
{
    public static void MapOptionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Options");

        api.MapGet("/options/{asset}", GetOptionsAsync)
            .WithName("GetOptions")
            .WithSummary("Options of an asset")
            .WithDescription("Filtered by expiry, type and strike; sorted, paged and projected. `total` counts every match before paging.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        api.MapGet("/option/{symbol}", GetOptionAsync)
            .WithName("GetOption")
            .WithSummary("One option by its venue's symbol")
            .WithDescription("For example BTC-26DEC25-100000-C or SOL-6JAN26-150-P-USDT. Every field, the model's (model_iv, model_delta, …, model_divergent) included, unless `fields` picks some. `venue` picks the venue; without it, the first venue listing the symbol answers, in the order of the known venues (bybit first). 404 when the book does not hold it.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        api.MapGet("/expiries/{asset}", GetExpiriesAsync)
            .WithName("GetExpiries")
            .WithSummary("Expiries of an asset, chronological, with their option counts")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        api.MapGet("/strikes/{asset}", GetStrikesAsync)
            .WithName("GetStrikes")
            .WithSummary("Strikes of an asset (optionally of one expiry), numerically sorted")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
    }

    // Each endpoint: its moment (live, or the snapshot at `at`), then the one handler that answers any moment.
    internal static async Task<Results<OptionListResult, ProblemHttpResult, ValidationProblem>> GetOptionsAsync(
        string asset, [AsParameters] OptionFilterQuery filterQuery, [AsParameters] ListQuery listQuery, [AsParameters] AtQuery at,
        BookReader reader, BoardMoments moments, CancellationToken cancellationToken)
    {
        var moment = await moments.ForAssetAsync(asset, at.At, cancellationToken);
        if (moment.Moment is null)
            return moment.Problem is { } problem ? problem : moment.Invalid!;
        return GetOptions(asset, filterQuery, listQuery, reader, moment.Moment);
    }

    internal static Results<OptionListResult, ProblemHttpResult, ValidationProblem> GetOptions(
        string asset, OptionFilterQuery filterQuery, ListQuery listQuery, BookReader reader) =>
        GetOptions(asset, filterQuery, listQuery, reader, BoardMoment.Live(reader, null));

    internal static Results<OptionListResult, ProblemHttpResult, ValidationProblem> GetOptions(
        string asset, OptionFilterQuery filterQuery, ListQuery listQuery, BookReader reader, BoardMoment moment)
    {
        var index = moment.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out var coin))
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        var filter = filterQuery.Parse(errors, reader.Venues, index);
        var list = listQuery.Parse(errors);
        if (errors.HasErrors)
            return errors.ToProblem();
        return List(index, name, coin, filter, list, moment.Now, moment.AsOf);
    }

    /// <summary>Selects, orders and pages; <paramref name="coin"/> null = every coin of the index.</summary>
    internal static OptionListResult List(BookReader reader, BookIndex index, string asset, CoinIndex? coin, OptionFilter filter, ListSpec list, bool allCoins = false) =>
        List(index, asset, coin, filter, list, reader.Now, asOf: null, allCoins);

    internal static OptionListResult List(BookIndex index, string asset, CoinIndex? coin, OptionFilter filter, ListSpec list, DateTimeOffset now,
        DateTimeOffset? asOf, bool allCoins = false)
    {
        var (rows, page) = OptionSelection.Select(index, coin, allCoins, filter, list, now);
        return new OptionListResult(asset, rows, page, list.Fields, now) { AsOf = asOf };
    }

    internal static async Task<Results<OptionItemResult, ProblemHttpResult, ValidationProblem>> GetOptionAsync(
        string symbol, string? fields, string? venue, [AsParameters] AtQuery at, BookReader reader, BoardMoments moments, CancellationToken cancellationToken)
    {
        var venueErrors = new QueryErrors();
        var only = venueErrors.Venue(venue, reader.Venues, reader.Book.Index);
        if (venueErrors.HasErrors)
            return venueErrors.ToProblem();
        var moment = await moments.ForSymbolAsync(symbol, only, at.At, cancellationToken);
        if (moment.Moment is null)
            return moment.Problem is { } problem ? problem : moment.Invalid!;
        return GetOption(symbol, fields, venue, reader, moment.Moment);
    }

    internal static Results<OptionItemResult, ProblemHttpResult, ValidationProblem> GetOption(string symbol, string? fields, string? venue, BookReader reader, BoardMoment moment)
    {
        var index = moment.Book.Index;
        var venueErrors = new QueryErrors();
        var only = venueErrors.Venue(venue, reader.Venues, index);
        if (venueErrors.HasErrors)
            return venueErrors.ToProblem();
        if (symbol.Length > 64 || !(TryFindOption(index, reader.Venues, only, symbol, out var slot)
            || TryFindOption(index, reader.Venues, only, symbol.ToUpperInvariant(), out slot)))
        {
            return BoardMoments.UnknownOption(symbol);
        }
        var errors = new QueryErrors();
        // One option answers with the model's fields too (docs/analytics.md): a single IV solve is cheap.
        var selected = errors.Fields(fields, whenAbsent: OptionFields.All);
        if (errors.HasErrors)
            return errors.ToProblem();
        return new OptionItemResult(OptionRow.Read(slot), selected, moment.Now, moment.AsOf);
    }

    /// <summary>
    /// The option <paramref name="symbol"/> on <paramref name="venue"/>, or, without one, on the first venue listing
    /// it: the known venues in their order (the original tool's Bybit first, so its users' requests keep their
    /// meaning when another venue lists the same symbol), then any other venue in the book.
    /// </summary>
    internal static bool TryFindOption(BookIndex index, KnownVenues known, Venue? venue, string symbol, out OptionSlot slot) =>
        known.TryFindOption(index, venue, symbol, out slot);

    internal static async Task<Results<Ok<ExpiryListResponse>, ProblemHttpResult, ValidationProblem>> GetExpiriesAsync(
        string asset, [Description("A venue such as bybit, or all (default).")] string? venue, [AsParameters] AtQuery at,
        BookReader reader, BoardMoments moments, CancellationToken cancellationToken)
    {
        var moment = await moments.ForAssetAsync(asset, at.At, cancellationToken);
        if (moment.Moment is null)
            return moment.Problem is { } problem ? problem : moment.Invalid!;
        return GetExpiries(asset, venue, reader, moment.Moment);
    }

    internal static Results<Ok<ExpiryListResponse>, ProblemHttpResult, ValidationProblem> GetExpiries(string asset, BookReader reader, BoardMoment moment) =>
        GetExpiries(asset, venue: null, reader, moment);

    internal static Results<Ok<ExpiryListResponse>, ProblemHttpResult, ValidationProblem> GetExpiries(string asset, string? venue, BookReader reader, BoardMoment moment)
    {
        var index = moment.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out var coin))
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        coin = OptionSelection.OfVenue(coin, errors.Venue(venue, reader.Venues, index));
        if (errors.HasErrors)
            return errors.ToProblem();
        var items = coin is null ? [] : ExpiryItems(coin, moment.Now);
        return TypedResults.Ok(new ExpiryListResponse(items, items.Count, name) { AsOf = moment.AsOfUtc });
    }

    internal static List<ExpiryItem> ExpiryItems(CoinIndex coin, DateTimeOffset now) =>
        [.. coin.Expiries.Select(e => new ExpiryItem(e.Label, e.ExpiryUtc.UtcDateTime, Math.Round(Measures.MarketMeasures.DaysToExpiry(e, now), 6), e.Slots.Count))];

    internal static async Task<Results<Ok<StrikeListResponse>, ProblemHttpResult, ValidationProblem>> GetStrikesAsync(
        string asset, string? expiry, [Description("A venue such as bybit, or all (default).")] string? venue, [AsParameters] AtQuery at,
        BookReader reader, BoardMoments moments, CancellationToken cancellationToken)
    {
        var moment = await moments.ForAssetAsync(asset, at.At, cancellationToken);
        if (moment.Moment is null)
            return moment.Problem is { } problem ? problem : moment.Invalid!;
        return GetStrikes(asset, expiry, venue, reader, moment.Moment);
    }

    internal static Results<Ok<StrikeListResponse>, ProblemHttpResult, ValidationProblem> GetStrikes(string asset, string? expiry, BookReader reader, BoardMoment moment) =>
        GetStrikes(asset, expiry, venue: null, reader, moment);

    internal static Results<Ok<StrikeListResponse>, ProblemHttpResult, ValidationProblem> GetStrikes(string asset, string? expiry, string? venue, BookReader reader, BoardMoment moment)
    {
        var index = moment.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out var coin))
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        var date = errors.Expiry(expiry);
        coin = OptionSelection.OfVenue(coin, errors.Venue(venue, reader.Venues, index));
        if (errors.HasErrors)
            return errors.ToProblem();
        var strikes = coin is null ? [] : OptionSelection.SlotsOf(coin, date).Select(s => s.Instrument.Strike).Distinct().Order().ToList();
        return TypedResults.Ok(new StrikeListResponse(strikes, strikes.Count, name) { AsOf = moment.AsOfUtc });
    }
}
