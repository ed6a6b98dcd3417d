using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Api;

/// <summary>
/// The original data API's screens: near the money, high volume, high IV, recently changed, symbol lists and
/// the POST query. Every list answers with the envelope and takes sort, limit, offset and fields.
/// </summary>
public static class ScreenerApi
{
    private const int MaxQueryBodyBytes = 64 * 1024;
    private const string AllAssets = "all";

    public static void MapScreenerApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Screens");

        api.MapGet("/atm/{asset}", GetAtm)
            .WithName("GetAtm")
            .WithSummary("Options at the strikes nearest the money, per expiry")
            .WithDescription("For each expiry, the num_strikes listed strikes closest to that expiry's forward (the underlying price of its most recently updated option; the lower strike on a tie), calls and puts. The first of them is the expiry's ATM strike. An expiry with no underlying price yet is left out.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        api.MapGet("/high-volume", GetHighVolume)
            .WithName("GetHighVolume")
            .WithSummary("Options with a 24 h volume of at least min_volume, highest first")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        api.MapGet("/high-iv", GetHighIv)
            .WithName("GetHighIv")
            .WithSummary("Options with a mark IV of at least min_iv, highest first")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        api.MapGet("/recent", GetRecent)
            .WithName("GetRecent")
            .WithSummary("Options updated in the last N seconds, newest first")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        api.MapGet("/symbols", GetSymbols)
            .WithName("GetSymbols")
            .WithSummary("Symbols of every option, or of one asset")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        api.MapPost("/query", PostQuery)
            .WithName("QueryOptions")
            .WithSummary("Options matching a JSON query")
            .WithDescription("Body: asset, expiry, min_strike, max_strike (0 to 1000000000000), type (or option_type), min_volume, min_iv (a fraction; above 5 percent), venue (bybit, …; default all), sort, offset, limit (0 to 100000, default 100). Every member is optional; a value out of range is a 400 naming it.")
            .Accepts<OptionQueryRequest>("application/json")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
    }

