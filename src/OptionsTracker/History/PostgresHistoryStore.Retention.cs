using Npgsql;
using NpgsqlTypes;

namespace OptionsTracker.History;

// Retention by partition. Days wholly older than KeepHourly are dropped (no row-by-row delete, no dead tuples, the
// space goes back to the file system at once). Days wholly older than KeepFull are thinned by encoding: the day's
// first-of-hour snapshots become day blocks (quote_day_blocks, schema 8: PostgresHistoryStore.DayBlocks.cs) and the
// day's partition of rows is dropped, in one transaction whose lock on quotes is taken by the swap at its end, after
// the read and the encoding. Dropping rather than DELETE + VACUUM because a thinned day keeps 1/60 of its snapshots:
// a DELETE would leave 59/60 of the partition dead, VACUUM only makes that space reusable by the same table (which
// never receives another row), and giving it back takes VACUUM FULL, a rewrite that locks the partition throughout.
// Only the day that straddles a cutoff is trimmed with DELETE (a day at most of rows; the next run after it falls
// wholly behind the cutoff encodes it).
public sealed partial class PostgresHistoryStore
{
    // Dropping and rewriting days can take longer than a query: its own bound, far above a day's rewrite.
    private const int RetentionCommandTimeoutSeconds = 600;

    public async Task<long> ApplyRetentionAsync(DateTimeOffset now, TimeSpan keepFull, TimeSpan keepHourly, CancellationToken cancellationToken)
    {
        EnsureOpened();
        var hourlyCutoff = ToMilliseconds(now - keepHourly);
        var fullCutoff = ToMilliseconds(now - keepFull);
        if (fullCutoff < hourlyCutoff)
            fullCutoff = hourlyCutoff;
        var removed = await WithRetryAsync("retention", async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            // Hour rows of schemas 4-6 encoded as blocks first (once, after an upgrade to 7), so the rest sees rows and
            // blocks only. Blocks older than the full-resolution cutoff back to rows (what thinning keeps of them), so the
            // dropping and thinning below see one layout; then the closed hours since the cutoff become blocks. An hour
            // that straddles the cutoff stays rows (thinning trims it), as does the hour being recorded.
            await EncodeHourRowsAsync(connection, cancellationToken);
            var rows = await ExpandBlocksOlderThanAsync(connection, fullCutoff, cancellationToken);
            rows += await RemoveOlderThanAsync(connection, hourlyCutoff, cancellationToken);
            rows += await ThinOlderThanAsync(connection, fullCutoff, cancellationToken);
            var hourMs = (long)TimeSpan.FromHours(1).TotalMilliseconds;
            var firstWholeHour = DateTimeOffset.FromUnixTimeMilliseconds((fullCutoff.ToUnixTimeMilliseconds() + hourMs - 1) / hourMs * hourMs);
            var currentHour = DateTimeOffset.FromUnixTimeMilliseconds(ToMilliseconds(now).ToUnixTimeMilliseconds() / hourMs * hourMs);
            if (firstWholeHour < currentHour)
                await CompactHoursAsync(connection, firstWholeHour, currentHour, cancellationToken);
            // Closed days of measures into day rows (today's stay rows, as the hour being recorded does).
            await FoldMeasureDaysAsync(connection, Start(DateOnly.FromDateTime(ToMilliseconds(now).UtcDateTime)), cancellationToken);
            return rows;
        });
        Log.PostgresRetentionApplied(_logger, removed);
        return removed;
    }

    /// <summary>Everything older than the hourly cutoff: quotes (whole days dropped), snapshots, measures, settlements, realised volatility.</summary>
    private async Task<long> RemoveOlderThanAsync(NpgsqlConnection connection, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        long removed = 0;
        var quoteDays = await PartitionsAsync(connection, "quotes", cancellationToken);
        var measureMonths = await PartitionsAsync(connection, "measures", cancellationToken);
        var measureDayMonths = await PartitionsAsync(connection, "measure_days", cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var (name, _) in quoteDays)
        {
            if (!TryParseQuotePartition(name, out var day, out _) || Start(day.AddDays(1)) > cutoff)
                continue;
            var rows = await CountAsync(connection, $"SELECT count(*) FROM {name}", cancellationToken);
            await ExecuteLongAsync(connection, $"DROP TABLE {name}", cancellationToken);
            _quoteDays.TryRemove(day, out _);
            Log.PostgresPartitionDropped(_logger, name, rows);
            removed += rows;
        }
        foreach (var (name, _) in measureMonths)
        {
            if (!TryParseMeasurePartition(name, out var month) || Start(month.AddMonths(1)) > cutoff)
                continue;
            await ExecuteLongAsync(connection, $"DROP TABLE {name}", cancellationToken);
            _measureMonths.TryRemove(month, out _);
            Log.PostgresPartitionDropped(_logger, name, -1);
        }
        foreach (var (name, _) in measureDayMonths)
        {
            if (!TryParseMeasureDayPartition(name, out var month) || Start(month.AddMonths(1)) > cutoff)
                continue;
            await ExecuteLongAsync(connection, $"DROP TABLE {name}", cancellationToken);
            _measureDayMonths.TryRemove(month, out _);
            Log.PostgresPartitionDropped(_logger, name, -1);
        }
        // The rest of the way to the cutoff, inside the one partition that straddles it (and the small tables).
        await using (var delete = new NpgsqlBatch(connection, transaction))
        {
            foreach (var sql in (string[])[
                "DELETE FROM quotes WHERE time < @cutoff",
                "DELETE FROM measures WHERE time < @cutoff",
                "DELETE FROM snapshot_coins WHERE time < @cutoff",
                "DELETE FROM snapshots WHERE time < @cutoff",
                "DELETE FROM settlements WHERE delivery_time < @cutoff",
                "DELETE FROM realised_volatility WHERE time < @cutoff"])
            {
                delete.BatchCommands.Add(WithTimeRange(new NpgsqlBatchCommand(sql), ("cutoff", cutoff)));
            }
            foreach (var trim in TrimMeasureDays(cutoff))
                delete.BatchCommands.Add(trim);
            delete.BatchCommands.Add(DeleteTradesBefore(cutoff));
            delete.Timeout = RetentionCommandTimeoutSeconds;
            await delete.ExecuteNonQueryAsync(cancellationToken);
            removed += delete.BatchCommands[0].RecordsAffected;
        }
        removed += await RemoveDayBlocksOlderThanAsync(connection, transaction, cutoff, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return removed;
    }

    private static NpgsqlBatchCommand WithTimeRange(NpgsqlBatchCommand command, params (string Name, DateTimeOffset Time)[] times)
    {
        foreach (var (name, time) in times)
            command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.TimestampTz) { Value = time.UtcDateTime });
        return command;
    }

    /// <summary>Quotes older than the full-resolution cutoff, thinned to the first snapshot of each UTC hour.</summary>
    private async Task<long> ThinOlderThanAsync(NpgsqlConnection connection, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        long removed = 0;
        foreach (var (name, _) in await PartitionsAsync(connection, "quotes", cancellationToken))
        {
            if (!TryParseQuotePartition(name, out var day, out _) || Start(day) >= cutoff)
                continue;
            if (Start(day.AddDays(1)) <= cutoff)
            {
                // A full day, or a day thinned to rows before schema 8: its first-of-hour snapshots into day blocks.
                removed += await EncodeThinnedDayAsync(connection, name, day, cancellationToken);
            }
            else
            {
                removed += await DeleteNotFirstOfHourAsync(connection, Start(day), cutoff, cancellationToken);
            }
        }
        return removed;
    }

    // The first snapshot time of each UTC hour among the snapshots in [from, until): every hour with a snapshot before
    // `until` has its true first one there, since `from` is a day's start. date_bin on the epoch: independent of the
    // session's time zone.
    private const string FirstOfHour =
        "SELECT min(time) FROM snapshots WHERE time >= @from AND time < @until GROUP BY date_bin('1 hour', time, timestamptz 'epoch')";

    private static async Task<long> DeleteNotFirstOfHourAsync(NpgsqlConnection connection, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        // One transaction for the rows and their snapshot times: a reader choosing a snapshot never picks a time whose
        // rows are gone.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var delete = new NpgsqlBatch(connection, transaction) { Timeout = RetentionCommandTimeoutSeconds };
        // Rows first, snapshot times last: each statement's subquery still sees the day's snapshot times.
        foreach (var table in (string[])["quotes", "snapshot_coins", "snapshots"])
        {
            delete.BatchCommands.Add(WithTimeRange(
                new NpgsqlBatchCommand($"DELETE FROM {table} WHERE time >= @from AND time < @until AND time NOT IN ({FirstOfHour})"),
                ("from", from), ("until", until)));
        }
        await delete.ExecuteNonQueryAsync(cancellationToken);
        var rows = (long)delete.BatchCommands[0].RecordsAffected;
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    /// <summary>The times in the first column of <paramref name="sql"/>, run with the timestamptz <paramref name="parameters"/>.</summary>
    private static async Task<List<DateTimeOffset>> ReadTimesAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql,
        CancellationToken cancellationToken, params (string Name, DateTimeOffset Time)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.CommandTimeout = RetentionCommandTimeoutSeconds;
        foreach (var (name, time) in parameters)
            command.Parameters.AddWithValue(name, NpgsqlDbType.TimestampTz, time.UtcDateTime);
        var times = new List<DateTimeOffset>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            times.Add(ReadTime(reader, 0));
        return times;
    }

    private static async Task<long> CountAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.CommandTimeout = RetentionCommandTimeoutSeconds;
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteLongAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.CommandTimeout = RetentionCommandTimeoutSeconds;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
