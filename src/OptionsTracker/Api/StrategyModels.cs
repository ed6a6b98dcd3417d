using System.Text.Json.Serialization;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Strategies;

namespace OptionsTracker.Api;

/// <summary>The body of <c>POST /api/strategy/evaluate</c> (snake_case).</summary>
public sealed record StrategyRequest
{
    /// <summary>The asset; optional when a leg is an option of a tracked asset.</summary>
    public string? Asset { get; init; }

    public IReadOnlyList<StrategyLegRequest>? Legs { get; init; }

    /// <summary>Evaluate on the board recorded at or before this instant (history).</summary>
    public string? At { get; init; }

    /// <summary>A date for a third P&amp;L curve and a second grid.</summary>
    public string? Date { get; init; }

    /// <summary>The payoff curves' price axis (the first expiry's forward); default 200 points over ±50 % plus the strikes.</summary>
    public IReadOnlyList<double>? SpotPoints { get; init; }

    /// <summary>An IV shift for the curves, vol points.</summary>
    public double? VolShift { get; init; }

    /// <summary>The grid's forward moves, percent (default −30 to 30 in 21 steps).</summary>
    public IReadOnlyList<double>? SpotShifts { get; init; }

    /// <summary>The grid's IV shifts, vol points (default −20 to 20 in 21 steps).</summary>
    public IReadOnlyList<double>? VolShifts { get; init; }

    /// <summary><c>sticky_strike</c> (default) or <c>sticky_delta</c>.</summary>
    public string? VolModel { get; init; }

    /// <summary><c>touch</c> (default) or <c>mark</c>: the entry the P&amp;L is measured from.</summary>
    public string? Entry { get; init; }
}

/// <summary>A leg: an option (<c>symbol</c>) or the underlying at an expiry's forward (<c>forward</c>: 25DEC26).</summary>
public sealed record StrategyLegRequest
{
    public string? Symbol { get; init; }
    public string? Forward { get; init; }
    public string? Side { get; init; }
    public double? Quantity { get; init; }
}