    internal static Results<OptionListResult, ProblemHttpResult, ValidationProblem> GetAtm(
        string asset,
        [Description("How many strikes nearest the money per expiry (1 to 200). Default 5.")] string? num_strikes,
        [Description("26DEC25, 6JAN26, 2025-12-26 or all (default).")] string? expiry,
        [Description("A venue such as bybit, or all (default).")] string? venue,
        [AsParameters] ListQuery listQuery,
        BookReader reader)
    {
        var index = reader.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out var coin))
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        var strikes = errors.Integer(num_strikes, "num_strikes", 1, 200) ?? 5;
        var date = errors.Expiry(expiry);
        // One venue's ATM strikes are its own forward's nearest: the venue's options as a coin of their own.
        coin = OptionSelection.OfVenue(coin, errors.Venue(venue, reader.Venues, index));
        var list = listQuery.Parse(errors);
        if (errors.HasErrors)
            return errors.ToProblem();

        var now = reader.Now;
        var rows = OptionSelection.BufferFor(index, coin);
        if (coin is not null)
        {
            foreach (var expiryIndex in coin.Expiries)
            {
                if (date is { } only && expiryIndex.Date != only)
                    continue;
                var nearest = MarketMeasures.NearestStrikes(expiryIndex, MarketMeasures.Forward(expiryIndex), strikes);
                if (nearest.Count == 0)
                    continue;
                foreach (var slot in expiryIndex.Slots)
                {
                    if (nearest.Contains(slot.Instrument.Strike))
                        rows.Add(OptionRow.Read(slot));
                }
            }
        }
        return new OptionListResult(name, rows, OptionSelection.OrderAndPage(rows, list, now), list.Fields, now);
    }

    internal static Results<OptionListResult, ProblemHttpResult, ValidationProblem> GetHighVolume(
        [Description("Smallest 24 h volume (contracts, 0 to 1000000000000). Default 1.")] string? min_volume,
        [Description("BTC, ETH, … Default: every asset.")] string? asset,
        [Description("A venue such as bybit, or all (default).")] string? venue,
        [AsParameters] ListQuery listQuery,
        BookReader reader)
    {
        var errors = new QueryErrors();
        var filter = new OptionFilter
        {
            MinVolume = errors.Number(min_volume, "min_volume", 0, QueryErrors.MaxVolume) ?? 1,
            Venue = errors.Venue(venue, reader.Venues, reader.Book.Index),
        };
        return Screen(reader, asset, filter, listQuery, errors, OptionField.Volume24h, defaultLimit: 50);
    }

    internal static Results<OptionListResult, ProblemHttpResult, ValidationProblem> GetHighIv(
        [Description("Smallest mark IV as a fraction (0.8 = 80 %); values above 5 are read as percent (up to 1000). Default 1 (100 %).")] string? min_iv,
        [Description("BTC, ETH, … Default: every asset.")] string? asset,
        [Description("A venue such as bybit, or all (default).")] string? venue,
        [AsParameters] ListQuery listQuery,
        BookReader reader)
    {
        var errors = new QueryErrors();
        var filter = new OptionFilter
        {
            MinIv = IvFraction(errors.Number(min_iv, "min_iv", 0, QueryErrors.MaxIvPercent)) ?? 1,
            Venue = errors.Venue(venue, reader.Venues, reader.Book.Index),
        };
        return Screen(reader, asset, filter, listQuery, errors, OptionField.MarkIv, defaultLimit: 50);
    }

    /// <summary>The original tool's users wrote IVs as percent (80) as often as fractions (0.8); no real IV is 500 %.</summary>
    internal static double? IvFraction(double? value) => value > 5 ? value / 100 : value;

    internal static Results<OptionListResult, ProblemHttpResult, ValidationProblem> GetRecent(
        [Description("Window in seconds (1 to 86400). Default 60.")] string? seconds,
        [Description("BTC, ETH, … Default: every asset.")] string? asset,
        [Description("A venue such as bybit, or all (default).")] string? venue,
        [AsParameters] ListQuery listQuery,
        BookReader reader)
    {
        var errors = new QueryErrors();
        var window = errors.Integer(seconds, "seconds", 1, 86_400) ?? 60;
        var filter = new OptionFilter
        {
            ReceivedSinceMs = reader.Now.ToUnixTimeMilliseconds() - (window * 1000L),
            Venue = errors.Venue(venue, reader.Venues, reader.Book.Index),
        };
        return Screen(reader, asset, filter, listQuery, errors, OptionField.UpdatedAt, defaultLimit: null);
    }

    private static Results<OptionListResult, ProblemHttpResult, ValidationProblem> Screen(
        BookReader reader, string? asset, OptionFilter filter, ListQuery listQuery, QueryErrors errors, OptionField defaultSort, int? defaultLimit)
    {
        var index = reader.Book.Index;
        string name = AllAssets;
        CoinIndex? coin = null;
        if (!IsEveryAsset(asset) && !reader.TryResolveAsset(index, asset, out name, out coin))
            return reader.UnknownAsset(index, asset);
        var list = listQuery.Parse(errors, defaultSort, defaultDescending: true, defaultLimit);
        if (errors.HasErrors)
            return errors.ToProblem();
        return OptionsApi.List(reader, index, name, coin, filter, list, allCoins: IsEveryAsset(asset));
    }

    private static bool IsEveryAsset(string? asset) => string.IsNullOrWhiteSpace(asset) || asset.Equals(AllAssets, StringComparison.OrdinalIgnoreCase);

    internal static Results<Ok<SymbolListResponse>, ProblemHttpResult, ValidationProblem> GetSymbols(
        [Description("BTC, ETH, … Default: every asset.")] string? asset,
        [Description("A venue such as bybit, or all (default). Without one, a symbol two venues list appears once per venue.")] string? venue,
        BookReader reader)
    {
        var index = reader.Book.Index;
        var errors = new QueryErrors();
        var only = errors.Venue(venue, reader.Venues, index);
        if (errors.HasErrors)
            return errors.ToProblem();
        bool OnVenue(OptionSlot s) => only is not { } v || s.Instrument.Venue == v;
        if (IsEveryAsset(asset))
        {
            var all = index.All.Where(OnVenue).Select(s => s.Instrument.Symbol).ToList();
            return TypedResults.Ok(new SymbolListResponse(all, all.Count, AllAssets));
        }
        if (!reader.TryResolveAsset(index, asset, out var name, out var coin))
            return reader.UnknownAsset(index, asset);
        List<string> symbols = coin is null ? [] : [.. coin.Slots.Where(OnVenue).Select(s => s.Instrument.Symbol)];
        return TypedResults.Ok(new SymbolListResponse(symbols, symbols.Count, name));
    }

    internal static async Task<Results<OptionListResult, ProblemHttpResult, ValidationProblem>> PostQuery(
        HttpRequest request, BookReader reader, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxQueryBodyBytes)
            return TypedResults.Problem(title: "Query too large", detail: $"The query body may be at most {MaxQueryBodyBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge);

        OptionQueryRequest? query;
        try
        {
            query = request.ContentLength == 0
                ? new OptionQueryRequest()
                : await JsonSerializer.DeserializeAsync(request.Body, AppJsonContext.Default.OptionQueryRequest, cancellationToken);
        }
        catch (JsonException e)
        {
            Log.BadQueryBody(loggers.CreateLogger(typeof(ScreenerApi)), e.Message);
            var errors = new QueryErrors();
            // A member of the wrong kind (a limit of 1e3 or "many", a strike of 1e999) is named by its path ($.limit).
            var member = BodyMember(e.Path);
            errors.Add(member, $"The body is not a JSON query ({e.Message}).{MemberHint(member)} Send an object such as {{\"asset\": \"BTC\", \"type\": \"call\", \"min_volume\": 10, \"limit\": 20}}.");
            return errors.ToProblem();
        }
        catch (BadHttpRequestException e)
        {
            return TypedResults.Problem(title: "Bad request body", detail: e.Message, statusCode: e.StatusCode);
        }
        query ??= new OptionQueryRequest();

        var index = reader.Book.Index;
        string name = AllAssets;
        CoinIndex? coin = null;
        if (!IsEveryAsset(query.Asset) && !reader.TryResolveAsset(index, query.Asset, out name, out coin))
            return reader.UnknownAsset(index, query.Asset);

        var check = new QueryErrors();
        var minStrike = check.Number(query.MinStrike, "min_strike", 0, (double)QueryErrors.MaxStrike);
        var maxStrike = check.Number(query.MaxStrike, "max_strike", 0, (double)QueryErrors.MaxStrike);
        if (minStrike > maxStrike)
            check.Add("max_strike", "max_strike must not be below min_strike.");
        var limit = check.Integer(query.Limit, "limit", 0, ListQuery.MaxLimit);
        var offset = check.Integer(query.Offset, "offset", 0, int.MaxValue);
        var filter = new OptionFilter
        {
            Expiry = check.Expiry(query.Expiry),
            Type = check.Type(query.Type ?? query.OptionType, query.Type is null ? "option_type" : "type"),
            // In range, so the conversion to decimal cannot overflow.
            MinStrike = (decimal?)minStrike,
            MaxStrike = (decimal?)maxStrike,
            MinVolume = check.Number(query.MinVolume, "min_volume", 0, QueryErrors.MaxVolume),
            MinIv = IvFraction(check.Number(query.MinIv, "min_iv", 0, QueryErrors.MaxIvPercent)),
            Venue = check.Venue(query.Venue, reader.Venues, index),
        };
        var (sort, descending) = check.Sort(query.Sort);
        if (check.HasErrors)
            return check.ToProblem();
        var list = new ListSpec(sort, descending, offset ?? 0, limit ?? 100, OptionFields.Default);
        return OptionsApi.List(reader, index, name, coin, filter, list, allCoins: IsEveryAsset(query.Asset));
    }

    private static string BodyMember(string? path) =>
        path is ['$', '.', .. var member] && member.Length is > 0 and <= 32 && member.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? member
            : "body";

    private static string MemberHint(string member)
    {
        var strikes = QueryErrors.MaxStrike.ToString(CultureInfo.InvariantCulture);
        return member switch
        {
            "limit" => $" limit is a whole number from 0 to {ListQuery.MaxLimit}.",
            "offset" => $" offset is a whole number from 0 to {int.MaxValue}.",
            "min_strike" or "max_strike" => $" {member} is a number from 0 to {strikes}.",
            "min_volume" => $" min_volume is a number from 0 to {QueryErrors.MaxVolume.ToString("0", CultureInfo.InvariantCulture)}.",
            "min_iv" => $" min_iv is a number from 0 to {QueryErrors.MaxIvPercent.ToString(CultureInfo.InvariantCulture)} (up to 5 a fraction, above that percent).",
            _ => "",
        };
    }
}
