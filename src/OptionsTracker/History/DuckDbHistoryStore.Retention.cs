using DuckDB.NET.Data;

namespace OptionsTracker.History;

public sealed partial class DuckDbHistoryStore
{
    public async Task<long> ApplyRetentionAsync(DateTimeOffset now, TimeSpan keepFull, TimeSpan keepHourly, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            return await RunAsync(connection => ApplyRetention(connection, now, keepFull, keepHourly), cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// One transaction: the snapshots retention no longer keeps (older than KeepHourly, or older than KeepFull and not
    /// the first of their coin's UTC hour) lose their quotes and markers together, so a reader never sees a marker
    /// without its rows; measures, settlements and realised volatility older than KeepHourly go. Then a checkpoint, so
    /// the freed blocks return to the file's free list and the next writes reuse them (the file does not shrink).
    /// </summary>
    private long ApplyRetention(DuckDBConnection connection, DateTimeOffset now, TimeSpan keepFull, TimeSpan keepHourly)
    {
        var hourlyCut = (now - keepHourly).ToUnixTimeMilliseconds();
        var fullCut = (now - keepFull).ToUnixTimeMilliseconds();
        long removed;
        using (var transaction = connection.BeginTransaction())
        {
            using (var command = connection.CreateCommand())
            {
                // The first snapshot of each coin and hour is the one thinning keeps: stable, so a later run keeps the same one.
                command.CommandText = """
                    CREATE OR REPLACE TEMP TABLE retired AS
                    SELECT time_ms, coin FROM (
                        SELECT time_ms, coin, time_ms = min(time_ms) OVER (PARTITION BY coin, time_ms // 3600000) AS first_of_hour
                        FROM snapshots WHERE time_ms < $full)
                    WHERE time_ms < $hourly OR NOT first_of_hour
                    """;
                command.Parameters.Add(new DuckDBParameter("full", fullCut));
                command.Parameters.Add(new DuckDBParameter("hourly", hourlyCut));
                command.ExecuteNonQuery();
            }
            removed = ExpandBlocksBefore(connection, fullCut);
            foreach (var table in QuoteTables)
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"""
                    DELETE FROM {table} USING instruments i, retired r
                    WHERE {table}.instrument = i.id AND i.coin = r.coin AND {table}.time_ms = r.time_ms
                    """;
                removed += command.ExecuteNonQuery();
            }
            using (var command = connection.CreateCommand())
            {
                command.CommandText = """
                    DELETE FROM snapshots USING retired r WHERE snapshots.time_ms = r.time_ms AND snapshots.coin = r.coin;
                    DELETE FROM measures WHERE time_ms < $hourly;
                    DELETE FROM measures_recent WHERE time_ms < $hourly;
                    DELETE FROM settlements WHERE delivery_ms < $hourly;
                    DELETE FROM realised_volatility WHERE time_ms < $hourly;
                    DROP TABLE retired;
                    """;
                command.Parameters.Add(new DuckDBParameter("hourly", hourlyCut));
                command.ExecuteNonQuery();
            }
            DeleteTradesBefore(connection, hourlyCut);
            transaction.Commit();
        }
        if (removed > 0)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "CHECKPOINT";
            command.ExecuteNonQuery();
        }
        Log.DuckDbRetentionApplied(_logger, Path, removed);
        return removed;
    }
}
