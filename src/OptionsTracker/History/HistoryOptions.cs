using System.ComponentModel.DataAnnotations;

namespace OptionsTracker.History;

/// <summary>Settings of the history (section <c>History</c>): what is recorded, how often, where, for how long.</summary>
public sealed class HistoryOptions : IValidatableObject
{
    public const string Section = "History";

    /// <summary>Records the board (on the active collector) and serves the history. On by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between two snapshots of the board.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long every snapshot is kept; older ones are thinned to the first of each hour.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan KeepFull { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long the hourly snapshots (and every measure, settlement and realised volatility) are kept.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan KeepHourly { get; set; } = TimeSpan.FromDays(730);

    /// <summary>
    /// The DuckDB file of the embedded store. Empty = <c>state/history.duckdb</c>, or <c>state/history-demo.duckdb</c>
    /// under <c>--demo</c> (<see cref="ResolvePath"/>), so simulated data never lands in the real exchange's history.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>
    /// An Npgsql connection string (<c>Host=db;Database=tracker;Username=…;Password=…</c>): the history is kept in
    /// PostgreSQL, shared by every instance of the deployment, instead of the DuckDB file. Empty = DuckDB.
    /// </summary>
    public string? Postgres { get; set; }

    /// <summary>Set by <c>--demo</c>: the history is the simulator's (its own file, its own source label).</summary>
    public bool Simulated { get; set; }

    /// <summary>
    /// Snapshots kept in memory while the store is slow or unavailable (each about 1 MB for a 4,000-option board); when
    /// more are waiting, the oldest is dropped and counted as a gap. The recorder catches up once the store is back.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxPending { get; set; } = 60;

    /// <summary>
    /// How far back the first start fills realised volatility from the exchange (Bybit serves 2 years); zero = no backfill.
    /// Settlement history (the newest the exchange publishes) is filled whenever this is not zero.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "730.00:00:00")]
    public TimeSpan Backfill { get; set; } = TimeSpan.FromDays(730);

    /// <summary>The DuckDB file to use: <see cref="Path"/> when set, else the default of the mode.</summary>
    public string ResolvePath() =>
        !string.IsNullOrWhiteSpace(Path) ? Path : Simulated ? "state/history-demo.duckdb" : "state/history.duckdb";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (KeepHourly < KeepFull)
        {
            yield return new ValidationResult(
                $"must be at least KeepFull ({KeepFull}), since full snapshots thin to hourly ones; it is {KeepHourly}",
                [nameof(KeepHourly)]);
        }
    }
}
