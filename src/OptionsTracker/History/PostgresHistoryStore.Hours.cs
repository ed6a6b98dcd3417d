using Npgsql;
using NpgsqlTypes;
using OptionsTracker.Book;

namespace OptionsTracker.History;

// Closed hours in fewer, wider tuples (schema 4, docs/history.md "The PostgreSQL store"). A row-store tuple costs a
// 24-byte header and 8 bytes a double whatever the value, so a quote row is ~280 bytes and a day of a 4,000-option board
// at 1 minute 1.7 GB. Once an hour is closed, retention's run moves its rows into quote_hours: one row per (instrument,
// UTC hour) holding the hour's snapshots as arrays (times as millisecond offsets from the hour, exchange and receive times,
// statuses, and the 25 values as two-dimensional float8[] [value][snapshot], NaN where the exchange sent nothing: see
// ValueAggregates; since schema 6 cut into HourBlocks blocks compressed apart, one array `vals` in rows written before).
// The arrays are compressed by TOAST (lz4 where the server has it) and kept in the row (STORAGE MAIN): out of line,
// every read of an hour row would also probe the TOAST index once per array. Recent data stays one row per option, so
// a snapshot's write stays one binary COPY of narrow rows.
//
// Reads are exact: an hour row holds the same doubles as the rows it replaced (NaN where a row had NULL; NULL in hour
// rows compacted before h80). A series reads one row per hour and unnests it; the chain at an instant reads the hour's
// rows and picks the snapshot's element. Every read unions
// the two layouts in one statement (one MVCC snapshot), and compaction moves an hour in one transaction, so a reader
// sees each snapshot exactly once, from one side or the other. A late write into a compacted hour lands in quotes and
// is compacted into a second row for that (instrument, hour) by the next run: rows of one hour never share a snapshot
// time (a time is claimed once), so nothing is read twice.
public sealed partial class PostgresHistoryStore
{
    // 4: quote_hours (closed hours as arrays). Its own step after the schema, so it stays separate from other steps.
    private const int HoursSchemaVersion = 4;

    // 6: an hour row's values as HourBlocks blocks (block0 … block5), each compressed on its own (EnsureHourBlocksSchemaAsync).
    private const int HourBlocksSchemaVersion = 6;

    /// <summary>Values in an hour row: the delivery price, then <see cref="ValueColumns"/>.</summary>
    private const int HourValues = 1 + QuoteFields.Count;

    /// <summary>
    /// Blocks of an hour row (schema 6): its snapshots in order, cut into this many runs of ceil(n / 6) snapshots (ten
    /// minutes each at 1 minute), each run's values a float8[25][run] compressed by TOAST on its own. The chain at an
    /// instant decompresses and slices one block (~2 KB) instead of the whole hour's ~12.5 KB: h80 measured ~4× less of the
    /// server's time for that read, at +16 % on the row (docs/performance.md); a series decompresses the same bytes as
    /// with one array.
    /// </summary>
    private const int HourBlocks = 6;

    private static readonly string[] BlockColumns = [.. Enumerable.Range(0, HourBlocks).Select(k => $"block{k}")];

    // history_meta's key while hour rows of schema 4/5 (one vals array) remain: retention's run splits them into blocks.
    private const string HourRowsToSplitKey = "hour_rows_to_split";

