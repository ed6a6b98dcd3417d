using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Strategies;

namespace OptionsTracker.Api;

/// <summary>
/// The strategy builder's API (docs/strategies.md): <c>POST /api/strategy/evaluate</c> evaluates legs on the live
/// board (or the one recorded at <c>at</c>) with <see cref="StrategyEvaluator"/>; <c>GET /api/strategy/presets</c>
/// lists the preset structures, and with <c>asset</c> gives their legs on that asset's board.
/// </summary>
public static class StrategyApi
{
    /// <summary>More legs than any listed structure needs: a request with more is a mistake or a probe.</summary>
    public const int MaxLegs = 20;

    /// <summary>Contracts per leg: far beyond any real order book, so a larger number is a typo.</summary>
    public const double MaxQuantity = 100_000;

    /// <summary>Points of a caller's price axis, and of each grid axis.</summary>
    public const int MaxPoints = 2_000;

    public static void MapStrategyApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/strategy").WithTags("Strategy");
        api.MapPost("/evaluate", EvaluateAsync)
            .WithName("EvaluateStrategy")
            .WithSummary("Entry at the touch and at the marks, Greeks, P&L at the first expiry, now and at a date, the spot × IV grid, breakevens, maximum profit and loss, probability of profit")
            .WithDescription("Legs `{symbol, side: buy|sell, quantity}` (an option of one tracked asset) or `{forward: expiry, side, quantity}` (the underlying at that expiry's forward), at most 20. `vol_shift` and the grid's `vol_shifts` are in vol points (5 = +5); `spot_points` are values of the first expiry's forward; `max_profit`/`max_loss` are null when unbounded.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
        api.MapGet("/presets", GetPresets)
            .WithName("GetStrategyPresets")
            .WithSummary("The preset structures (straddle, vertical, iron condor, …); with `asset` (and `expiry`), their legs on that board")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
    }

