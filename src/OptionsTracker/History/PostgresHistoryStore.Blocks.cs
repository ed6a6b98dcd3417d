using Npgsql;
using NpgsqlTypes;
using OptionsTracker.Book;

namespace OptionsTracker.History;

// Closed hours as QuoteBlocks (schema 7; docs/history.md, "The PostgreSQL store"): the encoding the DuckDB store keeps
// them in, one option's snapshots of one UTC hour (at most 64) a bytea in quote_blocks, ~36 bytes an option snapshot
// where an hour row of float8 arrays compressed by TOAST took ~136 (30-day board, docs/performance.md). PostgreSQL cannot read
// inside a block, so the store encodes and decodes them: compaction deletes an hour's rows RETURNING them and copies
// their blocks in, in one transaction; a read takes blocks beside rows in one statement and decodes them here. The
// blocks are stored as they are (STORAGE EXTERNAL: never compressed again, out of line only past TOAST's 2 KB, which
// an hour at 1 minute is not), so the chain at an instant reads ~1.6 KB an option from the heap and decodes one row
// of it. Hour rows of schemas 4-6 (quote_hours) are read as before until retention's run encodes them as blocks.
public sealed partial class PostgresHistoryStore
{
    // 7: quote_blocks.
    private const int QuoteBlocksSchemaVersion = 7;

    // history_meta's key while hour rows of schema 4-6 remain in quote_hours: retention's run encodes them as blocks.
    private const string HourRowsToEncodeKey = "hour_rows_to_encode";

    // quote_blocks partitions (UTC day) known to exist: created by compaction and the bulk path.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<DateOnly, bool> _blockDays = new();

