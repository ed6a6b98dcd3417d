using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OptionsTracker.Book;
using OptionsTracker.Strategies;

namespace OptionsTracker.Api;

/// <summary>
/// The strategy builder's API (docs/strategies.md): <c>POST /api/strategy/evaluate</c> evaluates legs on the live
/// board (or the one recorded at <c>at</c>) with <see cref="StrategyEvaluator"/>; <c>GET /api/strategy/presets</c>
/// lists the preset structures, and with <c>asset</c> gives their legs on that asset's board.
/// </summary>
public static class StrategyApi
{
    /// <summary>More legs than any listed structure needs (<see cref="StrategyLimits.MaxLegs"/>).</summary>
    public const int MaxLegs = StrategyLimits.MaxLegs;

    /// <summary>Contracts per leg (<see cref="StrategyLimits.MaxQuantity"/>).</summary>
    public const double MaxQuantity = StrategyLimits.MaxQuantity;

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
        var strategyBoard = new StrategyBoard(index, reader.Venues, coin, analytics, board.Now);
        var resolved = new List<StrategyLeg>(legs.Count);
        for (var i = 0; i < legs.Count; i++)
        {
            if (Resolve(legs[i], $"legs[{i}]", strategyBoard, settings.VolModel, errors) is { } leg)
                resolved.Add(leg);
        }
        if (errors.HasErrors)
            return errors.ToProblem();
        if (settings.At is { } date && (date < board.Now || date > resolved.Max(l => l.ExpiryUtc)))
        {
            errors.Add("date", $"The date must lie between now ({board.Now:O}) and the last leg's expiry ({resolved.Max(l => l.ExpiryUtc):O}).");
            return errors.ToProblem();
        }
        var evaluation = strategyBoard.Evaluate(resolved, settings);
        return TypedResults.Ok(StrategyResponse.From(coinName, resolved, evaluation, settings) with { AsOf = board.AsOfUtc });
    }

    private static EvaluationSettings Settings(StrategyRequest request, DateTimeOffset now, QueryErrors errors)
    {
        var settings = new EvaluationSettings { Now = now };
        if (StrategyLimits.TryParseVolModel(request.VolModel, out var volModel))
            settings = settings with { VolModel = volModel };
        else
            errors.Add("vol_model", $"'{QueryErrors.Echo(request.VolModel!)}' is not a volatility model. Use sticky_strike or sticky_delta.");
        if (StrategyLimits.TryParseEntry(request.Entry, out var entry))
            settings = settings with { Entry = entry };
        else
            errors.Add("entry", $"'{QueryErrors.Echo(request.Entry!)}' is not an entry basis. Use touch or mark.");
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
    private static StrategyLeg? Resolve(StrategyLegRequest request, string name, StrategyBoard board, VolModel volModel, QueryErrors errors)
    {
        if (!StrategyLimits.TryParseSide(request.Side, out var side))
        {
            errors.Add($"{name}.side", $"'{QueryErrors.Echo(request.Side ?? "")}' is not a side. Use buy or sell.");
            return null;
        }
        if (!StrategyLimits.IsQuantity(request.Quantity))
        {
            errors.Add($"{name}.quantity", StrategyLimits.QuantityRule);
            return null;
        }
        var quantity = request.Quantity!.Value;

        if (!string.IsNullOrWhiteSpace(request.Forward))
        {
            var date = errors.Expiry(request.Forward, $"{name}.forward");
            if (date is null)
                return null;
            var forward = board.ResolveForward(date.Value, side, quantity);
            if (forward.Leg is null)
                errors.Add($"{name}.forward", forward.Problem!);
            return forward.Leg;
        }
        var resolved = board.ResolveOption(request.Symbol ?? "", null, side, quantity, volModel);
        if (resolved.Leg is null)
            errors.Add($"{name}.symbol", resolved.Problem!);
        return resolved.Leg;
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
        var strategyBoard = new StrategyBoard(index, reader.Venues, coin, analytics, board.Now);
        var expiries = strategyBoard.LiveExpiries;
        var first = near is { } n ? expiries.FirstOrDefault(e => e.Date == n) : expiries.Count > 0 ? expiries[0] : null;
        if (first is null)
            return AnalyticsApi.UnknownExpiry(coinName, near ?? DateOnly.FromDateTime(board.Now.UtcDateTime), analytics?.Expiries ?? []);
        var second = far is { } f ? expiries.FirstOrDefault(e => e.Date == f) : strategyBoard.NextAfter(first);
        var board2 = strategyBoard.PresetBoardOf(first, second);
        return TypedResults.Ok(new StrategyPresetsResponse(
            [.. StrategyPresets.All.Select(p => StrategyPresetItem.From(p, p.Build(board2)))], coinName, first.Label));
    }
}
