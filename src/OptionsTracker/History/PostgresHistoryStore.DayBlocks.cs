using Npgsql;
using NpgsqlTypes;

namespace OptionsTracker.History;

// Thinned days as QuoteBlocks (schema 8; docs/history.md, "The PostgreSQL store"): a day older than KeepFull keeps the
// first snapshot of each UTC hour for KeepHourly (2 years). As rows those took 279.5 bytes an option snapshot (a tuple
// of float8s whatever the values): 26.8 MB a day of a 4,000-option board, 19.6 GB over the two years, three times the
// full-resolution month. As one block per option and day (its hourly snapshots, 24 at most) they take 52.5 bytes, 5.0 MB
// a day (the generated board: docs/performance.md, "PostgreSQL thinned days as day blocks"). Thinning a day encodes what
// it keeps into quote_day_blocks and drops the day's rows, in one transaction. Partitioned by month: two years are 25
// partitions; retention drops whole months, deletes the whole days of the month the cutoff falls in and re-encodes the
// one day it falls in.
public sealed partial class PostgresHistoryStore
{
    // 8: quote_day_blocks.
    private const int DayBlocksSchemaVersion = 8;

    // quote_day_blocks partitions (UTC month) known to exist.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<DateOnly, bool> _dayBlockMonths = new();

