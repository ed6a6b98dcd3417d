using System.Data.Common;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;

namespace OptionsTracker.History;

// Measures (schema version 2). A measure is named by an integer id (measure_names: one row per coin and name), and its
// rows are kept where a series read finds them together: written as they come into measures_recent (the current UTC
// day), moved at the first write of a new day into measures ordered by measure then time (a day run), and at the first
// write of a new month the closed month's day runs are rewritten as one month run, again ordered by measure then time.
// DuckDB skips a row group whose zone map (min/max of the measure id) excludes the id asked: over a month run a
// measure's rows are contiguous, so a year of one measure reads a couple of row groups a month instead of the whole
// table. Measured on a year of 147 measures every 10 minutes (7.7 M rows): 110–170 ms scanning the table as written
// (name strings or ids alike), 13–27 ms over month runs, 24–54 ms over day runs (docs/performance.md, "History").
public sealed partial class DuckDbHistoryStore
{
    private const long DayMs = 86_400_000;

    // The writer's (under _writeGate): measure ids by (coin, name), the next id, the oldest time in measures_recent
    // (long.MaxValue when empty) and the start of the first month not yet rewritten as a month run.
    private readonly Dictionary<(string Coin, string Name), int> _measureIds = [];
    private int _nextMeasureId;
    private long _measuresRecentOldestMs = long.MaxValue;
    private long _measuresMergedUntilMs;

