using Npgsql;
using NpgsqlTypes;
using OptionsTracker.Book;

namespace OptionsTracker.History;

// Hour rows of schemas 4-6 (quote_hours), read until retention's run encodes them as QuoteBlocks (schema 7,
// PostgresHistoryStore.Blocks.cs); nothing writes them any more. One row per (instrument, UTC hour) holding the hour's
// snapshots as arrays: times as millisecond offsets from the hour, exchange and receive times, statuses, and the 25
// values as two-dimensional float8[] [value][snapshot] (NaN where the exchange sent nothing; NULL in rows of schema 4),
// one array `vals` (schemas 4/5) or cut into HourBlocks blocks (schema 6), compressed by TOAST. Every read unions them
// with the rows and the blocks in one statement (one MVCC snapshot), and the migration moves an hour in one
// transaction, so a reader sees each snapshot exactly once.
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
            UPDATE history_meta SET value = '{HourBlocksSchemaVersion}' WHERE key = 'schema_version' AND value::int < {HourBlocksSchemaVersion};
            """, cancellationToken);
    }

    // Snapshots in each block of an hour row whose offsets are `offsets` (SQL): ceil(n / HourBlocks).
    private static string BlockSize(string offsets) => $"((cardinality({offsets}) + {HourBlocks - 1}) / {HourBlocks})";

    // The same in C#, for an hour row of `snapshots` snapshots (the series' reading of its blocks).
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

    // The 25 values of a run of an hour row (HourRuns), as columns: `v[i:i][:]` is value i's whole run (unnested with the offsets).
    private static string RunValueSlices(string alias) =>
        string.Join(", ", Enumerable.Range(1, HourValues).Select(i => $"{alias}.v[{i}:{i}][:]"));

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
    /// A closed partition whose rows all moved (into blocks or day rows): its heap is dead tuples only. TRUNCATE gives the
    /// space back at once (VACUUM would only mark it reusable by a table that receives no more rows).
    /// </summary>
    private static Task TruncateIfEmptyAsync(NpgsqlConnection connection, string partition, CancellationToken cancellationToken) =>
        IfEmptyAsync(connection, partition, "TRUNCATE", cancellationToken);

    /// <summary>
    /// Runs <paramref name="statement"/> (<c>TRUNCATE</c>, <c>DROP TABLE</c>) on <paramref name="partition"/> if it holds no
    /// row. Locked first, so a late write that committed rows meanwhile is seen and kept.
    /// </summary>
    private static async Task IfEmptyAsync(NpgsqlConnection connection, string partition, string statement, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"LOCK TABLE {partition} IN ACCESS EXCLUSIVE MODE", cancellationToken);
        if (await CountAsync(connection, $"SELECT count(*) FROM (SELECT 1 FROM {partition} LIMIT 1) t", cancellationToken) == 0)
            await ExecuteAsync(connection, $"{statement} {partition}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
