using DuckDB.NET.Data;

namespace OptionsTracker.History;

public sealed partial class DuckDbHistoryStore
{
    private const long HourMs = QuoteBlockBuilder.HourMs;

    // The oldest snapshot time in quotes_recent (long.MaxValue when empty); the writer's, under _writeGate.
    private long _recentOldestMs = long.MaxValue;

    /// <summary>
    /// Before the first snapshot of a new UTC hour, moves the closed hours' quotes from quotes_recent to quotes, ordered
    /// by option then time (see <see cref="Compact"/>). A failure leaves both tables as they were and the snapshot is
    /// written anyway (into quotes_recent): compaction saves space, it never costs a snapshot.
    /// </summary>
    private void CompactClosedHours(DuckDBConnection connection, long snapshotMs)
    {
        var hourStart = QuoteBlockBuilder.HourStart(snapshotMs);
        try
        {
            if (_recentOldestMs < hourStart)
                Compact(connection, hourStart);
            MoveClosedDays(connection, snapshotMs);
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
    /// Moves the recent quotes older than <paramref name="beforeMs"/> into blocks (<see cref="EncodeRecentIntoBlocks"/>),
    /// in one transaction (a reader sees them as rows or as blocks, never both or neither). Written minute by minute, one
    /// option's consecutive values are a whole board apart; in a block they are adjacent and stored as differences:
    /// 41 bytes an option snapshot against 58 as DuckDB's sorted columns (docs/history.md, "Closed hours as blocks").
    /// </summary>
    private long Compact(DuckDBConnection connection, long beforeMs)
    {
        long moved;
        using (var transaction = connection.BeginTransaction())
        {
            moved = EncodeRecentIntoBlocks(connection, beforeMs);
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