    /// <summary>quote_blocks (idempotent; <see cref="BlockTable.CreateSql"/>). A database with hour rows gets <see cref="HourRowsToEncodeKey"/>.</summary>
    private static async Task EnsureQuoteBlocksSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, $"""
            {BlockTable.Hours.CreateSql}
            DELETE FROM history_meta WHERE key = 'hour_rows_to_split';
            INSERT INTO history_meta (key, value)
                SELECT '{HourRowsToEncodeKey}', 'true'
                WHERE EXISTS (SELECT 1 FROM history_meta WHERE key = 'schema_version' AND value::int < {QuoteBlocksSchemaVersion})
                    AND EXISTS (SELECT 1 FROM quote_hours)
                ON CONFLICT (key) DO NOTHING;
            UPDATE history_meta SET value = '{QuoteBlocksSchemaVersion}' WHERE key = 'schema_version' AND value::int < {QuoteBlocksSchemaVersion};
            """, cancellationToken);

    private static string BlockPartition(DateOnly day) => $"quote_blocks_{day:yyyyMMdd}";

    private async Task EnsureBlockPartitionAsync(NpgsqlConnection connection, DateOnly day, CancellationToken cancellationToken)
    {
        if (_blockDays.ContainsKey(day))
            return;
        await CreatePartitionAsync(connection, "quote_blocks", BlockPartition(day), Start(day), Start(day.AddDays(1)), cancellationToken);
        _blockDays[day] = true;
    }

    /// <summary>
    /// Moves every closed hour at or after <paramref name="from"/> and before <paramref name="until"/> (whole hours) still
    /// held as rows into quote_blocks, an hour a transaction; then empties (TRUNCATE) the closed days left without rows, so
    /// their space goes back at once. Returns the rows moved.
    /// </summary>
    private async Task<long> CompactHoursAsync(NpgsqlConnection connection, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var hours = await ReadTimesAsync(connection, null,
            "SELECT DISTINCT date_bin('1 hour', time, timestamptz 'epoch') FROM snapshots WHERE time >= @from AND time < @until ORDER BY 1",
            cancellationToken, ("from", from), ("until", until));
        long moved = 0;
        var days = new HashSet<DateOnly>();
        foreach (var hour in hours)
        {
            await using (var any = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM quotes WHERE time >= @hour AND time < @next)", connection))
            {
                any.Parameters.AddWithValue("hour", NpgsqlDbType.TimestampTz, hour.UtcDateTime);
                any.Parameters.AddWithValue("next", NpgsqlDbType.TimestampTz, hour.AddHours(1).UtcDateTime);
                if (await any.ExecuteScalarAsync(cancellationToken) is not true)
                    continue;
            }
            var day = DateOnly.FromDateTime(hour.UtcDateTime);
            await EnsureBlockPartitionAsync(connection, day, cancellationToken);
            // The rows deleted are the rows encoded (RETURNING), in one transaction with the blocks' COPY: no reader sees
            // the hour twice or not at all, and a late row committed meanwhile is either moved or left for the next run.
            moved += await EncodeIntoBlocksAsync(connection, $"""
                WITH moved AS (DELETE FROM quotes WHERE time >= @start AND time < @next RETURNING *)
                SELECT instrument_id, time, {QuoteReadColumns("moved")} FROM moved ORDER BY instrument_id, time
                """, hour, cancellationToken);
            days.Add(day);
        }
        foreach (var day in days)
        {
            if (Start(day.AddDays(1)) > until)
                continue;
            await TruncateIfEmptyAsync(connection, QuotePartition(day, thinned: false), cancellationToken);
        }
        Log.PostgresHoursCompacted(_logger, hours.Count, moved);
        return moved;
    }

    /// <summary>
    /// In one transaction: runs <paramref name="sql"/> (with <c>@start</c> and <c>@next</c>, the hour), which deletes
    /// quotes of that hour and returns them as <c>instrument_id, time</c> and <see cref="QuoteReadColumns"/> in (option,
    /// time) order, encodes them as blocks and copies those into quote_blocks. Returns the snapshots encoded.
    /// </summary>
    private static async Task<long> EncodeIntoBlocksAsync(NpgsqlConnection connection, string sql, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var builder = new QuoteBlockBuilder();
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            command.CommandTimeout = RetentionCommandTimeoutSeconds;
            command.Parameters.AddWithValue("start", NpgsqlDbType.TimestampTz, hour.UtcDateTime);
            command.Parameters.AddWithValue("next", NpgsqlDbType.TimestampTz, hour.AddHours(1).UtcDateTime);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                builder.Add(reader.GetInt32(0), ReadTime(reader, 1).ToUnixTimeMilliseconds(), ReadQuote(reader, 2));
        }
        var blocks = builder.Finish();
        if (blocks.Count > 0)
            await CopyBlocksAsync(connection, blocks, BlockTable.Hours, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return builder.Snapshots;
    }

    /// <summary>A table of blocks: quote_blocks (an hour a block, schema 7) or quote_day_blocks (a thinned day a block, schema 8).</summary>
    private sealed record BlockTable(string Name, string PeriodColumn, long PeriodMs)
    {
        public static readonly BlockTable Hours = new("quote_blocks", "hour", QuoteBlockBuilder.HourMs);
        public static readonly BlockTable Days = new("quote_day_blocks", "day", QuoteBlockBuilder.DayMs);

        /// <summary>
        /// The table (idempotent): one row per block, its period's start, the option, its first and last snapshot as
        /// milliseconds into the period (the chain at an instant picks the block holding it), the block, stored as it is
        /// (STORAGE EXTERNAL: never compressed again); partitioned by its period column.
        /// </summary>
        public string CreateSql => $"""
            CREATE TABLE IF NOT EXISTS {Name} (
                {PeriodColumn} timestamptz NOT NULL,
                instrument_id integer NOT NULL,
                first_ms integer NOT NULL,
                last_ms integer NOT NULL,
                block bytea NOT NULL
            ) PARTITION BY RANGE ({PeriodColumn});
            ALTER TABLE {Name} ALTER block SET STORAGE EXTERNAL;
            CREATE INDEX IF NOT EXISTS {Name}_instrument ON {Name} (instrument_id, {PeriodColumn});
            CREATE INDEX IF NOT EXISTS {Name}_{PeriodColumn} ON {Name} ({PeriodColumn});
            """;
    }

    /// <summary>Writes <paramref name="blocks"/> into <paramref name="table"/> by one binary COPY (the partitions exist).</summary>
    private static async Task CopyBlocksAsync(NpgsqlConnection connection, List<EncodedBlock> blocks, BlockTable table, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {table.Name} ({table.PeriodColumn}, instrument_id, first_ms, last_ms, block) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var block in blocks)
        {
            var period = QuoteBlockBuilder.PeriodStart(block.FirstMs, table.PeriodMs);
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(DateTime.UnixEpoch.AddMilliseconds(period), NpgsqlDbType.TimestampTz, cancellationToken);
            await importer.WriteAsync(block.Instrument, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync((int)(block.FirstMs - period), NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync((int)(block.LastMs - period), NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(block.Bytes, NpgsqlDbType.Bytea, cancellationToken);
        }
        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// The bulk path's quotes when the batch is one UTC hour: written straight as blocks, by one binary COPY, as compaction
    /// would have left them.
    /// </summary>
    private async Task CopyHourAsync(NpgsqlConnection connection, IReadOnlyList<BoardSnapshot> snapshots, HashSet<(string, DateTime)> claimed,
        CancellationToken cancellationToken)
    {
        var rows = new List<(int Id, long Time, int Snapshot, int Quote)>();
        for (var s = 0; s < snapshots.Count; s++)
        {
            var at = ToMilliseconds(snapshots[s].Time);
            for (var q = 0; q < snapshots[s].Quotes.Count; q++)
            {
                var recorded = snapshots[s].Quotes[q];
                if (claimed.Contains((recorded.Instrument.BaseCoin, at.UtcDateTime)))
                    rows.Add((_instrumentIds[recorded.Instrument.Key], at.ToUnixTimeMilliseconds(), s, q));
            }
        }
        rows.Sort(static (a, b) => a.Id != b.Id ? a.Id.CompareTo(b.Id) : a.Time.CompareTo(b.Time));
        var builder = new QuoteBlockBuilder();
        foreach (var row in rows)
            builder.Add(row.Id, row.Time, snapshots[row.Snapshot].Quotes[row.Quote].Quote);
        var blocks = builder.Finish();
        if (blocks.Count > 0)
            await CopyBlocksAsync(connection, blocks, BlockTable.Hours, cancellationToken);
    }

    /// <summary>
    /// The migration from schemas 4-6: every hour row in quote_hours (one <c>vals</c> array or six float8 blocks) encoded
    /// as QuoteBlocks, an hour a transaction, each day's partition dropped once empty. Runs until none is left (the key is
    /// removed then), first in retention's run, so the rest of the run sees blocks only. Returns the snapshots encoded.
    /// </summary>
    private async Task<long> EncodeHourRowsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (await CountAsync(connection, $"SELECT count(*) FROM history_meta WHERE key = '{HourRowsToEncodeKey}'", cancellationToken) == 0)
            return 0;
        long encoded = 0;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var (name, _) in await PartitionsAsync(connection, "quote_hours", cancellationToken))
        {
            foreach (var hour in await ReadTimesAsync(connection, null, $"SELECT DISTINCT hour FROM {name} ORDER BY 1", cancellationToken))
            {
                await EnsureBlockPartitionAsync(connection, DateOnly.FromDateTime(hour.UtcDateTime), cancellationToken);
                // A NULL of schema 4 (a missing value) reads as NaN, which the block keeps as missing.
                encoded += await EncodeIntoBlocksAsync(connection, $"""
                    WITH gone AS (DELETE FROM {name} WHERE hour = @start RETURNING *)
                    SELECT g.instrument_id, g.hour + u.o * interval '1 millisecond', u.e, u.r, u.s, {string.Join(", ", Enumerable.Range(1, HourValues).Select(i => $"u.v{i}"))}
                    FROM gone g, {HourRuns("g")}, unnest(run.o, run.e, run.r, run.st, {RunValueSlices("run")})
                        AS u(o, e, r, s, {string.Join(", ", Enumerable.Range(1, HourValues).Select(i => $"v{i}"))})
                    ORDER BY 1, 2
                    """, hour, cancellationToken);
            }
            await IfEmptyAsync(connection, name, "DROP TABLE", cancellationToken);
        }
        if (await CountAsync(connection, "SELECT count(*) FROM (SELECT 1 FROM quote_hours LIMIT 1) t", cancellationToken) == 0)
            await ExecuteAsync(connection, $"DELETE FROM history_meta WHERE key = '{HourRowsToEncodeKey}'", cancellationToken);
        Log.PostgresHourRowsEncoded(_logger, encoded, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return encoded;
    }

    /// <summary>
    /// Before thinning: blocks older than <paramref name="cutoff"/> go back to one row per option, only what thinning keeps
    /// (the first snapshot of each UTC hour wholly before the cutoff, every snapshot of the hour that straddles it), in one
    /// transaction a day: thinning then sees one layout, and encodes a day wholly before the cutoff into its day blocks.
    /// Returns the snapshots removed (those not put back), counted as thinning's.
    /// </summary>
    private async Task<long> ExpandBlocksOlderThanAsync(NpgsqlConnection connection, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        long removed = 0;
        foreach (var (name, _) in await PartitionsAsync(connection, "quote_blocks", cancellationToken))
        {
            if (!name.StartsWith("quote_blocks_", StringComparison.Ordinal) ||
                !DateOnly.TryParseExact(name.AsSpan(13), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day) ||
                Start(day) >= cutoff)
            {
                continue;
            }
            var (from, until) = (Start(day), Start(day.AddDays(1)));
            await EnsureQuotePartitionAsync(connection, day, cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var firsts = (await ReadTimesAsync(connection, transaction, FirstOfHour, cancellationToken, ("from", from), ("until", until)))
                .Select(t => t.ToUnixTimeMilliseconds()).ToHashSet();
            var kept = new List<(long Time, int Id, OptionQuote Quote)>();
            var cutoffMs = cutoff.ToUnixTimeMilliseconds();
            await using (var gone = new NpgsqlCommand(
                "DELETE FROM quote_blocks WHERE hour >= @from AND hour < @until AND hour < @cutoff RETURNING instrument_id, block", connection, transaction))
            {
                gone.CommandTimeout = RetentionCommandTimeoutSeconds;
                gone.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, from.UtcDateTime);
                gone.Parameters.AddWithValue("until", NpgsqlDbType.TimestampTz, until.UtcDateTime);
                gone.Parameters.AddWithValue("cutoff", NpgsqlDbType.TimestampTz, cutoff.UtcDateTime);
                await using var reader = await gone.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var id = reader.GetInt32(0);
                    var decoded = new DecodedBlock(reader.GetFieldValue<byte[]>(1));
                    for (var row = 0; row < decoded.Count; row++)
                    {
                        var time = decoded.Times[row];
                        if (QuoteBlockBuilder.HourStart(time) + QuoteBlockBuilder.HourMs > cutoffMs || firsts.Contains(time))
                            kept.Add((time, id, decoded.Quote(row)));
                        else
                            removed++;
                    }
                }
            }
            if (kept.Count > 0)
            {
                kept.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Id.CompareTo(b.Id));
                await using var importer = await connection.BeginBinaryImportAsync($"COPY quotes ({QuoteColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
                foreach (var (time, id, quote) in kept)
                    await WriteQuoteRowAsync(importer, DateTime.UnixEpoch.AddMilliseconds(time), id, quote, cancellationToken);
                await importer.CompleteAsync(cancellationToken);
            }
            if (until <= cutoff)
            {
                await ExecuteAsync(connection, $"DROP TABLE {name}", cancellationToken);
                _blockDays.TryRemove(day, out _);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return removed;
    }
}
