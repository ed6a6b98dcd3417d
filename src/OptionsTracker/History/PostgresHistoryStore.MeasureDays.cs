using Npgsql;
using NpgsqlTypes;
using OptionsTracker.Book;

namespace OptionsTracker.History;

// Closed days of measures as day rows (schema 5, docs/history.md "The PostgreSQL store"). A measure is a few bytes of
// value in a 40-byte tuple plus an index entry, and a year of one measure at 10 minutes is 52,560 index tuples across 12
// month partitions: reading it was an index-only scan of all of them (~290 ms at load 52–110, docs/performance.md). So,
// as quotes are per (instrument, hour), retention's run folds each closed UTC day of measures into measure_days: one row
// per (measure, day) holding the day's times as millisecond offsets from the day's start (ascending) and the values
// (NULL where the analytics had none). A year of one measure is then ~365 rows. Today's measures stay one row per value,
// so a snapshot's write is still one binary COPY of narrow rows.
//
// Reads are exact and see every point once: a fold moves a day in one statement (DELETE … RETURNING feeding the INSERT),
// every read is one statement over both tables, and a point's time is claimed once per coin (snapshot_coins), so a late
// write into a folded day lands as rows and becomes a second day row of that measure at the next run, never a duplicate.
public sealed partial class PostgresHistoryStore
{
    // 5: measure_days. Its own step after the hours' (4), as that one is after the schema's.
    private const int MeasureDaysSchemaVersion = 5;

    // measure_days partitions (first day of the UTC month) known to exist.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<DateOnly, bool> _measureDayMonths = new();

