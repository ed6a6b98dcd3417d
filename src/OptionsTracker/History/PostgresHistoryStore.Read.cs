using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.History;

// Reads: every one a single statement (one MVCC snapshot), so it sees a recorded snapshot whole or not at all, even
// while retention rewrites the day it reads.
public sealed partial class PostgresHistoryStore
{
    public async Task<RecordedRange?> RangeAsync(string coin, CancellationToken cancellationToken)
    {
        EnsureOpened();
        return await WithRetryAsync("range read", async () =>
        {
            await using var command = _dataSource.CreateCommand("SELECT min(time), max(time), count(*) FROM snapshot_coins WHERE coin = @coin");
            command.Parameters.AddWithValue("coin", coin);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return reader.GetInt64(2) == 0 ? (RecordedRange?)null : new RecordedRange(ReadTime(reader, 0), ReadTime(reader, 1), reader.GetInt64(2));
        });
    }

    public async Task<HistoricalBoard?> BoardAtAsync(string coin, DateTimeOffset at, CancellationToken cancellationToken)
    {
        EnsureOpened();
        return await WithRetryAsync("board read", async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            // The snapshot (the last of the coin at or before the instant) and its rows in one statement: retention
            // deletes a thinned snapshot's time and its rows in one transaction, so this never picks a time whose rows
            // are gone. The time as a scalar subquery (an InitPlan): the executor then prunes to that day's partition
            // and finds the snapshot's rows through the BRIN index on time, instead of joining a whole day.
            // MATERIALIZED: the snapshot's rows (every coin's) are taken by time first, then joined to the coin's
            // instruments, whatever the statistics say; without statistics (a day partition autovacuum has not
            // analysed yet) the planner otherwise probes both indexes once per instrument, 25 times slower.
            // Schema 7: a compacted hour answers from the blocks spanning the instant, each decoded here up to its snapshot
            // (QuoteBlock.TryQuoteAt); schema 8: a thinned day from its day blocks, the same way. Hour rows not encoded yet
            // (schema 4) answer with the snapshot's element picked by its offset; schema 6: from the one block holding it (a
            // tenth of the row's values decompressed and sliced: docs/performance.md, h82); a row of schema 4/5 not split
            // yet, from its one array. The 25 values come as one float8[] column (Float8Array).
            // OFFSET 0 keeps the position one computed value: inlined, array_position ran once per use, seven times a row
            // (EXPLAIN ANALYZE on the 1-day board: 195 ms in the executor, 136 ms with it; docs/performance.md, h82).
            var size = BlockSize("h.offsets_ms");
            await using var command = new NpgsqlCommand($"""
                WITH chosen AS MATERIALIZED (SELECT time FROM snapshot_coins WHERE coin = @coin AND time <= @at ORDER BY time DESC LIMIT 1),
                snapshot AS MATERIALIZED (
                    SELECT instrument_id, exchange_time_ms, received_at_ms, status, {ValuesArray("quotes")} AS v, NULL::bytea AS block FROM quotes
                    WHERE time = (SELECT time FROM chosen)
                    UNION ALL
                    SELECT b.instrument_id, NULL, NULL, NULL, NULL, b.block FROM quote_blocks b
                    WHERE b.hour = (SELECT date_bin('1 hour', time, timestamptz 'epoch') FROM chosen)
                        AND b.first_ms <= (SELECT (extract(epoch FROM time - date_bin('1 hour', time, timestamptz 'epoch')) * 1000)::integer FROM chosen)
                        AND b.last_ms >= (SELECT (extract(epoch FROM time - date_bin('1 hour', time, timestamptz 'epoch')) * 1000)::integer FROM chosen)
                    UNION ALL
                    SELECT d.instrument_id, NULL, NULL, NULL, NULL, d.block FROM quote_day_blocks d
                    WHERE d.day = (SELECT date_bin('1 day', time, timestamptz 'epoch') FROM chosen)
                        AND d.first_ms <= (SELECT (extract(epoch FROM time - date_bin('1 day', time, timestamptz 'epoch')) * 1000)::integer FROM chosen)
                        AND d.last_ms >= (SELECT (extract(epoch FROM time - date_bin('1 day', time, timestamptz 'epoch')) * 1000)::integer FROM chosen)
                    UNION ALL
                    SELECT h.instrument_id, h.exchange_time_ms[k.p], h.received_at_ms[k.p], h.status[k.p],
                        CASE WHEN h.vals IS NOT NULL THEN h.vals[1:{HourValues}][k.p:k.p]
                        ELSE (CASE (k.p - 1) / {size} {string.Join(" ", Enumerable.Range(0, HourBlocks).Select(b => $"WHEN {b} THEN h.{BlockColumns[b]}"))} END)
                            [1:{HourValues}][(k.p - 1) % {size} + 1:(k.p - 1) % {size} + 1] END,
                        NULL
                    FROM quote_hours h,
                        LATERAL (SELECT array_position(h.offsets_ms, (extract(epoch FROM (SELECT time FROM chosen) - h.hour) * 1000)::integer) AS p OFFSET 0) k
                    WHERE h.hour = (SELECT date_bin('1 hour', time, timestamptz 'epoch') FROM chosen) AND k.p IS NOT NULL)
                SELECT (SELECT time FROM chosen), q.instrument_id, q.exchange_time_ms, q.received_at_ms, q.status, q.v, q.block
                FROM snapshot q JOIN instruments i ON i.id = q.instrument_id
                WHERE i.coin = @coin
                """, connection);
            command.Parameters.AddWithValue("coin", coin);
            command.Parameters.AddWithValue("at", NpgsqlDbType.TimestampTz, ToMilliseconds(at).UtcDateTime);
            var quotes = new List<RecordedQuote>();
            DateTimeOffset? asOf = null;
            var values = new Float8Array();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    asOf ??= ReadTime(reader, 0);
                    var instrument = await InstrumentAsync(reader.GetInt32(1), cancellationToken);
                    OptionQuote quote;
                    if (!reader.IsDBNull(6))
                    {
                        // A block spanning the instant: an option listed or removed within its span has no quote then.
                        if (!QuoteBlock.TryQuoteAt(reader.GetFieldValue<byte[]>(6), asOf.Value.ToUnixTimeMilliseconds(), out quote))
                            continue;
                    }
                    else
                    {
                        quote = ReadQuoteHead(reader, 2);
                        values.ReadQuote(reader, 5, ref quote);
                    }
                    quotes.Add(new RecordedQuote(instrument, quote, Changed: true));
                }
            }
            if (asOf is null)
            {
                // No rows: nothing recorded by then, or a snapshot that held no option of the coin (measures only).
                await using var last = new NpgsqlCommand(
                    "SELECT time FROM snapshot_coins WHERE coin = @coin AND time <= @at ORDER BY time DESC LIMIT 1", connection);
                last.Parameters.AddWithValue("coin", coin);
                last.Parameters.AddWithValue("at", NpgsqlDbType.TimestampTz, ToMilliseconds(at).UtcDateTime);
                if (await last.ExecuteScalarAsync(cancellationToken) is DateTime chosen)
                    asOf = new DateTimeOffset(DateTime.SpecifyKind(chosen, DateTimeKind.Utc));
            }
            // Ordered here (venue, then symbol, ordinal) rather than by the server: the instruments are in memory, and the
            // server's sort of 4,000 rows by two text columns was a third of the read (EXPLAIN ANALYZE, docs/performance.md).
            quotes.Sort(static (a, b) =>
            {
                var byVenue = string.CompareOrdinal(a.Instrument.Venue.Id, b.Instrument.Venue.Id);
                return byVenue != 0 ? byVenue : string.CompareOrdinal(a.Instrument.Symbol, b.Instrument.Symbol);
            });
            return asOf is { } time ? new HistoricalBoard(coin, time, quotes) : null;
        });
    }

    public async Task<IReadOnlyList<SeriesPoint>> OptionSeriesAsync(
        Venue venue, string symbol, IReadOnlyList<QuoteField> fields, DateTimeOffset from, DateTimeOffset to, TimeSpan interval,
        CancellationToken cancellationToken)
    {
        EnsureOpened();
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        if (fields.Count == 0)
            return [];
        // The option's rows (recent hours, each its 25 values as one array), its blocks (closed hours, schema 7; thinned
        // days, schema 8) and any hour rows not encoded yet (schemas 4-6: the offsets and the whole hour's values, one
        // array or six blocks), in one statement (one MVCC snapshot). The fields asked are taken out of the arrays here,
        // the points cut to [from, to], ordered and bucketed here: slicing and unnesting 43,200 points on the server and
        // sorting them there cost ~4 µs a point of the server's CPU, where the hour rows' arrays decompress in ~10 µs a
        // row (docs/performance.md, "PostgreSQL's series as hour rows").
        var sql = $"""
            WITH instrument AS MATERIALIZED (SELECT id FROM instruments WHERE venue = @venue AND symbol = @symbol)
            SELECT q.time, NULL::integer[], {ValuesArray("q")}, {string.Join(", ", BlockColumns.Select(_ => "NULL::float8[]"))}, NULL::bytea
            FROM quotes q
            WHERE q.instrument_id = (SELECT id FROM instrument) AND q.time >= @from AND q.time <= @to
            UNION ALL
            SELECT b.hour, NULL, NULL, {string.Join(", ", BlockColumns.Select(_ => "NULL"))}, b.block
            FROM quote_blocks b
            WHERE b.instrument_id = (SELECT id FROM instrument) AND b.hour >= date_bin('1 hour', @from, timestamptz 'epoch') AND b.hour <= @to
            UNION ALL
            SELECT d.day, NULL, NULL, {string.Join(", ", BlockColumns.Select(_ => "NULL"))}, d.block
            FROM quote_day_blocks d
            WHERE d.instrument_id = (SELECT id FROM instrument) AND d.day >= date_bin('1 day', @from, timestamptz 'epoch') AND d.day <= @to
            UNION ALL
            SELECT h.hour, h.offsets_ms, h.vals, {string.Join(", ", BlockColumns.Select((b, k) =>
                $"CASE WHEN NOT @last_blocks_only OR h.hour > @to - interval '1 hour' OR {k} = (cardinality(h.offsets_ms) - 1) / {BlockSize("h.offsets_ms")} THEN h.{b} END"))}, NULL
            FROM quote_hours h
            WHERE h.instrument_id = (SELECT id FROM instrument) AND h.hour >= date_bin('1 hour', @from, timestamptz 'epoch') AND h.hour <= @to
            """;
        var (start, end) = (ToMilliseconds(from), ToMilliseconds(to));
        var (first, last) = (start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds());
        // Buckets of whole hours (1 h, 2 h, 1 d: the dashboard's week and month charts) keep each bucket's last snapshot,
        // which is the last snapshot of one of its hours, so of an hour row's last block (schema 6): the other five blocks
        // are neither decompressed nor sent. An hour that ends after `to` is read whole (its last block may lie after it);
        // a second row of one hour (a late write) has its own last block, and the bucketing takes the later of the two.
        var lastBlocksOnly = interval >= TimeSpan.FromHours(1) && interval.Ticks % TimeSpan.TicksPerHour == 0;
        return await WithRetryAsync("option series read", async () =>
        {
            await using var command = _dataSource.CreateCommand(sql);
            command.Parameters.AddWithValue("venue", venue.Id);
            command.Parameters.AddWithValue("symbol", symbol);
            command.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, start.UtcDateTime);
            command.Parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, end.UtcDateTime);
            command.Parameters.AddWithValue("last_blocks_only", lastBlocksOnly);
            var points = new List<SeriesPoint>();
            var values = new Float8Array();
            // Sequential: an hour row (~12.5 KB of values) is streamed column by column instead of buffered whole first.
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var time = ReadTime(reader, 0).ToUnixTimeMilliseconds();
                if (reader.IsDBNull(1))
                {
                    if (!reader.IsDBNull(2))
                    {
                        // A row of quotes: one snapshot.
                        values.Read(reader, 2);
                        AddPoint(time, 0, 1);
                    }
                    else
                    {
                        // A block (an hour, schema 7; a thinned day, 8): the fields asked decoded here, the points in the span kept.
                        QuoteBlock.AddSeriesPoints(reader.GetFieldValue<byte[]>(3 + HourBlocks), fields, first, last, points);
                    }
                    continue;
                }
                var offsets = reader.GetFieldValue<int[]>(1);
                if (!reader.IsDBNull(2))
                {
                    // An hour row of schema 4/5: the whole hour in one array.
                    values.Read(reader, 2);
                    for (var j = 0; j < values.Columns; j++)
                        AddPoint(time + offsets[j], j, values.Columns);
                    continue;
                }
                // Schema 6: the hour's snapshots in order, cut into blocks of ceil(n / 6) (BlockSize): block k starts at k × that.
                var size = BlockSizeOf(offsets.Length);
                for (var k = 0; k < HourBlocks; k++)
                {
                    if (reader.IsDBNull(3 + k))
                        continue;
                    values.Read(reader, 3 + k);
                    for (var j = 0; j < values.Columns; j++)
                        AddPoint(time + offsets[k * size + j], j, values.Columns);
                }
            }
            points.Sort(static (a, b) => a.Time.CompareTo(b.Time));
            return (IReadOnlyList<SeriesPoint>)(interval == TimeSpan.Zero ? points : SeriesPoint.LastOfEachBucket(points, (long)interval.TotalMilliseconds));

            // The asked fields of snapshot j of the array read (values [25][width], row-major), if its time is in the span.
            void AddPoint(long at, int j, int width)
            {
                if (at < first || at > last)
                    return;
                var point = new double[fields.Count];
                for (var i = 0; i < point.Length; i++)
                    point[i] = values.Items[(1 + (int)fields[i]) * width + j];
                points.Add(new SeriesPoint(DateTimeOffset.FromUnixTimeMilliseconds(at), point));
            }
        });
    }

    public async Task<IReadOnlyList<SeriesPoint>> MeasureSeriesAsync(
        string coin, IReadOnlyList<string> names, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, CancellationToken cancellationToken)
    {
        EnsureOpened();
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        if (names.Count == 0)
            return [];
        // Per measure, its rows (today's, and any day not folded yet) as one row of two arrays (times and values), and its
        // day rows (closed days, schema 5) as they are: one row per day of offsets and values. A year at 10 minutes is then
        // ~365 day rows a measure instead of 52,560 index tuples (docs/performance.md). Unordered and unbucketed on the
        // server: the points of each name are ordered, cut to [from, to] (a day row holds its whole day) and bucketed here,
        // where they are already in memory (the server's sort of a year spilled to disk).
        const string sql = """
            SELECT n.name, NULL::timestamptz, array_agg(m.time), NULL::integer[], array_agg(m.value)
            FROM measures m JOIN measure_names n ON n.id = m.measure_id
            WHERE n.coin = @coin AND n.name = ANY(@names) AND m.time >= @from AND m.time <= @to
            GROUP BY n.name
            UNION ALL
            SELECT n.name, d.day, NULL::timestamptz[], d.offsets_ms, d.vals
            FROM measure_days d JOIN measure_names n ON n.id = d.measure_id
            WHERE n.coin = @coin AND n.name = ANY(@names) AND d.day >= date_bin('1 day', @from, timestamptz 'epoch') AND d.day <= @to
            """;
        var start = ToMilliseconds(from).UtcDateTime;
        var end = ToMilliseconds(to).UtcDateTime;
        return await WithRetryAsync("measure series read", async () =>
        {
            await using var command = _dataSource.CreateCommand(sql);
            command.Parameters.AddWithValue("coin", coin);
            command.Parameters.AddWithValue("names", names.Distinct(StringComparer.Ordinal).ToArray());
            command.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, start);
            command.Parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, end);
            var byName = new Dictionary<string, List<(DateTime Time, double Value)>>(StringComparer.Ordinal);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var name = reader.GetString(0);
                    if (!byName.TryGetValue(name, out var points))
                        byName[name] = points = [];
                    var values = reader.GetFieldValue<double?[]>(4);
                    if (reader.IsDBNull(1))
                    {
                        var times = reader.GetFieldValue<DateTime[]>(2);
                        for (var i = 0; i < times.Length; i++)
                            points.Add((DateTime.SpecifyKind(times[i], DateTimeKind.Utc), values[i] ?? double.NaN));
                    }
                    else
                    {
                        var day = DateTime.SpecifyKind(reader.GetFieldValue<DateTime>(1), DateTimeKind.Utc);
                        var offsets = reader.GetFieldValue<int[]>(3);
                        for (var i = 0; i < offsets.Length; i++)
                        {
                            var time = day.AddMilliseconds(offsets[i]);
                            if (time >= start && time <= end)
                                points.Add((time, values[i] ?? double.NaN));
                        }
                    }
                }
            }
            // Each name's points in time order (day rows come in no particular order), cut to one per bucket, then merged
            // into one point per time: a year of one name is 52,560 points, so no dictionary or sort when there is no need.
            var series = new List<(int[] Slots, List<(DateTime Time, double Value)> Points)>(byName.Count);
            foreach (var (name, points) in byName)
            {
                if (!IsOrdered(points))
                    points.Sort(static (a, b) => a.Time.CompareTo(b.Time));
                if (interval > TimeSpan.Zero)
                    KeepLastOfEachBucket(points, interval);
                series.Add(([.. Enumerable.Range(0, names.Count).Where(i => names[i] == name)], points));
            }
            return (IReadOnlyList<SeriesPoint>)MergeByTime(series, names.Count);
        });
    }

    private static bool IsOrdered(List<(DateTime Time, double Value)> points)
    {
        for (var i = 1; i < points.Count; i++)
        {
            if (points[i].Time < points[i - 1].Time)
                return false;
        }
        return true;
    }

    /// <summary>
    /// The last point of each bucket, timed at the bucket's start (buckets aligned to the Unix epoch, as date_bin), in
    /// place; the points are in time order.
    /// </summary>
    private static void KeepLastOfEachBucket(List<(DateTime Time, double Value)> points, TimeSpan interval)
    {
        var kept = 0;
        for (var i = 0; i < points.Count; i++)
        {
            var bucket = BucketStart(points[i].Time, interval);
            if (i + 1 < points.Count && BucketStart(points[i + 1].Time, interval) == bucket)
                continue;
            points[kept++] = (bucket, points[i].Value);
        }
        points.RemoveRange(kept, points.Count - kept);
    }

    /// <summary>One point per time over every name's ordered points; a name missing at a time is NaN there.</summary>
    private static List<SeriesPoint> MergeByTime(List<(int[] Slots, List<(DateTime Time, double Value)> Points)> series, int width)
    {
        var merged = new List<SeriesPoint>(series.Count == 0 ? 0 : series.Max(s => s.Points.Count));
        var next = new int[series.Count];
        while (true)
        {
            DateTime? time = null;
            for (var s = 0; s < series.Count; s++)
            {
                if (next[s] < series[s].Points.Count && (time is null || series[s].Points[next[s]].Time < time))
                    time = series[s].Points[next[s]].Time;
            }
            if (time is not { } at)
                return merged;
            var values = new double[width];
            Array.Fill(values, double.NaN);
            for (var s = 0; s < series.Count; s++)
            {
                if (next[s] < series[s].Points.Count && series[s].Points[next[s]].Time == at)
                {
                    foreach (var slot in series[s].Slots)
                        values[slot] = series[s].Points[next[s]].Value;
                    next[s]++;
                }
            }
            merged.Add(new SeriesPoint(new DateTimeOffset(at), values));
        }
    }

    /// <summary>The start of the bucket of <paramref name="interval"/> holding <paramref name="time"/>, aligned to the Unix epoch (date_bin's).</summary>
    private static DateTime BucketStart(DateTime time, TimeSpan interval) =>
        DateTime.UnixEpoch.AddMilliseconds(SeriesPoint.BucketStart((time.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond, interval.Ticks / TimeSpan.TicksPerMillisecond));

    public async IAsyncEnumerable<RecordedRow> ReadQuotesAsync(string coin, DateTimeOffset from, DateTimeOffset to,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        EnsureOpened();
        var start = ToMilliseconds(from);
        var end = ToMilliseconds(to);
        // A span at a time (within a day, at most 64 snapshots: ExportSpans), each one statement (its rows, blocks and
        // hour rows from one MVCC snapshot, so an hour compacted or a day thinned meanwhile is read once), ordered here
        // once its blocks are decoded: an export of years holds one span in memory.
        var hours = await WithRetryAsync("export hours read", async () =>
        {
            await using var command = _dataSource.CreateCommand("""
                SELECT date_bin('1 hour', time, timestamptz 'epoch') AS hour, count(*) FROM snapshot_coins
                WHERE coin = @coin AND time >= @from AND time <= @to GROUP BY 1 ORDER BY 1
                """);
            command.Parameters.AddWithValue("coin", coin);
            command.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, start.UtcDateTime);
            command.Parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, end.UtcDateTime);
            var found = new List<(long, long)>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                found.Add((ReadTime(reader, 0).ToUnixTimeMilliseconds(), reader.GetInt64(1)));
            return found;
        });
        var spans = ExportSpans.SplitAsync(hours, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds(), (first, last) =>
            WithRetryAsync("export times read", async () =>
            {
                await using var command = _dataSource.CreateCommand("SELECT time FROM snapshot_coins WHERE coin = @coin AND time >= @from AND time <= @to ORDER BY time");
                command.Parameters.AddWithValue("coin", coin);
                command.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, DateTime.UnixEpoch.AddMilliseconds(first));
                command.Parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, DateTime.UnixEpoch.AddMilliseconds(last));
                var times = new List<long>();
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                    times.Add(ReadTime(reader, 0).ToUnixTimeMilliseconds());
                return times;
            }));
        await foreach (var (first, last) in spans.WithCancellation(cancellationToken))
        {
            var lower = DateTimeOffset.FromUnixTimeMilliseconds(first);
            var upper = DateTimeOffset.FromUnixTimeMilliseconds(last);
            var rows = await WithRetryAsync("export read", () => QuotesOfSpanAsync(coin, lower, upper, cancellationToken));
            foreach (var row in rows)
                yield return row;
        }
    }

    /// <summary>
    /// The quotes of <paramref name="coin"/> in [<paramref name="from"/>, <paramref name="to"/>] (an export span: within one
    /// UTC day): rows, blocks of hours and of the thinned day, and hour rows, in (time, venue, symbol) order.
    /// </summary>
    private async Task<List<RecordedRow>> QuotesOfSpanAsync(string coin, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var valueNames = string.Join(", ", Enumerable.Range(1, HourValues).Select(i => $"v{i}"));
        var noValues = string.Join(", ", Enumerable.Range(0, 3 + HourValues).Select(_ => "NULL"));
        await using var command = _dataSource.CreateCommand($"""
            SELECT q.time, q.instrument_id, {QuoteReadColumns("q")}, q.block
            FROM (
                SELECT time, instrument_id, {QuoteReadColumns("quotes")}, NULL::bytea AS block FROM quotes WHERE time >= @from AND time <= @to
                UNION ALL
                SELECT b.hour, b.instrument_id, {noValues}, b.block
                FROM quote_blocks b
                WHERE b.hour >= @first_hour AND b.hour <= @to
                    AND b.hour + b.last_ms * interval '1 millisecond' >= @from AND b.hour + b.first_ms * interval '1 millisecond' <= @to
                UNION ALL
                SELECT d.day, d.instrument_id, {noValues}, d.block
                FROM quote_day_blocks d
                WHERE d.day = @day AND d.last_ms >= @first_ms AND d.first_ms <= @last_ms
                UNION ALL
                SELECT h.hour + u.o * interval '1 millisecond', h.instrument_id, u.e, u.r, u.s, {string.Join(", ", Enumerable.Range(1, HourValues).Select(i => $"u.v{i}"))}, NULL
                FROM quote_hours h, {HourRuns("h")}, unnest(run.o, run.e, run.r, run.st, {RunValueSlices("run")}) AS u(o, e, r, s, {valueNames})
                WHERE h.hour >= @first_hour AND h.hour <= @to) q
            JOIN instruments i ON i.id = q.instrument_id
            WHERE i.coin = @coin AND (q.block IS NOT NULL OR (q.time >= @from AND q.time <= @to))
            """);
        var day = DateTimeOffset.FromUnixTimeMilliseconds(QuoteBlockBuilder.PeriodStart(from.ToUnixTimeMilliseconds(), QuoteBlockBuilder.DayMs));
        command.Parameters.AddWithValue("coin", coin);
        command.Parameters.AddWithValue("first_hour", NpgsqlDbType.TimestampTz, DateTime.UnixEpoch.AddMilliseconds(QuoteBlockBuilder.HourStart(from.ToUnixTimeMilliseconds())));
        command.Parameters.AddWithValue("day", NpgsqlDbType.TimestampTz, day.UtcDateTime);
        command.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, from.UtcDateTime);
        command.Parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, to.UtcDateTime);
        command.Parameters.AddWithValue("first_ms", (int)(from - day).TotalMilliseconds);
        command.Parameters.AddWithValue("last_ms", (int)(to - day).TotalMilliseconds);
        var (fromMs, toMs) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        var rows = new List<RecordedRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var instrument = await InstrumentAsync(reader.GetInt32(1), cancellationToken);
            if (reader.IsDBNull(5 + HourValues))
            {
                rows.Add(new RecordedRow(ReadTime(reader, 0), instrument, ReadQuote(reader, 2)));
                continue;
            }
            var decoded = new DecodedBlock(reader.GetFieldValue<byte[]>(5 + HourValues));
            for (var row = 0; row < decoded.Count; row++)
            {
                var time = decoded.Times[row];
                if (time >= fromMs && time <= toMs)
                    rows.Add(new RecordedRow(DateTimeOffset.FromUnixTimeMilliseconds(time), instrument, decoded.Quote(row)));
            }
        }
        rows.Sort(RecordedRow.CompareByTimeVenueSymbol);
        return rows;
    }

    public async Task<IReadOnlyList<Settlement>> SettlementsAsync(string coin, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        EnsureOpened();
        return await WithRetryAsync("settlement read", async () =>
        {
            await using var command = _dataSource.CreateCommand("""
                SELECT venue, delivery_time, price FROM settlements
                WHERE coin = @coin AND delivery_time >= @from AND delivery_time <= @to ORDER BY delivery_time, venue
                """);
            command.Parameters.AddWithValue("coin", coin);
            command.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, ToMilliseconds(from).UtcDateTime);
            command.Parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, ToMilliseconds(to).UtcDateTime);
            var settlements = new List<Settlement>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                settlements.Add(new Settlement(Venue.Parse(reader.GetString(0)), coin, ReadTime(reader, 1), ReadValue(reader, 2)));
            return (IReadOnlyList<Settlement>)settlements;
        });
    }

    public async Task<IReadOnlyList<RealisedVolatilityPoint>> RealisedVolatilityAsync(
        string coin, int periodDays, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        EnsureOpened();
        return await WithRetryAsync("realised volatility read", async () =>
        {
            await using var command = _dataSource.CreateCommand("""
                SELECT time, value FROM realised_volatility
                WHERE coin = @coin AND period_days = @period AND time >= @from AND time <= @to ORDER BY time
                """);
            command.Parameters.AddWithValue("coin", coin);
            command.Parameters.AddWithValue("period", periodDays);
            command.Parameters.AddWithValue("from", NpgsqlDbType.TimestampTz, ToMilliseconds(from).UtcDateTime);
            command.Parameters.AddWithValue("to", NpgsqlDbType.TimestampTz, ToMilliseconds(to).UtcDateTime);
            var points = new List<RealisedVolatilityPoint>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                points.Add(new RealisedVolatilityPoint(periodDays, ReadValue(reader, 1), ReadTime(reader, 0)));
            return (IReadOnlyList<RealisedVolatilityPoint>)points;
        });
    }

    private static string QuoteReadColumns(string alias) =>
        $"{alias}.exchange_time_ms, {alias}.received_at_ms, {alias}.status, {alias}.delivery_price, " +
        string.Join(", ", ValueColumns.Select(c => $"{alias}.{c}"));

    // A row's 25 values as one float8[] (the delivery price, then ValueColumns), NULL where missing: the chain at an
    // instant reads one array column a row instead of 25 columns.
    private static string ValuesArray(string alias) =>
        $"ARRAY[{alias}.delivery_price, {string.Join(", ", ValueColumns.Select(c => $"{alias}.{c}"))}]";

    // float8's type oid: what the element type of an array read by Float8Array must be.
    private const uint Float8Oid = 701;

    /// <summary>
    /// A float8[] column of <see cref="HourValues"/> rows (a row's 25 values, 1-D; an hour row's or block's [25][n], or the
    /// chain's [25][1] slice) read into buffers reused from one array to the next, from PostgreSQL's binary array format (a
    /// header, the dimensions, then each element as its length and 8 big-endian bytes): Npgsql would allocate an array a
    /// row, and cannot read a two-dimensional array as one-dimensional. NULL elements (hour rows of schema 4/5, a row's
    /// missing values) are NaN. <see cref="Columns"/>: the snapshots in it (1 for a 1-D array).
    /// </summary>
    private sealed class Float8Array
    {
        /// <summary>One snapshot's 25 values (delivery price, then the quote fields) into <paramref name="quote"/>.</summary>
        public void ReadQuote(NpgsqlDataReader reader, int ordinal, ref OptionQuote quote)
        {
            Read(reader, ordinal);
            if (Columns != 1)
                throw new InvalidOperationException($"A quote's values array holds {Columns} snapshots, not one.");
            quote.DeliveryPrice = Items[0];
            for (var field = 0; field < QuoteFields.Count; field++)
                quote.Values[field] = Items[1 + field];
        }

        private byte[] _bytes = new byte[16 * 1024];

        public double[] Items { get; private set; } = new double[HourValues * 64];

        public int Columns { get; private set; }

        public void Read(NpgsqlDataReader reader, int ordinal)
        {
            var length = 0;
            using (var stream = reader.GetStream(ordinal))
            {
                int read;
                while ((read = stream.Read(_bytes, length, _bytes.Length - length)) > 0)
                {
                    length += read;
                    if (length == _bytes.Length)
                        Array.Resize(ref _bytes, _bytes.Length * 2);
                }
            }
            var data = _bytes.AsSpan(0, length);
            var dimensions = BinaryPrimitives.ReadInt32BigEndian(data);
            var elementType = BinaryPrimitives.ReadUInt32BigEndian(data[8..]);
            var items = dimensions == 0 ? 0 : 1;
            for (var d = 0; d < dimensions; d++)
                items *= BinaryPrimitives.ReadInt32BigEndian(data[(12 + 8 * d)..]);
            if (elementType != Float8Oid || dimensions > 2 || items % HourValues != 0 || (dimensions > 0 && BinaryPrimitives.ReadInt32BigEndian(data[12..]) != HourValues))
                throw new InvalidOperationException($"An hour row's values array has {dimensions} dimensions and {items} elements of type {elementType}, not {HourValues} rows of float8.");
            Columns = items / HourValues;
            if (Items.Length < items)
                Items = new double[items];
            var at = 12 + 8 * dimensions;
            for (var i = 0; i < items; i++)
            {
                var size = BinaryPrimitives.ReadInt32BigEndian(data[at..]);
                at += 4;
                if (size == 8)
                {
                    Items[i] = BinaryPrimitives.ReadDoubleBigEndian(data[at..]);
                    at += 8;
                }
                else if (size == -1)
                {
                    Items[i] = double.NaN;
                }
                else
                {
                    throw new InvalidOperationException($"An hour row's values array has an element of {size} bytes, not a float8.");
                }
            }
        }
    }

    /// <summary>A quote from the columns of <see cref="QuoteReadColumns"/>, starting at <paramref name="first"/>.</summary>
    private static OptionQuote ReadQuote(NpgsqlDataReader reader, int first)
    {
        var quote = ReadQuoteHead(reader, first);
        quote.DeliveryPrice = ReadValue(reader, first + 3);
        for (var field = 0; field < QuoteFields.Count; field++)
            quote.Values[field] = ReadValue(reader, first + 4 + field);
        return quote;
    }

    /// <summary>
    /// A quote's exchange and receive times and status, from three columns starting at <paramref name="first"/> (as
    /// <see cref="QuoteReadColumns"/> begins); its values are left to the caller.
    /// </summary>
    private static OptionQuote ReadQuoteHead(NpgsqlDataReader reader, int first)
    {
        var quote = OptionQuote.Empty;
        quote.ExchangeTimeMs = reader.GetInt64(first);
        quote.ReceivedAtMs = reader.GetInt64(first + 1);
        quote.Status = (ListingStatus)reader.GetInt16(first + 2);
        return quote;
    }

    private static double ReadValue(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? double.NaN : reader.GetDouble(ordinal);

    private static DateTimeOffset ReadTime(NpgsqlDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(reader.GetFieldValue<DateTime>(ordinal), DateTimeKind.Utc));

    /// <summary>The instrument of an id: from the cache, else (another process wrote it) read once from the table.</summary>
    private async ValueTask<OptionInstrument> InstrumentAsync(int id, CancellationToken cancellationToken)
    {
        if (_instruments.TryGetValue(id, out var known))
            return known;
        await using var command = _dataSource.CreateCommand("""
            SELECT id, venue, symbol, coin, settle_coin, expiry, strike, option_type, status, tick_size, qty_step, price_currency
            FROM instruments WHERE id >= @id OR NOT (id = ANY(@known))
            """);
        // Everything from this id on, and anything not cached below it: a web instance meets the collector's new
        // options in batches (a new expiry), so one read brings the whole batch.
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("known", _instruments.Keys.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var instrument = new OptionInstrument(
                Venue.Parse(reader.GetString(1)), reader.GetString(2), reader.GetString(3),
                new DateTimeOffset(DateTime.SpecifyKind(reader.GetFieldValue<DateTime>(5), DateTimeKind.Utc)),
                reader.GetDecimal(6), (OptionType)reader.GetInt16(7),
                reader.IsDBNull(4) ? null : reader.GetString(4), (ListingStatus)reader.GetInt16(8),
                ReadValue(reader, 9), ReadValue(reader, 10), reader.IsDBNull(11) ? null : reader.GetString(11));
            var readId = reader.GetInt32(0);
            _instruments.TryAdd(readId, instrument);
            _instrumentIds.TryAdd(instrument.Key, readId);
        }
        return _instruments.TryGetValue(id, out var found) ? found : throw new InvalidOperationException($"Instrument {id} is not in the history.");
    }
}
