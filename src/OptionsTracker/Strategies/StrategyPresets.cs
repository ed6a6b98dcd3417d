using OptionsTracker.Book;

namespace OptionsTracker.Strategies;

/// <summary>
/// One leg of a preset, relative to a board: the option <see cref="StrikeSteps"/> listed strikes above (below when
/// negative) the expiry's at-the-money strike (the listed strike nearest its forward), on the near expiry or the next.
/// </summary>
public sealed record PresetLeg(OptionType Type, LegSide Side, int Ratio, int StrikeSteps, bool FarExpiry = false);

/// <summary>The expiries a preset is built on: the near one and the next (null when there is none), with their forwards.</summary>
public sealed record PresetBoard(ExpiryIndex Near, double NearForward, ExpiryIndex? Far, double FarForward);

/// <summary>A named structure traders put on in one go (the builder's presets).</summary>
public sealed record StrategyPreset(string Name, string Title, string Description, IReadOnlyList<PresetLeg> Legs)
{
    /// <summary>
    /// The preset's legs on <paramref name="board"/> as (symbol, side, quantity); null when the board lacks a strike or
    /// expiry it needs (too few strikes around the money, no later expiry for a calendar).
    /// </summary>
    public IReadOnlyList<(string Symbol, LegSide Side, double Quantity)>? Build(PresetBoard board)
    {
        var legs = new List<(string, LegSide, double)>(Legs.Count);
        foreach (var leg in Legs)
        {
            var (expiry, forward) = leg.FarExpiry ? (board.Far, board.FarForward) : (board.Near, board.NearForward);
            if (expiry is null || !(forward > 0))
                return null;
            var options = expiry.Slots.Where(s => s.Instrument.Type == leg.Type).OrderBy(s => s.Instrument.Strike).ToList();
            if (options.Count == 0)
                return null;
            var atm = 0;
            for (var i = 1; i < options.Count; i++)
            {
                if (Math.Abs(options[i].Instrument.StrikeValue - forward) < Math.Abs(options[atm].Instrument.StrikeValue - forward))
                    atm = i;
            }
            var at = atm + leg.StrikeSteps;
            if (at < 0 || at >= options.Count)
                return null;
            legs.Add((options[at].Instrument.Symbol, leg.Side, leg.Ratio));
        }
        return legs;
    }
}

/// <summary>The presets the builder offers: the structures of the issue, each defined once here.</summary>
public static class StrategyPresets
{
    private const OptionType C = OptionType.Call;
    private const OptionType P = OptionType.Put;
    private const LegSide Buy = LegSide.Buy;
    private const LegSide Sell = LegSide.Sell;

    public static IReadOnlyList<StrategyPreset> All { get; } =
    [
        new("long_call", "Long call", "Buy the at-the-money call.", [new(C, Buy, 1, 0)]),
        new("short_call", "Short call", "Sell the at-the-money call.", [new(C, Sell, 1, 0)]),
        new("long_put", "Long put", "Buy the at-the-money put.", [new(P, Buy, 1, 0)]),
        new("short_put", "Short put", "Sell the at-the-money put.", [new(P, Sell, 1, 0)]),
        new("straddle", "Long straddle", "Buy the at-the-money call and put.", [new(C, Buy, 1, 0), new(P, Buy, 1, 0)]),
        new("strangle", "Long strangle", "Buy a call two strikes up and a put two strikes down.", [new(C, Buy, 1, 2), new(P, Buy, 1, -2)]),
        new("call_vertical", "Call vertical (bull call spread)", "Buy the at-the-money call, sell the call two strikes up.", [new(C, Buy, 1, 0), new(C, Sell, 1, 2)]),
        new("put_vertical", "Put vertical (bear put spread)", "Buy the at-the-money put, sell the put two strikes down.", [new(P, Buy, 1, 0), new(P, Sell, 1, -2)]),
        new("butterfly", "Call butterfly", "Buy calls two strikes either side, sell two at the money.", [new(C, Buy, 1, -2), new(C, Sell, 2, 0), new(C, Buy, 1, 2)]),
        new("condor", "Call condor", "Buy calls three strikes either side, sell calls one strike either side.", [new(C, Buy, 1, -3), new(C, Sell, 1, -1), new(C, Sell, 1, 1), new(C, Buy, 1, 3)]),
        new("iron_condor", "Iron condor", "Sell a put and a call one strike out, buy the wings three strikes out.", [new(P, Buy, 1, -3), new(P, Sell, 1, -1), new(C, Sell, 1, 1), new(C, Buy, 1, 3)]),
        new("iron_butterfly", "Iron butterfly", "Sell the at-the-money put and call, buy the wings two strikes out.", [new(P, Buy, 1, -2), new(P, Sell, 1, 0), new(C, Sell, 1, 0), new(C, Buy, 1, 2)]),
        new("calendar", "Call calendar", "Sell the near at-the-money call, buy the next expiry's.", [new(C, Sell, 1, 0), new(C, Buy, 1, 0, FarExpiry: true)]),
        new("diagonal", "Call diagonal", "Sell the near call one strike up, buy the next expiry's at-the-money call.", [new(C, Sell, 1, 1), new(C, Buy, 1, 0, FarExpiry: true)]),
        new("risk_reversal", "Risk reversal", "Sell a put two strikes down, buy a call two strikes up.", [new(P, Sell, 1, -2), new(C, Buy, 1, 2)]),
        new("call_ratio", "Call ratio spread (1×2)", "Buy the at-the-money call, sell two calls two strikes up.", [new(C, Buy, 1, 0), new(C, Sell, 2, 2)]),
        new("put_ratio", "Put ratio spread (1×2)", "Buy the at-the-money put, sell two puts two strikes down.", [new(P, Buy, 1, 0), new(P, Sell, 2, -2)]),
    ];
}
