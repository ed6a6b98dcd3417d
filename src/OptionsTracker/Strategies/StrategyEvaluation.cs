namespace OptionsTracker.Strategies;

/// <summary>
/// What a strategy is worth and risks (<see cref="StrategyEvaluator"/>). Money in USD; a premium is positive when paid
/// (a debit), negative when received (a credit); P&amp;L is value minus the entry premium of <see cref="EvaluationSettings.Entry"/>.
/// </summary>
public sealed record StrategyEvaluation
{
    /// <summary>The premium at the touch (buys at the ask, sells at the bid).</summary>
    public required StrategyEntry Touch { get; init; }

    /// <summary>The premium at the marks.</summary>
    public required StrategyEntry Mark { get; init; }

    /// <summary>Legs without a bid or ask to enter on, or larger than the size quoted there; legs already expired.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Σ signed quantity × the tracker's Black-76 Greeks at each leg's mark IV (underlying legs: delta 1).</summary>
    public required StrategyGreeks ModelGreeks { get; init; }

    /// <summary>Σ signed quantity × the exchange's Greeks (NaN when a leg has none).</summary>
    public required StrategyGreeks ExchangeGreeks { get; init; }

    /// <summary>The first expiry among the legs: "at expiry" means then.</summary>
    public required DateTimeOffset FirstExpiry { get; init; }

    /// <summary>The first expiry's forward now: the centre of the price axis.</summary>
    public required double Forward { get; init; }

    /// <summary>The price axis (values of the first expiry's forward).</summary>
    public required IReadOnlyList<double> SpotPoints { get; init; }

    /// <summary>P&amp;L at the first expiry at each point of <see cref="SpotPoints"/>.</summary>
    public required IReadOnlyList<double> PayoffAtExpiry { get; init; }

    /// <summary>P&amp;L now at each point (the forward moved there at once, IVs by <see cref="EvaluationSettings.VolModel"/>).</summary>
    public required IReadOnlyList<double> PayoffNow { get; init; }

    /// <summary>P&amp;L at <see cref="EvaluationSettings.At"/> at each point; null without one.</summary>
    public IReadOnlyList<double>? PayoffAt { get; init; }

    /// <summary>Prices of the first expiry's forward where the P&amp;L at that expiry crosses zero, ascending.</summary>
    public required IReadOnlyList<double> Breakevens { get; init; }

    /// <summary>The largest P&amp;L at the first expiry; null when unbounded (the strategy is net long calls or the underlying).</summary>
    public required double? MaxProfit { get; init; }

    /// <summary>The largest loss at the first expiry, as a positive amount; null when unbounded.</summary>
    public required double? MaxLoss { get; init; }

    /// <summary>The probability of a positive P&amp;L at the first expiry.</summary>
    public required ProbabilityOfProfit Pop { get; init; }

    /// <summary>P&amp;L scenarios: now, and at <see cref="EvaluationSettings.At"/> when given.</summary>
    public required IReadOnlyList<ScenarioGrid> Grids { get; init; }
}

/// <summary>A net premium; <see cref="Complete"/> is false when a leg had no price to enter on (its part is left out).</summary>
public readonly record struct StrategyEntry(double Premium, bool Complete);

/// <summary>Delta (per unit of the underlying), gamma (per 1 USD), vega (USD per vol point), theta (USD per day).</summary>
public readonly record struct StrategyGreeks(double Delta, double Gamma, double Vega, double Theta);

/// <summary>
/// The risk-neutral lognormal probability of profit at the first expiry, on <see cref="Forward"/> with volatility
/// <see cref="Iv"/> (<see cref="IvSource"/> says which: the expiry's ATM IV, or the legs' mean mark IV); NaN when it
/// cannot be formed.
/// </summary>
public readonly record struct ProbabilityOfProfit(double Probability, double Forward, double Iv, string IvSource);

/// <summary>P&amp;L at <see cref="Date"/> for every (IV shift, forward move): <c>PnL[vol][spot]</c>.</summary>
public sealed record ScenarioGrid(DateTimeOffset Date, IReadOnlyList<double> SpotShifts, IReadOnlyList<double> VolShifts, double[][] PnL);