    /// <summary>Creates quote_hours (idempotent) with lz4 when the server was built with it, else PostgreSQL's pglz.</summary>
    private static async Task EnsureHoursSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var compression = await ToastCompressionAsync(connection, cancellationToken);
        await ExecuteAsync(connection, $"""
            CREATE TABLE IF NOT EXISTS quote_hours (
                hour timestamptz NOT NULL,
                instrument_id integer NOT NULL,
                offsets_ms integer[] COMPRESSION {compression} NOT NULL,
                exchange_time_ms bigint[] COMPRESSION {compression} NOT NULL,
                received_at_ms bigint[] COMPRESSION {compression} NOT NULL,
                status smallint[] COMPRESSION {compression} NOT NULL,
                vals float8[] COMPRESSION {compression},
                {string.Join(",\n    ", BlockColumns.Select(b => $"{b} float8[] COMPRESSION {compression}"))}
            ) PARTITION BY RANGE (hour);
            ALTER TABLE quote_hours ALTER offsets_ms SET STORAGE MAIN, ALTER exchange_time_ms SET STORAGE MAIN,
                ALTER received_at_ms SET STORAGE MAIN, ALTER status SET STORAGE MAIN, ALTER vals SET STORAGE MAIN;
            CREATE INDEX IF NOT EXISTS quote_hours_instrument ON quote_hours (instrument_id, hour);
            CREATE INDEX IF NOT EXISTS quote_hours_hour ON quote_hours (hour);
            UPDATE history_meta SET value = '{HoursSchemaVersion}' WHERE key = 'schema_version' AND value::int < {HoursSchemaVersion};
            """, cancellationToken);
    }

    /// <summary>
    /// Schema 6 (after schema 5's step): the block columns on a quote_hours created before (added nullable: no rewrite),
    /// <c>vals</c> nullable (hour rows of schema 6 leave it NULL). A database whose hour rows predate this gets
    /// <see cref="HourRowsToSplitKey"/>: the readers read both layouts, and retention's next run rewrites those rows as
    /// blocks (<see cref="SplitHourRowsAsync"/>), so the chain at an instant gets faster on them too.
    /// </summary>
    private static async Task EnsureHourBlocksSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var compression = await ToastCompressionAsync(connection, cancellationToken);
        await ExecuteAsync(connection, $"""
            ALTER TABLE quote_hours {string.Join(", ", BlockColumns.Select(b => $"ADD COLUMN IF NOT EXISTS {b} float8[] COMPRESSION {compression}"))};
            ALTER TABLE quote_hours ALTER vals DROP NOT NULL, {string.Join(", ", BlockColumns.Select(b => $"ALTER {b} SET STORAGE MAIN"))};
            INSERT INTO history_meta (key, value)
                SELECT '{HourRowsToSplitKey}', 'true'
                WHERE EXISTS (SELECT 1 FROM history_meta WHERE key = 'schema_version' AND value::int < {HourBlocksSchemaVersion})
                    AND EXISTS (SELECT 1 FROM quote_hours WHERE vals IS NOT NULL)
                ON CONFLICT (key) DO NOTHING;
            UPDATE history_meta SET value = '{HourBlocksSchemaVersion}' WHERE key = 'schema_version' AND value::int < {HourBlocksSchemaVersion};
            """, cancellationToken);
    }

    /// <summary>
    /// The migration from schema 4/5: every hour row still holding one <c>vals</c> array rewritten as blocks, a day
    /// partition a statement (each its own transaction: a reader sees a row in one layout or the other, and reads both).
    /// Its NULLs become NaN, as compaction writes them now. Runs once: the key is removed when no such row is left.
    /// Returns the hour rows rewritten.
    /// </summary>
    private async Task<long> SplitHourRowsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (await CountAsync(connection, $"SELECT count(*) FROM history_meta WHERE key = '{HourRowsToSplitKey}'", cancellationToken) == 0)
            return 0;
        long rewritten = 0;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var (name, _) in await PartitionsAsync(connection, "quote_hours", cancellationToken))
        {
            await using var split = new NpgsqlCommand($"""
                UPDATE {name} SET vals = NULL, ({string.Join(", ", BlockColumns)}) = (SELECT {BlockSlices("w.v", "offsets_ms")}
                    FROM (SELECT array_replace(vals, NULL, 'NaN'::float8) AS v) w)
                WHERE vals IS NOT NULL
                """, connection);
            split.CommandTimeout = RetentionCommandTimeoutSeconds;
            rewritten += await split.ExecuteNonQueryAsync(cancellationToken);
        }
        await ExecuteAsync(connection, $"DELETE FROM history_meta WHERE key = '{HourRowsToSplitKey}'", cancellationToken);
        Log.PostgresHourRowsSplit(_logger, rewritten, (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return rewritten;
    }

    // Snapshots in each block of an hour row whose offsets are `offsets` (SQL): ceil(n / HourBlocks).
    private static string BlockSize(string offsets) => $"((cardinality({offsets}) + {HourBlocks - 1}) / {HourBlocks})";

    // The same in C#, for an hour row of `snapshots` snapshots (the bulk writer's blocks, the series' reading of them).
    private static int BlockSizeOf(int snapshots) => (snapshots + HourBlocks - 1) / HourBlocks;

    /// <summary>
    /// A LATERAL over an hour row <paramref name="alias"/> giving its runs of snapshots as rows <c>(o, e, r, st, v)</c>:
    /// the offsets, exchange and receive times, statuses and values (<c>float8[25][run]</c>) of each block (schema 6), or
    /// of the whole hour for a row of schema 4/5 (one <c>vals</c>, until retention's run splits it). Unnesting them in
    /// order gives the hour's snapshots in order.
    /// </summary>
    private static string HourRuns(string alias)
    {
        var size = BlockSize($"{alias}.offsets_ms");
        string Run(string array) => $"{alias}.{array}[b.k * {size} + 1:(b.k + 1) * {size}]";
        return $"""
            LATERAL (
                SELECT {alias}.offsets_ms AS o, {alias}.exchange_time_ms AS e, {alias}.received_at_ms AS r, {alias}.status AS st, {alias}.vals AS v
                WHERE {alias}.vals IS NOT NULL
                UNION ALL
                SELECT {Run("offsets_ms")}, {Run("exchange_time_ms")}, {Run("received_at_ms")}, {Run("status")}, b.v
                FROM (VALUES {string.Join(", ", Enumerable.Range(0, HourBlocks).Select(k => $"({k}, {alias}.{BlockColumns[k]})"))}) AS b(k, v)
                WHERE {alias}.vals IS NULL) AS run
            """;
    }

    /// <summary>TOAST's compression for the array columns: lz4 when the server was built with it, else PostgreSQL's pglz.</summary>
    private static async Task<string> ToastCompressionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var probe = new NpgsqlCommand("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'", connection);
        return await probe.ExecuteScalarAsync(cancellationToken) is true ? "lz4" : "pglz";
    }

    private static string HourPartition(DateOnly day) => $"quote_hours_{day:yyyyMMdd}";

    private async Task EnsureHourPartitionAsync(NpgsqlConnection connection, DateOnly day, CancellationToken cancellationToken)
    {
        if (_hourDays.ContainsKey(day))
            return;
        await CreatePartitionAsync(connection, "quote_hours", HourPartition(day), Start(day), Start(day.AddDays(1)), cancellationToken);
        _hourDays[day] = true;
    }

    // The 25 values of a run of an hour row (HourRuns), as columns: `v[i:i][:]` is value i's whole run (unnested with the offsets).
    private static string RunValueSlices(string alias) =>
        string.Join(", ", Enumerable.Range(1, HourValues).Select(i => $"{alias}.v[{i}:{i}][:]"));

    // A missing value is NaN in an hour row's vals, not NULL (as it is in a row): an array with a NULL carries a null
    // bitmap, and PostgreSQL then slices it element by element; without one a slice is a copy. Taking one snapshot's 25
    // values out of 4,238 hour rows (the chain at an instant) took ~100 ms with NULLs and ~45 ms with NaN, decompression
    // included, at the same size (docs/performance.md, h80). Every read gives NaN for a missing value either way; rows put
    // back from hour rows (thinning) get their NULLs back. Hour rows written before this hold NULLs and read the same.
    private static readonly string ValueAggregates =
        "ARRAY[array_agg(coalesce(delivery_price, 'NaN') ORDER BY time), " +
        string.Join(", ", ValueColumns.Select(c => $"array_agg(coalesce({c}, 'NaN') ORDER BY time)")) + "]";

    // The blocks of a whole hour's values `values` (SQL, float8[25][n]) whose offsets are `offsets`, as columns.
    private static string BlockSlices(string values, string offsets) =>
        string.Join(", ", Enumerable.Range(0, HourBlocks).Select(k =>
            $"{values}[1:{HourValues}][{k} * {BlockSize(offsets)} + 1:{k + 1} * {BlockSize(offsets)}]"));

    /// <summary>
    /// Moves every closed hour at or after <paramref name="from"/> and before <paramref name="until"/> (whole hours) still
    /// held as rows into quote_hours, an hour a transaction; then empties (TRUNCATE) the closed days left without rows, so
    /// their space goes back at once. Returns the rows moved.
    /// </summary>
    private async Task<long> CompactHoursAsync(NpgsqlConnection connection, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var hours = new List<DateTimeOffset>();
        await using (var list = new NpgsqlCommand("""
            SELECT DISTINCT date_bin('1 hour', time, timestamptz 'epoch') FROM snapshots WHERE time >= @from AND time < @until ORDER BY 1
            """, connection))
        {
            list.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, from.UtcDateTime);
            list.Parameters.AddWithValue("until", NpgsqlDbType.TimestampTz, until.UtcDateTime);
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                hours.Add(ReadTime(reader, 0));
        }
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
            await EnsureHourPartitionAsync(connection, day, cancellationToken);
            // One statement: the rows deleted are the rows aggregated, in one transaction, so no reader sees the hour
            // twice or not at all.
            moved += await FoldAsync(connection, $"""
                WITH moved AS (DELETE FROM quotes WHERE time >= @start AND time < @next RETURNING *)
                , aggregated AS (
                    SELECT instrument_id, array_agg((extract(epoch FROM time - @start) * 1000)::integer ORDER BY time) AS o,
                        array_agg(exchange_time_ms ORDER BY time) AS e, array_agg(received_at_ms ORDER BY time) AS r,
                        array_agg(status ORDER BY time) AS st, {ValueAggregates} AS v
                    FROM moved GROUP BY instrument_id)
                , hours AS (
                    INSERT INTO quote_hours (hour, instrument_id, offsets_ms, exchange_time_ms, received_at_ms, status, {string.Join(", ", BlockColumns)})
                    SELECT @start, instrument_id, o, e, r, st, {BlockSlices("v", "o")}
                    FROM aggregated
                    RETURNING cardinality(offsets_ms) AS snapshots)
                SELECT coalesce(sum(snapshots), 0)::bigint FROM hours
                """, hour, hour.AddHours(1), cancellationToken);
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
    /// Runs one fold of rows into hour or day rows (<paramref name="sql"/>: the rows from <c>@start</c> to before
    /// <c>@next</c> deleted and inserted aggregated, in one statement, so no reader sees them twice or not at all); returns
    /// the count the statement selects.
    /// </summary>
    private static async Task<long> FoldAsync(NpgsqlConnection connection, string sql, DateTimeOffset start, DateTimeOffset next, CancellationToken cancellationToken)
    {
        await using var fold = new NpgsqlCommand(sql, connection);
        fold.CommandTimeout = RetentionCommandTimeoutSeconds;
        fold.Parameters.AddWithValue("start", NpgsqlDbType.TimestampTz, start.UtcDateTime);
        fold.Parameters.AddWithValue("next", NpgsqlDbType.TimestampTz, next.UtcDateTime);
        return (long)(await fold.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// A closed partition whose rows all moved (folded into hour or day rows): its heap is dead tuples only. TRUNCATE gives
    /// the space back at once (VACUUM would only mark it reusable by a table that receives no more rows). Locked first, so
    /// a late write that committed rows meanwhile is seen and kept.
    /// </summary>
    private static async Task TruncateIfEmptyAsync(NpgsqlConnection connection, string partition, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"LOCK TABLE {partition} IN ACCESS EXCLUSIVE MODE", cancellationToken);
        if (await CountAsync(connection, $"SELECT count(*) FROM (SELECT 1 FROM {partition} LIMIT 1) t", cancellationToken) == 0)
            await ExecuteAsync(connection, $"TRUNCATE {partition}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Before thinning: hour rows older than <paramref name="cutoff"/> go back to one row per option, only what thinning
    /// keeps (the first snapshot of each UTC hour wholly before the cutoff, every snapshot of the hour that straddles it),
    /// so the thinned day is rows again (an hour row of one snapshot would cost more than the row). Returns the snapshots
    /// removed (those not put back), counted as thinning's.
    /// </summary>
    private async Task<long> ExpandHoursOlderThanAsync(NpgsqlConnection connection, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        long removed = 0;
        foreach (var (name, _) in await PartitionsAsync(connection, "quote_hours", cancellationToken))
        {
            if (!name.StartsWith("quote_hours_", StringComparison.Ordinal) ||
                !DateOnly.TryParseExact(name.AsSpan(12), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day) ||
                Start(day) >= cutoff)
            {
                continue;
            }
            await EnsureQuotePartitionAsync(connection, day, cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var expand = new NpgsqlCommand($"""
                WITH gone AS (DELETE FROM quote_hours WHERE hour >= @from AND hour < @until AND hour < @cutoff RETURNING *),
                kept AS (
                    INSERT INTO quotes ({QuoteColumns})
                    SELECT g.hour + u.o * interval '1 millisecond', u.e, u.r, {string.Join(", ", Enumerable.Range(1, HourValues).Select(i => $"nullif(u.v{i}, 'NaN')"))},
                        g.instrument_id, u.s
                    FROM gone g, {HourRuns("g")}, unnest(run.o, run.e, run.r, run.st, {RunValueSlices("run")})
                        AS u(o, e, r, s, {string.Join(", ", Enumerable.Range(1, HourValues).Select(i => $"v{i}"))})
                    WHERE g.hour + interval '1 hour' > @cutoff OR g.hour + u.o * interval '1 millisecond' IN ({FirstOfHour})
                    RETURNING 1)
                SELECT coalesce((SELECT sum(cardinality(offsets_ms)) FROM gone), 0)::bigint - (SELECT count(*) FROM kept)
                """, connection, transaction);
            expand.CommandTimeout = RetentionCommandTimeoutSeconds;
            expand.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, Start(day).UtcDateTime);
            expand.Parameters.AddWithValue("until", NpgsqlDbType.TimestampTz, Start(day.AddDays(1)).UtcDateTime);
            expand.Parameters.AddWithValue("cutoff", NpgsqlDbType.TimestampTz, cutoff.UtcDateTime);
            removed += (long)(await expand.ExecuteScalarAsync(cancellationToken))!;
            if (Start(day.AddDays(1)) <= cutoff)
            {
                await ExecuteAsync(connection, $"DROP TABLE {name}", cancellationToken);
                _hourDays.TryRemove(day, out _);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        return removed;
    }

    /// <summary>
    /// The bulk path's quotes when the batch is one UTC hour: written straight as hour rows (one per instrument), by one
    /// binary COPY, as compaction would have left them.
    /// </summary>
    private void CopyHour(NpgsqlConnection connection, IReadOnlyList<BoardSnapshot> snapshots, DateTimeOffset hour, HashSet<(string, DateTime)> claimed)
    {
        var byInstrument = new Dictionary<int, List<(int Offset, OptionQuote Quote)>>();
        foreach (var snapshot in snapshots)
        {
            var at = ToMilliseconds(snapshot.Time);
            var offset = (int)(at - hour).TotalMilliseconds;
            foreach (var recorded in snapshot.Quotes)
            {
                if (!claimed.Contains((recorded.Instrument.BaseCoin, at.UtcDateTime)))
                    continue;
                var id = _instrumentIds[recorded.Instrument.Key];
                if (!byInstrument.TryGetValue(id, out var list))
                    byInstrument[id] = list = [];
                list.Add((offset, recorded.Quote));
            }
        }
        using var importer = connection.BeginBinaryImport(
            $"COPY quote_hours (hour, instrument_id, offsets_ms, exchange_time_ms, received_at_ms, status, {string.Join(", ", BlockColumns)}) FROM STDIN (FORMAT BINARY)");
        foreach (var (id, list) in byInstrument)
        {
            list.Sort(static (a, b) => a.Offset.CompareTo(b.Offset));
            importer.StartRow();
            importer.Write(hour.UtcDateTime, NpgsqlDbType.TimestampTz);
            importer.Write(id, NpgsqlDbType.Integer);
            importer.Write(list.Select(e => e.Offset).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer);
            importer.Write(list.Select(e => e.Quote.ExchangeTimeMs).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint);
            importer.Write(list.Select(e => e.Quote.ReceivedAtMs).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint);
            importer.Write(list.Select(e => (short)e.Quote.Status).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Smallint);
            // The blocks as compaction cuts them (BlockSize): runs of ceil(n / 6) snapshots, an empty array past the last.
            var size = BlockSizeOf(list.Count);
            for (var block = 0; block < HourBlocks; block++)
            {
                var first = Math.Min(block * size, list.Count);
                var count = Math.Min(size, list.Count - first);
                if (count == 0)
                {
                    importer.Write(Array.Empty<double>(), NpgsqlDbType.Array | NpgsqlDbType.Double);
                    continue;
                }
                var values = new double[HourValues, count];
                for (var i = 0; i < count; i++)
                {
                    var quote = list[first + i].Quote;
                    values[0, i] = quote.DeliveryPrice;
                    for (var field = 0; field < QuoteFields.Count; field++)
                        values[field + 1, i] = quote.Values[field];
                }
                importer.Write(values, NpgsqlDbType.Array | NpgsqlDbType.Double);
            }
        }
        importer.Complete();
    }
}
