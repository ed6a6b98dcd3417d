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
}

/// <summary>The file's blocks in use (bytes), its length, and the compression of each column of the quotes.</summary>
internal sealed record StorageReport(long UsedBytes, long FileBytes, IReadOnlyList<string> QuoteColumns);
