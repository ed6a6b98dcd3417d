using System.Globalization;
using DuckDB.NET.Data;

namespace OptionsTracker.History;

// Schema 4: closed UTC days kept a second time, as day runs for one option's series (docs/history.md, "Day runs for the
// series beside hour runs for the chain"). The hour runs (quotes, sorted by option then time within each hour) serve
// the chain at an instant: its rows are one in sixty of its hour's run, so it decodes an hour of every column (K = 60
// minutes; a day run would make it K = 1,440: 1.4 s). A series over 30 days of hour runs visits ~970 row groups (one
// or two per hour) and decodes a vector of every field asked in each: 137–300 ms. quotes_days holds every closed day
// once more, sorted by option then time within the day, and only what a series reads (the option, the time and the 24
// values): an option's day is 1,440 adjacent rows, one or two row groups, so 30 days visit ~45. One layout cannot do
// both (docs/history.md, "Reads and the layout"), so the disk pays for the second copy (measured there).
public sealed partial class DuckDbHistoryStore
{
    /// <summary>
    /// The writer's (under <see cref="_writeGate"/>): every recorded day before it is in quotes_days, as in the file's
    /// <c>quote_days_until</c>. <see cref="long.MaxValue"/> on a file with nothing recorded yet (the first write sets it to
    /// its own day: nothing before it to copy).
    /// </summary>
    private long _quoteDaysUntilMs = long.MaxValue;

    /// <summary>What a series reads, in quotes_days' column order: the option, the time, the 24 values.</summary>
    private static readonly string DayColumns = "instrument, time_ms, " + string.Join(", ", FieldColumns);

