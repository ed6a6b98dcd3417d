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

    /// <summary>
    /// The most memory the embedded DuckDB store's buffer pool may take (DuckDB's <c>memory_limit</c>: <c>2GB</c>,
    /// <c>512MB</c>, <c>1.5GiB</c>; at least 128MB, about what DuckDB wants per thread). DuckDB's own default is 80 % of
    /// the machine's RAM, and a long operation over a big file (a bulk copy of days) did take it all here: a tracker
    /// running beside the user's other programs must not. Beyond the limit DuckDB spills to <c>&lt;file&gt;.tmp</c>.
    /// </summary>
    public string DuckDbMemoryLimit { get; set; } = "2GB";

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

    /// <summary><see cref="DuckDbMemoryLimit"/> in bytes (KB = 1000 B, KiB = 1024 B, as DuckDB reads them), or null when it is not a size.</summary>
    public long? DuckDbMemoryLimitBytes()
    {
        var match = System.Text.RegularExpressions.Regex.Match(DuckDbMemoryLimit ?? "", @"^\s*(\d+(?:\.\d+)?)\s*([KMGT])(i?)B\s*$",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        if (!match.Success)
            return null;
        var unit = match.Groups[3].Value.Length > 0 ? 1024.0 : 1000.0;
        var power = "KMGT".IndexOf(char.ToUpperInvariant(match.Groups[2].Value[0]), StringComparison.Ordinal) + 1;
        return (long)(double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * Math.Pow(unit, power));
    }

    /// <summary>The least <see cref="DuckDbMemoryLimit"/> accepted.</summary>
    public const long DuckDbMemoryLimitMinimum = 128_000_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        switch (DuckDbMemoryLimitBytes())
        {
            case null:
                yield return new ValidationResult($"must be a size such as 2GB, 512MB or 1.5GiB; it is '{DuckDbMemoryLimit}'", [nameof(DuckDbMemoryLimit)]);
                break;
            case < DuckDbMemoryLimitMinimum:
                yield return new ValidationResult($"must be at least 128MB; it is {DuckDbMemoryLimit}", [nameof(DuckDbMemoryLimit)]);
                break;
        }
        if (KeepHourly < KeepFull)
        {
            yield return new ValidationResult(
                $"must be at least KeepFull ({KeepFull}), since full snapshots thin to hourly ones; it is {KeepHourly}",
                [nameof(KeepHourly)]);
        }
    }
}
