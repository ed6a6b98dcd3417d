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
                foreach (var table in QuoteTables.Concat(BlockTables))
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
            // Quotes per (time, coin): the rows counted by DuckDB, the blocks' decoded here.
            var counts = CountBlockQuotes(connection);
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT q.time_ms, i.coin, count(*) FROM all_quotes q JOIN instruments i ON i.id = q.instrument GROUP BY ALL";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var key = (reader.GetInt64(0), reader.GetString(1));
                    counts[key] = counts.GetValueOrDefault(key) + reader.GetInt64(2);
                }
            }
            var torn = new List<string>();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT time_ms, coin, options FROM snapshots";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var key = (reader.GetInt64(0), reader.GetString(1));
                    var rows = counts.Remove(key, out var found) ? found : 0;
                    if (rows != reader.GetInt32(2))
                        torn.Add($"{key.Item1} {key.Item2}: marker {reader.GetInt32(2)}, rows {rows}");
                }
            }
            foreach (var ((time, coin), rows) in counts)
                torn.Add($"{time} {coin}: marker none, rows {rows}");
            return torn;
        }, cancellationToken);
}


/// <summary>The file's blocks in use (bytes), its length, and the compression of each column of the quotes.</summary>
internal sealed record StorageReport(long UsedBytes, long FileBytes, IReadOnlyList<string> QuoteColumns);