    /// <summary>The day runs' table, on a new file and on one of an older schema alike (empty: days are copied later).</summary>
    private static void CreateQuoteDays(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"CREATE TABLE IF NOT EXISTS quotes_days AS SELECT {DayColumns} FROM quotes_recent LIMIT 0";
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Schema 4 on a file of schema 3 or older: the table is created (empty) by <see cref="CreateQuoteDays"/>; the file then says
    /// version 4, and its closed days are copied one a snapshot write (<see cref="CopyClosedDay"/>) from the oldest, so an
    /// old file's series read the hour runs until its days are copied, then the day runs. Idempotent.
    /// </summary>
    private void MigrateToQuoteDays(DuckDBConnection connection)
    {
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema_version'";
            if (command.ExecuteScalar() is not int version || version >= 4)
                return;
        }
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE meta SET value = '4' WHERE key = 'schema_version'";
            command.ExecuteNonQuery();
        }
        Log.DuckDbQuoteDaysAdded(_logger, Path, SchemaVersion);
    }

    /// <summary>The writer's view of the day runs, from the file (at open and after a reopen).</summary>
    private void LoadQuoteDaysState(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        // Not written yet (no day copied since the schema): the day of the first snapshot, or "nothing recorded".
        command.CommandText = """
            SELECT coalesce((SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'quote_days_until'),
                (SELECT min(time_ms) // 86400000 * 86400000 FROM snapshots))
            """;
        _quoteDaysUntilMs = command.ExecuteScalar() is long until ? until : long.MaxValue;
    }

    /// <summary>
    /// Before a snapshot (after the hour's compaction): the oldest recorded day before the snapshot's that is not in
    /// quotes_days yet is copied there. One day a call, so a file opened with weeks not yet copied (one of schema 3)
    /// catches up a day a snapshot instead of stalling one write for all of them. A failure leaves the day where it was (the
    /// series reads the hour runs for it) and is tried again at the next snapshot.
    /// </summary>
    private void CompactClosedDay(DuckDBConnection connection, long snapshotMs)
    {
        var dayStart = snapshotMs - (((snapshotMs % DayMs) + DayMs) % DayMs);
        if (_quoteDaysUntilMs == long.MaxValue)
            _quoteDaysUntilMs = dayStart;
        if (_quoteDaysUntilMs >= dayStart)
            return;
        try
        {
            CopyClosedDay(connection, dayStart);
        }
        catch (DuckDBException e) when (!IsFatal(e))
        {
            Log.DuckDbQuoteDaysFailed(_logger, e, Path);
        }
    }

    /// <summary>
    /// Copies the first recorded day at or after <see cref="_quoteDaysUntilMs"/> and before <paramref name="beforeMs"/>
    /// into quotes_days, ordered by option then time, and moves <c>quote_days_until</c> past it, in one transaction: a
    /// series reads a day from one table or the other, never both or neither. Days without a snapshot are skipped.
    /// </summary>
    private void CopyClosedDay(DuckDBConnection connection, long beforeMs)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        long day;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT min(time_ms) FROM snapshots WHERE time_ms >= $from AND time_ms < $before";
            command.Parameters.Add(new DuckDBParameter("from", _quoteDaysUntilMs));
            command.Parameters.Add(new DuckDBParameter("before", beforeMs));
            day = command.ExecuteScalar() is long first ? first - (((first % DayMs) + DayMs) % DayMs) : beforeMs;
        }
        var until = Math.Min(day + DayMs, beforeMs);
        long rows = 0;
        using (var transaction = connection.BeginTransaction())
        {
            if (day < beforeMs)
            {
                using var command = connection.CreateCommand();
                // Both tables: a closed hour whose compaction failed is still in quotes_recent.
                command.CommandText = $"""
                    INSERT INTO quotes_days
                    SELECT {DayColumns} FROM (
                        SELECT {DayColumns} FROM quotes WHERE time_ms >= $day AND time_ms < $until
                        UNION ALL SELECT {DayColumns} FROM quotes_recent WHERE time_ms >= $day AND time_ms < $until)
                    ORDER BY instrument, time_ms
                    """;
                command.Parameters.Add(new DuckDBParameter("day", day));
                command.Parameters.Add(new DuckDBParameter("until", until));
                rows = command.ExecuteNonQuery();
            }
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "INSERT OR REPLACE INTO meta VALUES ('quote_days_until', $until)";
                command.Parameters.Add(new DuckDBParameter("until", until.ToString(CultureInfo.InvariantCulture)));
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        _quoteDaysUntilMs = until;
        if (rows == 0)
            return;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "CHECKPOINT";
            command.ExecuteNonQuery();
        }
        Log.DuckDbQuoteDayCopied(_logger, Path, FromMs(day), rows, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// Copies every recorded day before the last one that is not in the day runs yet, at once (the benchmarks' datasets
    /// of an older schema; the recorder leaves it to its writes, a day a snapshot). Returns the days copied.
    /// </summary>
    internal async Task<int> CopyClosedDaysAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            return await RunAsync(connection =>
            {
                long lastDay;
                using (var command = connection.CreateCommand())
                {
                    command.CommandText = "SELECT max(time_ms) // 86400000 * 86400000 FROM snapshots";
                    if (command.ExecuteScalar() is not long found)
                        return 0;
                    lastDay = found;
                }
                var copied = 0;
                while (_quoteDaysUntilMs < lastDay)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    CopyClosedDay(connection, lastDay);
                    copied++;
                }
                return copied;
            }, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Inside a write's transaction: a snapshot of a day already copied (a late write, a backfill) joins quotes_days as
    /// well, so the day runs stay whole; its rows are found in <paramref name="table"/> by time and coin (the coins the
    /// write recorded at that time, no other).
    /// </summary>
    private void CopyLateSnapshot(DuckDBConnection connection, string table, long time, string coin)
    {
        if (time >= _quoteDaysUntilMs || _quoteDaysUntilMs == long.MaxValue)
            return;
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO quotes_days SELECT {DayColumns} FROM {table}
            WHERE time_ms = $time AND instrument IN (SELECT id FROM instruments WHERE coin = $coin)
            ORDER BY instrument
            """;
        command.Parameters.Add(new DuckDBParameter("time", time));
        command.Parameters.Add(new DuckDBParameter("coin", coin));
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// The first time a series reads from the hour runs rather than the day runs, from the file (the reader's, inside
    /// its transaction: the same state as the rows it reads). <see cref="long.MinValue"/> when no day is copied yet.
    /// </summary>
    private static long QuoteDaysUntil(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'quote_days_until'";
        return command.ExecuteScalar() is long until ? until : long.MinValue;
    }
}
