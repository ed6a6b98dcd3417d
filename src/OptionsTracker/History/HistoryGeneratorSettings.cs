namespace OptionsTracker.History;

/// <summary>What <see cref="HistoryGenerator"/> generates: which coins, how many options, over which span, how often.</summary>
public sealed record HistoryGeneratorSettings
{
    /// <summary>The coins whose boards are generated (the simulator's profiles: spot, volatility, price and size grids).</summary>
    public IReadOnlyList<string> Coins { get; init; } = ["BTC"];

    /// <summary>
    /// About how many options the boards hold at the start, all coins together (the simulator's strike grids scaled,
    /// <c>SimulatorOptions.TargetInstrumentCount</c>); null = the simulator's realistic grids.
    /// </summary>
    public int? OptionCount { get; init; } = 4000;

    /// <summary>The first snapshot's time (UTC, whole milliseconds).</summary>
    public DateTimeOffset Start { get; init; }

    /// <summary>How long the history runs: <c>Span / Interval</c> snapshots.</summary>
    public TimeSpan Span { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Time between two snapshots, as <c>History:Interval</c>.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Seed of every random choice: the same settings give the same history, value for value.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Computes every snapshot's measures (<see cref="MeasureNames.Collect"/> over the analytics of a book holding the
    /// snapshot), as the recorder does; off = quotes only (a few times faster).
    /// </summary>
    public bool Measures { get; init; } = true;

    /// <summary>
    /// Ends each coin's walk at the simulator's starting levels (its profile's spot and volatility), so a history
    /// generated up to now joins the <c>--demo</c> market that starts recording then without a jump.
    /// </summary>
    public bool EndAtSimulatorLevels { get; init; }

    /// <summary>The number of snapshots: one at <see cref="Start"/>, then one per <see cref="Interval"/> within <see cref="Span"/>.</summary>
    public int SnapshotCount => (int)Math.Max(1, Span.Ticks / Interval.Ticks);
}