    /// <summary>
    /// Before the schema is created: a version-1 file (measures as (time, coin, name, value) strings) has its measures
    /// table renamed out of the way, so the schema creates the new tables; <see cref="MigrateAfterSchema"/> then moves the
    /// rows. True when there is something to migrate.
    /// </summary>
    private static bool MigrateBeforeSchema(DuckDBConnection connection)
    {
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'measures' AND column_name = 'name' AND schema_name = 'main'";
            if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
                return false;
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "ALTER TABLE measures RENAME TO measures_v1";
            command.ExecuteNonQuery();
        }
        return true;
    }

    /// <summary>
    /// Moves a version-1 file's measures into the version-2 tables, in one transaction: names get ids, every row goes
    /// into month runs (ordered by month, measure, time), the old table is dropped and the file says version 2. An
    /// interrupted migration leaves the renamed table, and the next open finishes it.
    /// </summary>
    private void MigrateAfterSchema(DuckDBConnection connection)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        long rows;
        using (var transaction = connection.BeginTransaction())
        {
            using (var command = connection.CreateCommand())
            {
                command.CommandText = """
                    INSERT INTO measure_names
                    SELECT (SELECT coalesce(max(id), 0) FROM measure_names) + row_number() OVER (ORDER BY coin, name), coin, name
                    FROM (SELECT DISTINCT coin, name FROM measures_v1 EXCEPT SELECT coin, name FROM measure_names);
                    """;
                command.ExecuteNonQuery();
            }
            using (var command = connection.CreateCommand())
            {
                command.CommandText = """
                    INSERT INTO measures
                    SELECT n.id, m.time_ms, m.value FROM measures_v1 m JOIN measure_names n ON n.coin = m.coin AND n.name = m.name
                    ORDER BY date_trunc('month', epoch_ms(m.time_ms)), n.id, m.time_ms
                    """;
                rows = command.ExecuteNonQuery();
            }
            using (var command = connection.CreateCommand())
            {
                // Every month before the last is a month run now; the last (perhaps still open) is rewritten when it closes.
                command.CommandText = """
                    INSERT OR REPLACE INTO meta
                    SELECT 'measures_merged_until', CAST(epoch_ms(CAST(date_trunc('month', epoch_ms(max(time_ms))) AS TIMESTAMP)) AS VARCHAR)
                    FROM measures HAVING max(time_ms) IS NOT NULL;
                    DROP TABLE measures_v1;
                    INSERT OR REPLACE INTO meta VALUES ('schema_version', '2');
                    """;
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "CHECKPOINT";
            command.ExecuteNonQuery();
        }
        Log.DuckDbSchemaMigrated(_logger, Path, 1, SchemaVersion, rows, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>The writer's view of the measures, from the file (at open and after a reopen).</summary>
    private void LoadMeasureState(DuckDBConnection connection)
    {
        _measureIds.Clear();
        _nextMeasureId = 1;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, coin, name FROM measure_names";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = reader.GetInt32(0);
                _measureIds[(reader.GetString(1), reader.GetString(2))] = id;
                _nextMeasureId = Math.Max(_nextMeasureId, id + 1);
            }
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT coalesce(min(time_ms), 9223372036854775807) FROM measures_recent";
            _measuresRecentOldestMs = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        using (var command = connection.CreateCommand())
        {
            // Not written yet (no month closed since the first measure): the month of the first measure, or "none yet"
            // (long.MaxValue, set by the first write), so a fresh file's first write has nothing to rewrite.
            command.CommandText = """
                SELECT coalesce((SELECT value FROM meta WHERE key = 'measures_merged_until'),
                    (SELECT CAST(epoch_ms(CAST(date_trunc('month', epoch_ms(min(time_ms))) AS TIMESTAMP)) AS VARCHAR)
                     FROM (SELECT time_ms FROM measures UNION ALL SELECT time_ms FROM measures_recent)))
                """;
            _measuresMergedUntilMs = command.ExecuteScalar() is string value ? long.Parse(value, CultureInfo.InvariantCulture) : long.MaxValue;
        }
    }

    /// <summary>
    /// The ids of the snapshot's measure names, new ones numbered from <see cref="_nextMeasureId"/> and inserted (inside
    /// the snapshot's transaction). Returns the names added, which join <see cref="_measureIds"/> once committed.
    /// </summary>
    private List<((string Coin, string Name) Key, int Id)> MeasureIdsFor(DuckDBConnection connection, BoardSnapshot snapshot, HashSet<string> coins, int[] ids)
    {
        var added = new List<((string, string), int)>();
        Dictionary<(string, string), int>? pending = null;
        var next = _nextMeasureId;
        for (var i = 0; i < snapshot.Measures.Count; i++)
        {
            var measure = snapshot.Measures[i];
            if (!coins.Contains(measure.Coin))
            {
                ids[i] = -1;
                continue;
            }
            var key = (measure.Coin, measure.Name);
            if (!_measureIds.TryGetValue(key, out var id) && !(pending?.TryGetValue(key, out id) ?? false))
            {
                id = next++;
                (pending ??= [])[key] = id;
                added.Add((key, id));
            }
            ids[i] = id;
        }
        if (added.Count > 0)
        {
            using var appender = connection.CreateAppender("measure_names");
            foreach (var ((coin, name), id) in added)
                appender.CreateRow().AppendValue(id).AppendValue(coin).AppendValue(name).EndRow();
        }
        return added;
    }

    /// <summary>After the snapshot's commit: the new names join the writer's map, and the recent table's oldest time.</summary>
    private void MeasuresCommitted(List<((string Coin, string Name) Key, int Id)> added, long time, bool wroteMeasures)
    {
        foreach (var (key, id) in added)
            _measureIds[key] = id;
        if (added.Count > 0)
            _nextMeasureId = added.Max(a => a.Id) + 1;
        if (wroteMeasures)
        {
            _measuresRecentOldestMs = Math.Min(_measuresRecentOldestMs, time);
            if (_measuresMergedUntilMs == long.MaxValue)
                _measuresMergedUntilMs = MonthStart(time);
        }
    }

    /// <summary>
    /// Before a snapshot: closed days move from measures_recent into day runs, and closed months not yet rewritten become
    /// month runs. A failure leaves the rows where they were (every read covers both tables) and is tried again at the
    /// next write: it saves reading time, it never costs a snapshot.
    /// </summary>
    private void CompactMeasures(DuckDBConnection connection, long snapshotMs)
    {
        var dayStart = snapshotMs - (((snapshotMs % DayMs) + DayMs) % DayMs);
        var monthStart = MonthStart(snapshotMs);
        if (_measuresRecentOldestMs >= dayStart && _measuresMergedUntilMs >= monthStart)
            return;
        try
        {
            CompactMeasures(connection, dayStart, monthStart);
        }
        catch (DuckDBException e) when (!IsFatal(e))
        {
            Log.DuckDbMeasuresCompactionFailed(_logger, e, Path);
        }
    }

    private void CompactMeasures(DuckDBConnection connection, long dayStart, long monthStart)
    {
        using (var transaction = connection.BeginTransaction())
        {
            if (_measuresRecentOldestMs < dayStart)
            {
                using var command = connection.CreateCommand();
                // Several closed days (a pause, a generator) stay one run per day: ordered by day first.
                command.CommandText = $"""
                    INSERT INTO measures SELECT * FROM measures_recent WHERE time_ms < {dayStart} ORDER BY time_ms // {DayMs}, measure, time_ms;
                    DELETE FROM measures_recent WHERE time_ms < {dayStart};
                    """;
                command.ExecuteNonQuery();
            }
            if (_measuresMergedUntilMs < monthStart)
            {
                // The closed months' rows (day runs, or anything an older layout left) rewritten as one run per month.
                using var command = connection.CreateCommand();
                command.CommandText = $"""
                    CREATE OR REPLACE TEMP TABLE measures_month AS
                        SELECT * FROM measures WHERE time_ms >= {_measuresMergedUntilMs} AND time_ms < {monthStart};
                    DELETE FROM measures WHERE time_ms >= {_measuresMergedUntilMs} AND time_ms < {monthStart};
                    INSERT INTO measures SELECT * FROM measures_month ORDER BY date_trunc('month', epoch_ms(time_ms)), measure, time_ms;
                    DROP TABLE measures_month;
                    INSERT OR REPLACE INTO meta VALUES ('measures_merged_until', '{monthStart}');
                    """;
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        _measuresMergedUntilMs = monthStart;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT coalesce(min(time_ms), 9223372036854775807) FROM measures_recent";
            _measuresRecentOldestMs = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        using (var checkpoint = connection.CreateCommand())
        {
            checkpoint.CommandText = "CHECKPOINT";
            checkpoint.ExecuteNonQuery();
        }
    }

    private static long MonthStart(long ms)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;
        return new DateTimeOffset(time.Year, time.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    }

    public Task<IReadOnlyList<SeriesPoint>> MeasureSeriesAsync(
        string coin, IReadOnlyList<string> names, DateTimeOffset from, DateTimeOffset to, TimeSpan interval,
        CancellationToken cancellationToken)
    {
        if (names.Count == 0)
            return Task.FromResult<IReadOnlyList<SeriesPoint>>([]);
        var bucket = (long)interval.TotalMilliseconds;
        return RunAsync<IReadOnlyList<SeriesPoint>>(connection =>
        {
            // One transaction: the ids and the rows from one state of the file. Ids from the file, not the writer's map:
            // a reader may be another store object over the same file.
            using var transaction = connection.BeginTransaction();
            var positions = new Dictionary<int, List<int>>();
            using (var lookup = connection.CreateCommand())
            {
                lookup.CommandText = $"SELECT id, name FROM measure_names WHERE coin = $coin AND name IN ({string.Join(", ", names.Select((_, i) => "$n" + i))})";
                lookup.Parameters.Add(new DuckDBParameter("coin", coin));
                for (var i = 0; i < names.Count; i++)
                    lookup.Parameters.Add(new DuckDBParameter("n" + i, names[i]));
                using var reader = lookup.ExecuteReader();
                while (reader.Read())
                {
                    var id = reader.GetInt32(0);
                    var name = reader.GetString(1);
                    var at = new List<int>();
                    for (var i = 0; i < names.Count; i++)
                    {
                        if (names[i] == name)
                            at.Add(i);
                    }
                    positions[id] = at;
                }
            }
            if (positions.Count == 0)
                return [];
            // The ids as literals (integers read from the file): a constant filter is what DuckDB checks against each
            // row group's zone map before reading it.
            var ids = string.Join(", ", positions.Keys.Select(id => id.ToString(CultureInfo.InvariantCulture)));
            // No ORDER BY and no window in SQL: the rows a measure's read returns are few (52,560 for a year every 10
            // minutes), and DuckDB's parallel sort or QUALIFY window over them cost 20-90 ms on the shared machine where
            // the scan itself takes ~2 ms (EXPLAIN ANALYZE; docs/performance.md). They are ordered and bucketed here.
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT time_ms, measure, value FROM measures WHERE measure IN ({ids}) AND time_ms BETWEEN $from AND $to
                UNION ALL
                SELECT time_ms, measure, value FROM measures_recent WHERE measure IN ({ids}) AND time_ms BETWEEN $from AND $to
                """;
            command.Parameters.Add(new DuckDBParameter("from", from.ToUnixTimeMilliseconds()));
            command.Parameters.Add(new DuckDBParameter("to", to.ToUnixTimeMilliseconds()));
            using var rows = command.ExecuteReader();
            return PivotMeasures(rows, names.Count, positions, bucket);
        }, cancellationToken);
    }

    /// <summary>
    /// Rows of (time, measure id, value), in any order, into one point per time (or per bucket: each measure's last row in
    /// it, NULL included, stamped with the bucket's start), ordered by time, values parallel to the names.
    /// </summary>
    private static List<SeriesPoint> PivotMeasures(DbDataReader reader, int count, Dictionary<int, List<int>> positions, long bucket)
    {
        var rows = new List<(long Time, int Measure, double Value)>();
        while (reader.Read())
            rows.Add((reader.GetInt64(0), reader.GetInt32(1), ReadValue(reader, 2)));
        // By time, then measure: within a bucket a measure's rows are in time order, so its last one is written last.
        rows.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Measure.CompareTo(b.Measure));
        var points = new List<SeriesPoint>();
        long current = long.MinValue;
        double[]? values = null;
        foreach (var (time, measure, value) in rows)
        {
            var at = bucket > 0 ? SeriesPoint.BucketStart(time, bucket) : time;
            if (values is null || at != current)
            {
                values = new double[count];
                Array.Fill(values, double.NaN);
                current = at;
                points.Add(new SeriesPoint(FromMs(at), values));
            }
            // A name asked twice gets the value at each of its places.
            foreach (var i in positions[measure])
                values[i] = value;
        }
        return points;
    }

}