    internal static async Task<Results<Ok<StrategyResponse>, ProblemHttpResult, ValidationProblem>> EvaluateAsync(
        StrategyRequest request, BookReader reader, BoardMoments moments, CancellationToken cancellationToken)
    {
        var errors = new QueryErrors();
        var legs = request.Legs ?? [];
        if (legs.Count == 0)
            errors.Add("legs", "A strategy needs at least one leg.");
        else if (legs.Count > MaxLegs)
            errors.Add("legs", $"{legs.Count} legs is more than the {MaxLegs} a strategy may have.");
        if (errors.HasErrors)
            return errors.ToProblem();

        // The asset: the request's, or the first option leg's coin.
        var asset = request.Asset;
        if (string.IsNullOrWhiteSpace(asset))
            asset = legs.Select(l => l.Symbol).Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => moments.CoinOf(s!, null)).FirstOrDefault(c => c is not null);
        if (string.IsNullOrWhiteSpace(asset))
        {
            // No leg names a tracked asset's option: the first option leg is the bad one (else the asset is missing).
            var first = legs.Select((leg, i) => (leg.Symbol, i)).FirstOrDefault(l => !string.IsNullOrWhiteSpace(l.Symbol));
            if (first.Symbol is { } symbol)
                errors.Add($"legs[{first.i}].symbol", $"{QueryErrors.Echo(symbol)} is not an option of a tracked asset.");
            else
                errors.Add("asset", "Name the asset, or give at least one option leg of a tracked asset.");
            return errors.ToProblem();
        }
        var moment = await moments.ForAssetAsync(asset, request.At, cancellationToken);
        if (moment.Moment is not { } board)
            return moment.Problem is { } problem ? problem : moment.Invalid!;
        var index = board.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var coinName, out var coin) || coin is null)
            return reader.UnknownAsset(index, asset);
        var analytics = board.Analytics(coinName);

        var settings = Settings(request, board.Now, errors);
        var resolved = new List<StrategyLeg>(legs.Count);
        for (var i = 0; i < legs.Count; i++)
        {
            if (Resolve(legs[i], $"legs[{i}]", coin, analytics, reader, index, board.Now, settings.VolModel, errors) is { } leg)
                resolved.Add(leg);
        }
        if (errors.HasErrors)
            return errors.ToProblem();
        var firstExpiry = resolved.Min(l => l.ExpiryUtc);
        var atm = analytics?.Expiries.FirstOrDefault(e => e.Expiry.ExpiryUtc == firstExpiry).AtmIv ?? double.NaN;
        if (settings.At is { } date && (date < board.Now || date > resolved.Max(l => l.ExpiryUtc)))
        {
            errors.Add("date", $"The date must lie between now ({board.Now:O}) and the last leg's expiry ({resolved.Max(l => l.ExpiryUtc):O}).");
            return errors.ToProblem();
        }
        var evaluation = StrategyEvaluator.Evaluate(resolved, settings with { FirstExpiryAtmIv = atm });
        return TypedResults.Ok(StrategyResponse.From(coinName, resolved, evaluation, settings) with { AsOf = board.AsOfUtc });
    }

    private static EvaluationSettings Settings(StrategyRequest request, DateTimeOffset now, QueryErrors errors)
    {
        var settings = new EvaluationSettings { Now = now };
        switch (request.VolModel?.Trim().ToLowerInvariant())
        {
            case null or "" or "sticky_strike":
                break;
            case "sticky_delta":
                settings = settings with { VolModel = VolModel.StickyDelta };
                break;
            default:
                errors.Add("vol_model", $"'{QueryErrors.Echo(request.VolModel)}' is not a volatility model. Use sticky_strike or sticky_delta.");
                break;
        }
        switch (request.Entry?.Trim().ToLowerInvariant())
        {
            case null or "" or "touch":
                break;
            case "mark":
                settings = settings with { Entry = EntryBasis.Mark };
                break;
            default:
                errors.Add("entry", $"'{QueryErrors.Echo(request.Entry)}' is not an entry basis. Use touch or mark.");
                break;
        }
        if (request.VolShift is { } shift)
        {
            if (!double.IsFinite(shift) || Math.Abs(shift) > 100)
                errors.Add("vol_shift", "The IV shift is in vol points, from −100 to 100.");
            else
                settings = settings with { VolShift = shift / 100 };
        }
        if (request.SpotPoints is { } points)
        {
            if (points.Count == 0 || points.Count > MaxPoints || points.Any(p => !double.IsFinite(p) || p <= 0))
                errors.Add("spot_points", $"From 1 to {MaxPoints} positive prices of the first expiry's forward.");
            else
                settings = settings with { SpotPoints = [.. points.Order()] };
        }
        if (request.SpotShifts is { } spotShifts)
        {
            if (spotShifts.Count == 0 || spotShifts.Count > MaxPoints || spotShifts.Any(p => !double.IsFinite(p) || p <= -100 || p > 1_000))
                errors.Add("spot_shifts", $"From 1 to {MaxPoints} moves of the forward in percent, each above −100.");
            else
                settings = settings with { GridSpotShifts = [.. spotShifts.Select(p => p / 100)] };
        }
        if (request.VolShifts is { } volShifts)
        {
            if (volShifts.Count == 0 || volShifts.Count > MaxPoints || volShifts.Any(p => !double.IsFinite(p) || Math.Abs(p) > 100))
                errors.Add("vol_shifts", $"From 1 to {MaxPoints} IV shifts in vol points, from −100 to 100.");
            else
                settings = settings with { GridVolShifts = [.. volShifts.Select(p => p / 100)] };
        }
        if (request.Date is { } dateText)
        {
            if (DateTimeOffset.TryParse(dateText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
                settings = settings with { At = date };
            else
                errors.Add("date", $"'{QueryErrors.Echo(dateText)}' is not an instant. Use ISO 8601, e.g. 2026-12-10T08:00:00Z.");
        }
        return settings;
    }

    /// <summary>One requested leg on the board, or null with its error added under <paramref name="name"/>.</summary>
    private static StrategyLeg? Resolve(StrategyLegRequest request, string name, CoinIndex coin, CoinAnalytics? analytics,
        BookReader reader, BookIndex index, DateTimeOffset now, VolModel volModel, QueryErrors errors)
    {
        LegSide side;
        switch (request.Side?.Trim().ToLowerInvariant())
        {
            case "buy":
                side = LegSide.Buy;
                break;
            case "sell":
                side = LegSide.Sell;
                break;
            default:
                errors.Add($"{name}.side", $"'{QueryErrors.Echo(request.Side ?? "")}' is not a side. Use buy or sell.");
                return null;
        }
        if (request.Quantity is not { } quantity || !double.IsFinite(quantity) || quantity <= 0 || quantity > MaxQuantity)
        {
            errors.Add($"{name}.quantity", $"The quantity is a number of contracts above 0 and at most {MaxQuantity:N0}.");
            return null;
        }

        if (!string.IsNullOrWhiteSpace(request.Forward))
        {
            var date = errors.Expiry(request.Forward, $"{name}.forward");
            if (date is null)
                return null;
            var expiry = coin.Expiries.FirstOrDefault(e => e.Date == date.Value);
            var forward = expiry is null ? double.NaN : ForwardOf(expiry, analytics);
            if (expiry is null || !(forward > 0))
            {
                errors.Add($"{name}.forward", $"{coin.BaseCoin} has no listed expiry {ExpiryLabel.Format(date.Value)} with a forward.");
                return null;
            }
            return new StrategyLeg
            {
                Symbol = $"{coin.BaseCoin}-{expiry.Label} forward",
                Side = side,
                Quantity = quantity,
                ExpiryUtc = expiry.ExpiryUtc,
                Market = new LegMarket { Forward = forward, Bid = forward, Ask = forward, Mark = forward },
            };
        }

        var symbol = request.Symbol?.Trim();
        if (string.IsNullOrEmpty(symbol) || symbol.Length > 64)
        {
            errors.Add($"{name}.symbol", "Give an option's symbol, or `forward` with an expiry for the underlying.");
            return null;
        }
        if (!OptionsApi.TryFindOption(index, reader.Venues, null, symbol, out var slot)
            && !OptionsApi.TryFindOption(index, reader.Venues, null, symbol.ToUpperInvariant(), out slot))
        {
            errors.Add($"{name}.symbol", $"{QueryErrors.Echo(symbol)} is not listed (unknown, expired or delisted).");
            return null;
        }
        var instrument = slot.Instrument;
        if (!string.Equals(instrument.BaseCoin, coin.BaseCoin, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{name}.symbol", $"{instrument.Symbol} is a {instrument.BaseCoin} option; every leg must be of {coin.BaseCoin}.");
            return null;
        }
        if (instrument.ExpiryUtc <= now)
        {
            errors.Add($"{name}.symbol", $"{instrument.Symbol} expired at {instrument.ExpiryUtc:O}.");
            return null;
        }
        var expiryIndex = coin.Expiries.First(e => e.ExpiryUtc == instrument.ExpiryUtc);
        var fallback = ForwardOf(expiryIndex, analytics);
        var market = LegMarkets.Of(slot.ReadQuote(), fallback);
        return new StrategyLeg
        {
            Symbol = instrument.Symbol,
            Side = side,
            Quantity = quantity,
            ExpiryUtc = instrument.ExpiryUtc,
            Strike = instrument.StrikeValue,
            Type = instrument.Type,
            Market = market,
            // Read only when asked: a smile costs a pass over the expiry's quotes.
            Smile = volModel == VolModel.StickyDelta ? LegMarkets.SmileOf(expiryIndex, market.Forward) : ExpirySmile.Empty,
        };
    }

    private static double ForwardOf(ExpiryIndex expiry, CoinAnalytics? analytics)
    {
        if (analytics?.Expiries.FirstOrDefault(e => e.Expiry.ExpiryUtc == expiry.ExpiryUtc) is { Forward: > 0 } figures)
            return figures.Forward;
        foreach (var slot in expiry.Slots)
        {
            var underlying = slot.ReadQuote().UnderlyingPrice;
            if (underlying > 0)
                return underlying;
        }
        return analytics?.IndexPrice ?? double.NaN;
    }

    internal static Results<Ok<StrategyPresetsResponse>, ProblemHttpResult, ValidationProblem> GetPresets(
        string? asset, string? expiry, string? expiry2, BookReader reader, BoardMoments moments)
    {
        if (string.IsNullOrWhiteSpace(asset))
            return TypedResults.Ok(new StrategyPresetsResponse([.. StrategyPresets.All.Select(p => StrategyPresetItem.From(p, null))], null, null));
        var board = moments.Live();
        var index = board.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var coinName, out var coin) || coin is null)
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        var near = errors.Expiry(expiry);
        var far = errors.Expiry(expiry2, "expiry2");
        if (errors.HasErrors)
            return errors.ToProblem();
        var analytics = board.Analytics(coinName);
        var expiries = coin.Expiries.Where(e => e.ExpiryUtc > board.Now).ToList();
        var first = near is { } n ? expiries.FirstOrDefault(e => e.Date == n) : expiries.FirstOrDefault();
        if (first is null)
            return AnalyticsApi.UnknownExpiry(coinName, near ?? DateOnly.FromDateTime(board.Now.UtcDateTime), analytics?.Expiries ?? []);
        var second = far is { } f ? expiries.FirstOrDefault(e => e.Date == f) : expiries.FirstOrDefault(e => e.ExpiryUtc > first.ExpiryUtc);
        var board2 = new PresetBoard(first, ForwardOf(first, analytics), second, second is null ? double.NaN : ForwardOf(second, analytics));
        return TypedResults.Ok(new StrategyPresetsResponse(
            [.. StrategyPresets.All.Select(p => StrategyPresetItem.From(p, p.Build(board2)))], coinName, first.Label));
    }
}