public sealed record StrategyResponse
{
    public required string Asset { get; init; }
    public required DateTime Time { get; init; }
    public required IReadOnlyList<StrategyLegItem> Legs { get; init; }
    public required StrategyEntryItem Entry { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
    public required StrategyGreeksPair Greeks { get; init; }
    public required string FirstExpiry { get; init; }
    public required double? Forward { get; init; }
    public required IReadOnlyList<double> Breakevens { get; init; }
    public required double? MaxProfit { get; init; }
    public required double? MaxLoss { get; init; }
    public required StrategyPopItem Pop { get; init; }
    public required StrategyPayoffItem Payoff { get; init; }
    public required IReadOnlyList<StrategyGridItem> Grid { get; init; }

    /// <summary>The time of the snapshot a past answer (<c>at=</c>) was read from; absent when live.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? AsOf { get; init; }

    internal static StrategyResponse From(string asset, IReadOnlyList<StrategyLeg> legs, StrategyEvaluation evaluation, EvaluationSettings settings) => new()
    {
        Asset = asset,
        Time = settings.Now.UtcDateTime,
        Legs = [.. legs.Select(StrategyLegItem.From)],
        Entry = new StrategyEntryItem(
            new StrategyPremiumItem(MarketMeasures.OrNull(evaluation.Touch.Premium), evaluation.Touch.Complete),
            new StrategyPremiumItem(MarketMeasures.OrNull(evaluation.Mark.Premium), evaluation.Mark.Complete),
            settings.Entry == EntryBasis.Touch ? "touch" : "mark"),
        Warnings = evaluation.Warnings,
        Greeks = new StrategyGreeksPair(StrategyGreeksItem.From(evaluation.ModelGreeks), StrategyGreeksItem.From(evaluation.ExchangeGreeks)),
        FirstExpiry = ExpiryLabel.Format(DateOnly.FromDateTime(evaluation.FirstExpiry.UtcDateTime)),
        Forward = MarketMeasures.OrNull(evaluation.Forward),
        Breakevens = evaluation.Breakevens,
        MaxProfit = evaluation.MaxProfit is { } profit ? MarketMeasures.OrNull(profit) : null,
        MaxLoss = evaluation.MaxLoss is { } loss ? MarketMeasures.OrNull(loss) : null,
        Pop = new StrategyPopItem(MarketMeasures.OrNull(evaluation.Pop.Probability), MarketMeasures.OrNull(evaluation.Pop.Forward),
            MarketMeasures.OrNull(evaluation.Pop.Iv), evaluation.Pop.IvSource, "risk-neutral lognormal at the first expiry, zero rate"),
        Payoff = new StrategyPayoffItem(evaluation.SpotPoints, Values(evaluation.PayoffAtExpiry), Values(evaluation.PayoffNow),
            evaluation.PayoffAt is { } at ? Values(at) : null, settings.At?.UtcDateTime),
        Grid = [.. evaluation.Grids.Select(g => new StrategyGridItem(g.Date.UtcDateTime, [.. g.SpotShifts.Select(s => s * 100)],
            [.. g.VolShifts.Select(v => v * 100)], [.. g.PnL.Select(Values)]))],
    };

    private static double?[] Values(IReadOnlyList<double> values) => [.. values.Select(MarketMeasures.OrNull)];
}

public sealed record StrategyLegItem(string Symbol, string Side, double Quantity, string Expiry, double? Strike, string Type,
    double? Bid, double? Ask, double? BidSize, double? AskSize, double? Mark, double? MarkIv, double? Forward)
{
    internal static StrategyLegItem From(StrategyLeg leg) => new(
        leg.Symbol, leg.Side == LegSide.Buy ? "buy" : "sell", leg.Quantity,
        ExpiryLabel.Format(DateOnly.FromDateTime(leg.ExpiryUtc.UtcDateTime)),
        leg.IsUnderlying ? null : leg.Strike,
        leg.Type switch { OptionType.Call => "call", OptionType.Put => "put", _ => "forward" },
        MarketMeasures.OrNull(leg.Market.Bid), MarketMeasures.OrNull(leg.Market.Ask),
        MarketMeasures.OrNull(leg.Market.BidSize), MarketMeasures.OrNull(leg.Market.AskSize),
        MarketMeasures.OrNull(leg.Market.Mark), MarketMeasures.OrNull(leg.Market.MarkIv), MarketMeasures.OrNull(leg.Market.Forward));
}

/// <summary>Premiums in USD, positive when paid; <c>basis</c> is the one the P&amp;L is measured from.</summary>
public sealed record StrategyEntryItem(StrategyPremiumItem Touch, StrategyPremiumItem Mark, string Basis);

public sealed record StrategyPremiumItem(double? Premium, bool Complete);

public sealed record StrategyGreeksPair(StrategyGreeksItem Model, StrategyGreeksItem Exchange);

public sealed record StrategyGreeksItem(double? Delta, double? Gamma, double? Vega, double? Theta)
{
    internal static StrategyGreeksItem From(StrategyGreeks g) =>
        new(MarketMeasures.OrNull(g.Delta), MarketMeasures.OrNull(g.Gamma), MarketMeasures.OrNull(g.Vega), MarketMeasures.OrNull(g.Theta));
}

public sealed record StrategyPopItem(double? Probability, double? Forward, double? Iv, string IvSource, string Model);

public sealed record StrategyPayoffItem(IReadOnlyList<double> Spot, double?[] AtExpiry, double?[] Now, double?[]? At, DateTime? Date);

/// <summary>P&amp;L at <c>date</c>: <c>pnl[i][j]</c> at IV shift <c>vol_shifts[i]</c> (vol points) and forward move <c>spot_shifts[j]</c> (percent).</summary>
public sealed record StrategyGridItem(DateTime Date, IReadOnlyList<double> SpotShifts, IReadOnlyList<double> VolShifts, IReadOnlyList<double?[]> Pnl);

public sealed record StrategyPresetsResponse(IReadOnlyList<StrategyPresetItem> Data, string? Asset, string? Expiry);

public sealed record StrategyPresetItem(string Name, string Title, string Description, IReadOnlyList<StrategyPresetLegItem> Structure,
    IReadOnlyList<StrategyLegRequest>? Legs)
{
    internal static StrategyPresetItem From(StrategyPreset preset, IReadOnlyList<(string Symbol, LegSide Side, double Quantity)>? legs) => new(
        preset.Name, preset.Title, preset.Description,
        [.. preset.Legs.Select(l => new StrategyPresetLegItem(l.Type == OptionType.Call ? "call" : "put", l.Side == LegSide.Buy ? "buy" : "sell",
            l.Ratio, l.StrikeSteps, l.FarExpiry ? "next" : "near"))],
        legs?.Select(l => new StrategyLegRequest { Symbol = l.Symbol, Side = l.Side == LegSide.Buy ? "buy" : "sell", Quantity = l.Quantity }).ToList());
}

/// <summary>A preset leg relative to the board: <c>strike_steps</c> listed strikes from the money, on the <c>near</c> or <c>next</c> expiry.</summary>
public sealed record StrategyPresetLegItem(string Type, string Side, int Ratio, int StrikeSteps, string Expiry);
