using DuckDB.NET.Data;

namespace OptionsTracker.History;

public sealed partial class DuckDbHistoryStore
{
    /// <summary>
    /// What the file holds, after a checkpoint (so the write-ahead log is folded in): bytes of the blocks in use, and per
    /// table and column the compression DuckDB chose (<c>pragma_storage_info</c>). For the disk-use figures in
    /// docs/history.md and the tests that print them.
    /// </summary>
    internal async Task<StorageReport> StorageAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            return await RunAsync(connection =>
            {
                using (var checkpoint = connection.CreateCommand())
                {
                    checkpoint.CommandText = "CHECKPOINT";
                    checkpoint.ExecuteNonQuery();
                }
                long used;
                long blockSize;
                using (var command = connection.CreateCommand())
                {
                    command.CommandText = "SELECT used_blocks, block_size FROM pragma_database_size() WHERE database_name = current_database()";
                    using var reader = command.ExecuteReader();
                    reader.Read();
                    used = reader.GetInt64(0);
                    blockSize = reader.GetInt64(1);
                }
                var columns = new List<string>();
                foreach (var table in QuoteTables)
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = $"""
                        SELECT column_name, string_agg(DISTINCT compression, '+' ORDER BY compression), sum(count)
                        FROM pragma_storage_info('{table}') WHERE segment_type <> 'VALIDITY' GROUP BY column_name, column_id ORDER BY column_id
                        """;
                    using var reader = command.ExecuteReader();
                    while (reader.Read())
                        columns.Add($"{table}.{reader.GetString(0)}={reader.GetString(1)}");
                }
                return new StorageReport(used * blockSize, new FileInfo(Path).Length, columns);
            }, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }
    /// <summary>
    /// The snapshots that are not whole: a marker whose coin has another number of quote rows at its time, or quote rows
    /// without a marker. Empty when every snapshot is whole (the fault tests check it after a kill or a full disk).
    /// </summary>
    internal Task<IReadOnlyList<string>> CheckSnapshotsAsync(CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<string>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                WITH counts AS (SELECT q.time_ms, i.coin, count(*) AS rows FROM all_quotes q JOIN instruments i ON i.id = q.instrument GROUP BY ALL)
                SELECT coalesce(s.time_ms, c.time_ms), coalesce(s.coin, c.coin), s.options, c.rows
                FROM snapshots s FULL OUTER JOIN counts c ON s.time_ms = c.time_ms AND s.coin = c.coin
                WHERE s.options IS DISTINCT FROM c.rows
                """;
            using var reader = command.ExecuteReader();
            var torn = new List<string>();
            while (reader.Read())
            {
                torn.Add($"{reader.GetInt64(0)} {reader.GetString(1)}: marker {(reader.IsDBNull(2) ? "none" : reader.GetInt32(2))}, " +
                    $"rows {(reader.IsDBNull(3) ? 0 : reader.GetInt64(3))}");
            }
            return torn;
        }, cancellationToken);
}


/// <summary>The file's blocks in use (bytes), its length, and the compression of each column of the quotes.</summary>
internal sealed record StorageReport(long UsedBytes, long FileBytes, IReadOnlyList<string> QuoteColumns);
