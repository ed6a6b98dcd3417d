using OptionsTracker.Strategies;

namespace OptionsTracker.Api;

/// <summary>A saved strategy as the API shows it: its legs in the shape of <c>POST /api/strategy/evaluate</c>'s body.</summary>
public sealed record SavedStrategyItem(string Name, string Asset, IReadOnlyList<StrategyLegRequest> Legs, string? VolModel, string? Entry, DateTime SavedAt)
{
    internal static SavedStrategyItem From(SavedStrategy strategy) => new(
        strategy.Name, strategy.Asset, [.. strategy.Legs.Select(LegOf)], strategy.VolModel, strategy.Entry, strategy.SavedAt.UtcDateTime);

    internal static StrategyLegRequest LegOf(SavedLeg leg) => new()
    {
        Symbol = leg.Symbol,
        Forward = leg.Forward,
        Side = leg.Side == LegSide.Buy ? "buy" : "sell",
        Quantity = leg.Quantity,
    };
}

/// <summary><c>GET /api/strategies</c>: every saved strategy by name, and how many the library may hold.</summary>
public sealed record SavedStrategyListResponse(IReadOnlyList<SavedStrategyItem> Data, int Count, int MaxCount);

/// <summary>
/// The JSON export: the strategy (its name when saved, its legs as a request body, the choices it was evaluated with) and
/// its whole evaluation, as <c>POST /api/strategy/evaluate</c> answers it.
/// </summary>
public sealed record StrategyExport(string? Name, string Asset, IReadOnlyList<StrategyLegRequest> Legs, string VolModel, string Entry,
    StrategyResponse Evaluation);
