using DuckDB.NET.Data;

namespace OptionsTracker.History;

public sealed partial class DuckDbHistoryStore
{
    private const long HourMs = 3_600_000;

    // The oldest snapshot time in quotes_recent (long.MaxValue when empty); the writer's, under _writeGate.
    private long _recentOldestMs = long.MaxValue;

    /// <summary>
    /// Before the first snapshot of a new UTC hour, moves the closed hours' quotes from quotes_recent to quotes, ordered
    /// by option then time (see <see cref="Compact"/>). A failure leaves both tables as they were and the snapshot is
    /// written anyway (into quotes_recent): compaction saves space, it never costs a snapshot.
    /// </summary>
    private void CompactClosedHours(DuckDBConnection connection, long snapshotMs)
    {
        var hourStart = snapshotMs - (((snapshotMs % HourMs) + HourMs) % HourMs);
        if (_recentOldestMs >= hourStart)
            return;
        try
        {
            Compact(connection, hourStart);
        }
        catch (DuckDBException e) when (!IsFatal(e))
        {
            Log.DuckDbCompactionFailed(_logger, e, Path);
        }
    }

    /// <summary>Compacts every recent quote (the tests and the disk-use figures call it to measure a closed hour at once).</summary>
    internal async Task CompactAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await RunAsync(connection => Compact(connection, long.MaxValue), cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Moves the recent quotes older than <paramref name="beforeMs"/> into the compacted table, ordered by option then
    /// time, in one transaction (a reader sees them in one table or the other, never both or neither). Written minute by
    /// minute, one option's consecutive values are a whole board apart; sorted, they are adjacent, which is what DuckDB's
    /// compression (ALP for doubles, bit-packing and RLE) feeds on: about a third less on disk (docs/history.md).
    /// </summary>
    private long Compact(DuckDBConnection connection, long beforeMs)
    {
        long moved;
        using (var transaction = connection.BeginTransaction())
        {
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "INSERT INTO quotes SELECT * FROM quotes_recent WHERE time_ms < $before ORDER BY instrument, time_ms";
                command.Parameters.Add(new DuckDBParameter("before", beforeMs));
                moved = command.ExecuteNonQuery();
            }
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "DELETE FROM quotes_recent WHERE time_ms < $before";
                command.Parameters.Add(new DuckDBParameter("before", beforeMs));
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        _recentOldestMs = RecentOldest(connection);
        // Folds the move into the file now, so the deleted rows' blocks are free for the next hour's writes.
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "CHECKPOINT";
            command.ExecuteNonQuery();
        }
        return moved;
    }

    private static long RecentOldest(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(min(time_ms), 9223372036854775807) FROM quotes_recent";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