    /// <summary>quote_day_blocks (idempotent; <see cref="BlockTable.CreateSql"/>): a block's first and last ms are into its day.</summary>
    private static async Task EnsureDayBlocksSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, $"""
            {BlockTable.Days.CreateSql}
            UPDATE history_meta SET value = '{DayBlocksSchemaVersion}' WHERE key = 'schema_version' AND value::int < {DayBlocksSchemaVersion};
            """, cancellationToken);

    private static string DayBlockPartition(DateOnly month) => $"quote_day_blocks_{month:yyyyMM}";

    private static bool TryParseDayBlockPartition(string name, out DateOnly month) =>
        DateOnly.TryParseExact(name.StartsWith("quote_day_blocks_", StringComparison.Ordinal) ? name.AsSpan(17) : default, "yyyyMM",
            System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out month);

    private async Task EnsureDayBlockPartitionAsync(NpgsqlConnection connection, DateOnly day, CancellationToken cancellationToken)
    {
        var month = new DateOnly(day.Year, day.Month, 1);
        if (_dayBlockMonths.ContainsKey(month))
            return;
        await CreatePartitionAsync(connection, "quote_day_blocks", DayBlockPartition(month), Start(month), Start(month.AddMonths(1)), cancellationToken);
        _dayBlockMonths[month] = true;
    }

    /// <summary>
    /// Thins a day partition of quotes wholly older than the full-resolution cutoff (a full day, or a day thinned to rows
    /// before schema 8): in one transaction its first-of-hour snapshots are encoded into quote_day_blocks, the partition
    /// is dropped and the thinned-away snapshot times deleted, so a reader sees the day either whole or thinned. Returns
    /// the rows removed.
    /// </summary>
    private async Task<long> EncodeThinnedDayAsync(NpgsqlConnection connection, string partition, DateOnly day, CancellationToken cancellationToken)
    {
        var (from, until) = (Start(day), Start(day.AddDays(1)));
        await EnsureDayBlockPartitionAsync(connection, day, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = await CountAsync(connection, $"SELECT count(*) FROM {partition}", cancellationToken);
        var builder = new QuoteBlockBuilder(QuoteBlockBuilder.DayMs);
        await using (var command = new NpgsqlCommand($"""
            SELECT instrument_id, time, {QuoteReadColumns(partition)} FROM {partition}
            WHERE time IN ({FirstOfHour}) ORDER BY instrument_id, time
            """, connection, transaction))
        {
            command.CommandTimeout = RetentionCommandTimeoutSeconds;
            command.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, from.UtcDateTime);
            command.Parameters.AddWithValue("until", NpgsqlDbType.TimestampTz, until.UtcDateTime);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                builder.Add(reader.GetInt32(0), ReadTime(reader, 1).ToUnixTimeMilliseconds(), ReadQuote(reader, 2));
        }
        var blocks = builder.Finish();
        if (blocks.Count > 0)
            await CopyBlocksAsync(connection, blocks, BlockTable.Days, cancellationToken);
        await using (var swap = new NpgsqlBatch(connection, transaction) { Timeout = RetentionCommandTimeoutSeconds })
        {
            swap.BatchCommands.Add(new NpgsqlBatchCommand($"ALTER TABLE quotes DETACH PARTITION {partition}"));
            swap.BatchCommands.Add(new NpgsqlBatchCommand($"DROP TABLE {partition}"));
            foreach (var table in (string[])["snapshot_coins", "snapshots"])
            {
                swap.BatchCommands.Add(WithTimeRange(
                    new NpgsqlBatchCommand($"DELETE FROM {table} WHERE time >= @from AND time < @until AND time NOT IN ({FirstOfHour})"),
                    ("from", from), ("until", until)));
            }
            await swap.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        _quoteDays.TryRemove(day, out _);
        Log.PostgresPartitionThinned(_logger, partition, builder.Snapshots, rows);
        return rows - builder.Snapshots;
    }

    /// <summary>
    /// Day blocks older than the hourly <paramref name="cutoff"/>, in <paramref name="transaction"/>: months wholly older
    /// dropped, whole days deleted, and the day that straddles the cutoff re-encoded without its snapshots before it.
    /// Returns the option snapshots removed.
    /// </summary>
    private async Task<long> RemoveDayBlocksOlderThanAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset cutoff,
        CancellationToken cancellationToken)
    {
        // A block's header is its version byte and then its row count, a varint of one byte (at most 64 rows): the
        // snapshots a block holds are counted without reading it.
        const string Snapshots = "coalesce(sum(get_byte(block, 1)), 0)";
        long removed = 0;
        foreach (var (name, _) in await PartitionsAsync(connection, "quote_day_blocks", cancellationToken))
        {
            if (!TryParseDayBlockPartition(name, out var month) || Start(month.AddMonths(1)) > cutoff)
                continue;
            removed += await CountAsync(connection, $"SELECT {Snapshots} FROM {name}", cancellationToken);
            await ExecuteLongAsync(connection, $"DROP TABLE {name}", cancellationToken);
            _dayBlockMonths.TryRemove(month, out _);
            Log.PostgresPartitionDropped(_logger, name, -1);
        }
        var cutoffMs = cutoff.ToUnixTimeMilliseconds();
        var day = DateTimeOffset.FromUnixTimeMilliseconds(QuoteBlockBuilder.PeriodStart(cutoffMs, QuoteBlockBuilder.DayMs));
        await using (var whole = new NpgsqlCommand(
            $"WITH gone AS (DELETE FROM quote_day_blocks WHERE day < @day RETURNING block) SELECT {Snapshots} FROM gone", connection, transaction))
        {
            whole.CommandTimeout = RetentionCommandTimeoutSeconds;
            whole.Parameters.AddWithValue("day", NpgsqlDbType.TimestampTz, day.UtcDateTime);
            removed += (long)(await whole.ExecuteScalarAsync(cancellationToken))!;
        }
        var builder = new QuoteBlockBuilder(QuoteBlockBuilder.DayMs);
        await using (var straddling = new NpgsqlCommand(
            "DELETE FROM quote_day_blocks WHERE day = @day AND first_ms < @ms RETURNING instrument_id, block", connection, transaction))
        {
            straddling.CommandTimeout = RetentionCommandTimeoutSeconds;
            straddling.Parameters.AddWithValue("day", NpgsqlDbType.TimestampTz, day.UtcDateTime);
            straddling.Parameters.AddWithValue("ms", (int)(cutoff - day).TotalMilliseconds);
            await using var reader = await straddling.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt32(0);
                var decoded = new DecodedBlock(reader.GetFieldValue<byte[]>(1));
                for (var row = 0; row < decoded.Count; row++)
                {
                    if (decoded.Times[row] >= cutoffMs)
                        builder.Add(id, decoded.Times[row], decoded.Quote(row));
                    else
                        removed++;
                }
            }
        }
        var kept = builder.Finish();
        if (kept.Count > 0)
            await CopyBlocksAsync(connection, kept, BlockTable.Days, cancellationToken);
        return removed;
    }
}
