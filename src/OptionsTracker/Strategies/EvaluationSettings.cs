namespace OptionsTracker.Strategies;

/// <summary>How the legs are revalued when the forward moves: at their own IV, or at the IV their new moneyness has.</summary>
public enum VolModel : byte
{
    /// <summary>Each leg keeps its current mark IV whatever the forward does.</summary>
    StickyStrike,

    /// <summary>Each leg takes the IV of today's smile at its moneyness ln(K/F) under the moved forward.</summary>
    StickyDelta,
}

/// <summary>Which entry price the P&amp;L is measured from.</summary>
public enum EntryBasis : byte
{
    /// <summary>Buys at the ask, sells at the bid: what the strategy costs to put on now.</summary>
    Touch,

    /// <summary>Every leg at its mark.</summary>
    Mark,
}

/// <summary>What <see cref="StrategyEvaluator"/> computes besides the legs' own market.</summary>
public sealed record EvaluationSettings
{
    /// <summary>The evaluation instant ("now").</summary>
    public required DateTimeOffset Now { get; init; }

    public VolModel VolModel { get; init; } = VolModel.StickyStrike;

    public EntryBasis Entry { get; init; } = EntryBasis.Touch;

    /// <summary>
    /// The price axis of the payoff curves (values of the first expiry's forward, which is its settlement price at
    /// expiry); null for <see cref="DefaultCurvePoints"/> points evenly spread over ±<see cref="DefaultCurveRange"/>
    /// around the forward, with every strike added.
    /// </summary>
    public IReadOnlyList<double>? SpotPoints { get; init; }

    /// <summary>Moves of the forward of the scenario grid, as fractions (−0.3 = 30 % lower).</summary>
    public IReadOnlyList<double> GridSpotShifts { get; init; } = Steps(-0.30, 0.30, 21);

    /// <summary>Shifts of every leg's IV of the scenario grid, as fractions (0.05 = 5 vol points up).</summary>
    public IReadOnlyList<double> GridVolShifts { get; init; } = Steps(-0.20, 0.20, 21);

    /// <summary>An IV shift (fraction: 0.05 = 5 vol points up) applied to every leg on the payoff curves.</summary>
    public double VolShift { get; init; }

    /// <summary>A chosen date for a third payoff curve and a grid of its own (between now and the last expiry); null for none.</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>
    /// The first expiry's ATM IV for the probability of profit (the analytics' ATM IV of that expiry); NaN to use the
    /// mean mark IV of the legs expiring first.
    /// </summary>
    public double FirstExpiryAtmIv { get; init; } = double.NaN;

    public const int DefaultCurvePoints = 200;
    public const double DefaultCurveRange = 0.5;

    /// <summary><paramref name="count"/> evenly spaced values from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static double[] Steps(double from, double to, int count)
    {
        if (count < 2)
            return [from];
        var steps = new double[count];
        for (var i = 0; i < count; i++)
            steps[i] = from + (to - from) * i / (count - 1);
        return steps;
    }
}