    /// <summary>
    /// Creates measure_days (idempotent). Partitioned by UTC month as measures are, so retention drops a month of both the
    /// same way. The arrays keep PostgreSQL's default storage (compressed, out of line past ~2 KB): a day at 1 minute is
    /// 11.5 KB of values, and a year's read fetches 365 such values, not 4,000 as the chain at an instant does.
    /// </summary>
    private static async Task EnsureMeasureDaysSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var compression = await ToastCompressionAsync(connection, cancellationToken);
        await ExecuteAsync(connection, $"""
            CREATE TABLE IF NOT EXISTS measure_days (
                day timestamptz NOT NULL,
                measure_id integer NOT NULL,
                offsets_ms integer[] COMPRESSION {compression} NOT NULL,
                vals float8[] COMPRESSION {compression} NOT NULL
            ) PARTITION BY RANGE (day);
            CREATE INDEX IF NOT EXISTS measure_days_series ON measure_days (measure_id, day);
            UPDATE history_meta SET value = '{MeasureDaysSchemaVersion}' WHERE key = 'schema_version' AND value::int < {MeasureDaysSchemaVersion};
            """, cancellationToken);
    }

    private static string MeasureDayPartition(DateOnly month) => $"measure_days_{month:yyyyMM}";

    private static bool TryParseMeasureDayPartition(string name, out DateOnly month)
    {
        month = default;
        return name.StartsWith("measure_days_", StringComparison.Ordinal) && name.Length == 19 &&
            DateOnly.TryParseExact(name[13..] + "01", "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out month);
    }

    private async Task EnsureMeasureDayPartitionAsync(NpgsqlConnection connection, DateOnly month, CancellationToken cancellationToken)
    {
        if (_measureDayMonths.ContainsKey(month))
            return;
        await CreatePartitionAsync(connection, "measure_days", MeasureDayPartition(month), Start(month), Start(month.AddMonths(1)), cancellationToken);
        _measureDayMonths[month] = true;
    }

    /// <summary>
    /// Folds every UTC day before <paramref name="today"/> still held as measure rows into measure_days, a day a
    /// statement; then empties (TRUNCATE) the closed months of measures left without rows. Returns the values moved.
    /// </summary>
    private async Task<long> FoldMeasureDaysAsync(NpgsqlConnection connection, DateTimeOffset today, CancellationToken cancellationToken)
    {
        var days = await ReadTimesAsync(connection, null,
            "SELECT DISTINCT date_bin('1 day', time, timestamptz 'epoch') FROM measures WHERE time < @today ORDER BY 1", cancellationToken, ("today", today));
        long moved = 0;
        var months = new HashSet<DateOnly>();
        foreach (var day in days)
        {
            var month = MonthOf(day);
            await EnsureMeasureDayPartitionAsync(connection, month, cancellationToken);
            // One statement: the rows deleted are the rows folded, so no reader sees the day twice or not at all.
            moved += await FoldAsync(connection, """
                WITH moved AS (DELETE FROM measures WHERE time >= @start AND time < @next RETURNING *),
                folded AS (
                    INSERT INTO measure_days (day, measure_id, offsets_ms, vals)
                    SELECT @start, measure_id, array_agg((extract(epoch FROM time - @start) * 1000)::integer ORDER BY time), array_agg(value ORDER BY time)
                    FROM moved GROUP BY measure_id
                    RETURNING cardinality(offsets_ms) AS points)
                SELECT coalesce(sum(points), 0)::bigint FROM folded
                """, day, day.AddDays(1), cancellationToken);
            months.Add(month);
        }
        foreach (var month in months)
        {
            if (Start(month.AddMonths(1)) > today)
                continue;
            await TruncateIfEmptyAsync(connection, MeasurePartition(month), cancellationToken);
        }
        if (days.Count > 0)
            Log.PostgresMeasureDaysFolded(_logger, days.Count, moved);
        return moved;
    }

    /// <summary>
    /// Retention's statements for day rows older than <paramref name="cutoff"/> (inside the partition that straddles it;
    /// whole months are dropped): a day row wholly before the cutoff goes, the day that straddles it keeps its points at
    /// or after the cutoff (offsets are ascending, so the first and last offsets say which case a row is).
    /// </summary>
    private static IEnumerable<NpgsqlBatchCommand> TrimMeasureDays(DateTimeOffset cutoff)
    {
        const string last = "day + offsets_ms[cardinality(offsets_ms)] * interval '1 millisecond'";
        const string first = "day + offsets_ms[1] * interval '1 millisecond'";
        yield return WithTimeRange(new NpgsqlBatchCommand($"DELETE FROM measure_days WHERE day < @cutoff AND {last} < @cutoff"), ("cutoff", cutoff));
        yield return WithTimeRange(new NpgsqlBatchCommand($"""
            UPDATE measure_days SET (offsets_ms, vals) = (
                SELECT array_agg(o ORDER BY o), array_agg(v ORDER BY o) FROM unnest(offsets_ms, vals) AS u(o, v)
                WHERE day + o * interval '1 millisecond' >= @cutoff)
            WHERE day < @cutoff AND {first} < @cutoff
            """), ("cutoff", cutoff));
    }

    /// <summary>
    /// The bulk path's measures when the batch lies within one UTC day: one day row per measure, by one binary COPY, as the
    /// fold would have left them (a batch of an hour makes a day row of an hour: reads are the same).
    /// </summary>
    private void CopyMeasureDay(NpgsqlConnection connection, IReadOnlyList<BoardSnapshot> snapshots, DateTimeOffset day, HashSet<(string, DateTime)> claimed)
    {
        var byMeasure = new Dictionary<int, List<(int Offset, double Value)>>();
        foreach (var snapshot in snapshots)
        {
            var at = ToMilliseconds(snapshot.Time);
            var offset = (int)(at - day).TotalMilliseconds;
            foreach (var measure in snapshot.Measures)
            {
                if (!claimed.Contains((measure.Coin, at.UtcDateTime)))
                    continue;
                var id = _measureIds[(measure.Coin, measure.Name)];
                if (!byMeasure.TryGetValue(id, out var list))
                    byMeasure[id] = list = [];
                list.Add((offset, measure.Value));
            }
        }
        using var importer = connection.BeginBinaryImport("COPY measure_days (day, measure_id, offsets_ms, vals) FROM STDIN (FORMAT BINARY)");
        foreach (var (id, list) in byMeasure)
        {
            // Ascending offsets: retention's trim reads the first and last as the row's bounds.
            list.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
            importer.StartRow();
            importer.Write(day.UtcDateTime, NpgsqlDbType.TimestampTz);
            importer.Write(id, NpgsqlDbType.Integer);
            importer.Write(list.Select(e => e.Offset).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer);
            importer.Write(list.Select(e => NullIfNaN(e.Value)).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Double);
        }
        importer.Complete();
    }
}
