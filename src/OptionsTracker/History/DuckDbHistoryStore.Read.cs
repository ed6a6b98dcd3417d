using System.Data.Common;
using System.Runtime.CompilerServices;
using DuckDB.NET.Data;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.History;

public sealed partial class DuckDbHistoryStore
{
    // The quote's columns as every reader selects them: instrument, times, status, delivery price, then the 24 values.
    private static readonly string QuoteColumns =
        "q.instrument, q.exchange_ms, q.received_ms, q.status, q.delivery_price, " + string.Join(", ", FieldColumns.Select(c => "q." + c));

    public Task<RecordedRange?> RangeAsync(string coin, CancellationToken cancellationToken) =>
        RunAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT min(time_ms), max(time_ms), count(*) FROM snapshots WHERE coin = ?";
            command.Parameters.Add(new DuckDBParameter(coin));
            using var reader = command.ExecuteReader();
            if (!reader.Read() || reader.GetInt64(2) == 0)
                return (RecordedRange?)null;
            return new RecordedRange(FromMs(reader.GetInt64(0)), FromMs(reader.GetInt64(1)), reader.GetInt64(2));
        }, cancellationToken);

    public Task<HistoricalBoard?> BoardAtAsync(string coin, DateTimeOffset at, CancellationToken cancellationToken) =>
        RunAsync(connection =>
        {
            // Two statements in one transaction, so the snapshot chosen and its rows come from one state of the database
            // (DuckDB's MVCC). The chosen time reaches the second as a value, not through a join: with a value DuckDB
            // skips, by their zone maps, the row groups of other hours before reading them; a join's dynamic filter read
            // every row group's times (70 ms against 20 ms for 6.9 M rows, EXPLAIN ANALYZE; docs/performance.md).
            using var transaction = connection.BeginTransaction();
            long time;
            using (var chosen = connection.CreateCommand())
            {
                chosen.CommandText = "SELECT max(time_ms) FROM snapshots WHERE coin = $coin AND time_ms <= $at";
                chosen.Parameters.Add(new DuckDBParameter("coin", coin));
                chosen.Parameters.Add(new DuckDBParameter("at", at.ToUnixTimeMilliseconds()));
                if (chosen.ExecuteScalar() is not long found)
                    return null;
                time = found;
            }
            using var command = connection.CreateCommand();
            // Ordered here rather than through a join with the instruments: they are in memory.
            command.CommandText = $"""
                SELECT {QuoteColumns} FROM all_quotes q
                WHERE q.time_ms = $time AND q.instrument IN (SELECT id FROM instruments WHERE coin = $coin)
                """;
            command.Parameters.Add(new DuckDBParameter("time", time));
            command.Parameters.Add(new DuckDBParameter("coin", coin));
            using var reader = command.ExecuteReader();
            var quotes = new List<RecordedQuote>();
            while (reader.Read())
            {
                var (instrument, quote) = ReadQuote(reader, 0);
                quotes.Add(new RecordedQuote(instrument, quote, true));
            }
            ReadBoardFromBlocks(connection, coin, time, quotes);
            quotes.Sort(static (a, b) =>
            {
                var byVenue = string.CompareOrdinal(a.Instrument.Venue.Id, b.Instrument.Venue.Id);
                return byVenue != 0 ? byVenue : string.CompareOrdinal(a.Instrument.Symbol, b.Instrument.Symbol);
            });
            return quotes.Count == 0 ? null : new HistoricalBoard(coin, FromMs(time), quotes);
        }, cancellationToken);

    public Task<IReadOnlyList<SeriesPoint>> OptionSeriesAsync(
        Venue venue, string symbol, IReadOnlyList<QuoteField> fields, DateTimeOffset from, DateTimeOffset to, TimeSpan interval,
        CancellationToken cancellationToken)
    {
        if (fields.Count == 0)
            return Task.FromResult<IReadOnlyList<SeriesPoint>>([]);
        var bucket = (long)interval.TotalMilliseconds;
        return RunAsync<IReadOnlyList<SeriesPoint>>(connection =>
        {
            // The file is the truth, not this object's map: another store object over the same file (DuckDB shares one
            // instance per file in a process) may have recorded the option since this one loaded its instruments.
            if (!_instrumentIds.TryGetValue(new InstrumentKey(venue, symbol), out var id) && !LookUpInstrument(connection, venue, symbol, out id))
                return [];
            // The option's rows in the span, ordered by DuckDB and bucketed here. The ORDER BY is what lets DuckDB scan in
            // parallel: a result without one is returned in the table's order (preserve_insertion_order, which the
            // compaction's sorted inserts rely on), collected by one thread. On the 30-day board, 2 cores: 75 ms in
            // DuckDB against 108 without (docs/performance.md, "Both stores on a quiet machine"). A QUALIFY window for the
            // buckets cost more than doing them here. Both quote tables are read here, each with only the columns asked,
            // not through the all_quotes view (whose SELECT * of each table and computed times it does not need): 2 days of
            // one option, 6 fields, 3.9–4.2 against 5.3–5.6 ms in DuckDB; over 30 days the scan's vectors dominate and the
            // two are within the noise (docs/history.md, "The series without the view").
            var columns = "time_ms, " + string.Join(", ", fields.Select(field => FieldColumns[(int)field]));
            var sql = $"SELECT {columns} FROM ("
                + string.Join(" UNION ALL ", QuoteTables.Select(table => $"SELECT {columns} FROM {table} WHERE instrument = $id AND time_ms BETWEEN $from AND $to"))
                + ") ORDER BY time_ms";
            // One transaction: the rows and the blocks from one state of the file, so an hour compacted meanwhile is read once.
            using var transaction = connection.BeginTransaction();
            var rows = new List<SeriesPoint>();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = sql;
                command.Parameters.Add(new DuckDBParameter("id", id));
                command.Parameters.Add(new DuckDBParameter("from", from.ToUnixTimeMilliseconds()));
                command.Parameters.Add(new DuckDBParameter("to", to.ToUnixTimeMilliseconds()));
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var values = new double[fields.Count];
                    for (var i = 0; i < values.Length; i++)
                        values[i] = ReadValue(reader, i + 1);
                    rows.Add(new SeriesPoint(FromMs(reader.GetInt64(0)), values));
                }
            }
            ReadSeriesFromBlocks(connection, id, fields, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), rows);
            // The blocks come in the tables' order (a day's run, then the next), not always the rows' time order.
            if (!IsInTimeOrder(rows))
                rows.Sort(static (a, b) => a.Time.CompareTo(b.Time));
            return bucket <= 0 ? rows : SeriesPoint.LastOfEachBucket(rows, bucket);
        }, cancellationToken);
    }

    public async IAsyncEnumerable<RecordedRow> ReadQuotesAsync(
        string coin, DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A span at a time (within a day, at most 64 snapshots: ExportSpans), each read in one transaction (its rows and
        // its blocks from one state of the file, so an hour compacted or expanded meanwhile is read once): an export of
        // years holds one span in memory.
        var fromMs = from.ToUnixTimeMilliseconds();
        var toMs = to.ToUnixTimeMilliseconds();
        var hours = await RunAsync(connection => SnapshotHours(connection, coin, fromMs, toMs), cancellationToken);
        var spans = ExportSpans.SplitAsync(hours, fromMs, toMs, (first, last) => RunAsync(connection => SnapshotTimes(connection, coin, first, last), cancellationToken));
        await foreach (var (first, last) in spans.WithCancellation(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = await RunAsync(connection => QuotesOfSpan(connection, coin, first, last), cancellationToken);
            foreach (var row in rows)
                yield return row;
        }
    }

    /// <summary>The UTC hours (their start) in which <paramref name="coin"/> has a snapshot in the span, ascending, with the snapshots in each.</summary>
    private static List<(long, long)> SnapshotHours(DuckDBConnection connection, string coin, long fromMs, long toMs)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT time_ms // 3600000 * 3600000 AS hour, count(*) FROM snapshots
            WHERE coin = $coin AND time_ms BETWEEN {Literal(fromMs)} AND {Literal(toMs)} GROUP BY hour ORDER BY hour
            """;
        command.Parameters.Add(new DuckDBParameter("coin", coin));
        using var reader = command.ExecuteReader();
        var hours = new List<(long, long)>();
        while (reader.Read())
            hours.Add((reader.GetInt64(0), reader.GetInt64(1)));
        return hours;
    }

    /// <summary>The snapshot times of <paramref name="coin"/> in [<paramref name="fromMs"/>, <paramref name="toMs"/>], ascending.</summary>
    private static List<long> SnapshotTimes(DuckDBConnection connection, string coin, long fromMs, long toMs)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT time_ms FROM snapshots WHERE coin = $coin AND time_ms BETWEEN {Literal(fromMs)} AND {Literal(toMs)} ORDER BY time_ms";
        command.Parameters.Add(new DuckDBParameter("coin", coin));
        using var reader = command.ExecuteReader();
        var times = new List<long>();
        while (reader.Read())
            times.Add(reader.GetInt64(0));
        return times;
    }

    /// <summary>The quotes of <paramref name="coin"/> in [<paramref name="fromMs"/>, <paramref name="toMs"/>] (an export span), rows and blocks, in (time, venue, symbol) order.</summary>
    private List<RecordedRow> QuotesOfSpan(DuckDBConnection connection, string coin, long fromMs, long toMs)
    {
        using var transaction = connection.BeginTransaction();
        var quotes = new List<RecordedRow>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"""
                SELECT q.time_ms, {QuoteColumns}
                FROM all_quotes q JOIN instruments i ON i.id = q.instrument
                WHERE i.coin = $coin AND q.time_ms BETWEEN {Literal(fromMs)} AND {Literal(toMs)}
                """;
            command.Parameters.Add(new DuckDBParameter("coin", coin));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var (instrument, quote) = ReadQuote(reader, 1);
                quotes.Add(new RecordedRow(FromMs(reader.GetInt64(0)), instrument, quote));
            }
        }
        ReadSpanFromBlocks(connection, coin, fromMs, toMs, quotes);
        quotes.Sort(RecordedRow.CompareByTimeVenueSymbol);
        return quotes;
    }

    public Task<IReadOnlyList<Settlement>> SettlementsAsync(string coin, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<Settlement>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT venue, delivery_ms, price FROM settlements
                WHERE coin = $coin AND delivery_ms BETWEEN $from AND $to ORDER BY delivery_ms, venue
                """;
            command.Parameters.Add(new DuckDBParameter("coin", coin));
            command.Parameters.Add(new DuckDBParameter("from", from.ToUnixTimeMilliseconds()));
            command.Parameters.Add(new DuckDBParameter("to", to.ToUnixTimeMilliseconds()));
            using var reader = command.ExecuteReader();
            var settlements = new List<Settlement>();
            while (reader.Read())
                settlements.Add(new Settlement(Venue.Parse(reader.GetString(0)), coin, FromMs(reader.GetInt64(1)), ReadValue(reader, 2)));
            return settlements;
        }, cancellationToken);

    public Task<IReadOnlyList<RealisedVolatilityPoint>> RealisedVolatilityAsync(
        string coin, int periodDays, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<RealisedVolatilityPoint>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT time_ms, value FROM realised_volatility
                WHERE coin = $coin AND period_days = $period AND time_ms BETWEEN $from AND $to ORDER BY time_ms
                """;
            command.Parameters.Add(new DuckDBParameter("coin", coin));
            command.Parameters.Add(new DuckDBParameter("period", periodDays));
            command.Parameters.Add(new DuckDBParameter("from", from.ToUnixTimeMilliseconds()));
            command.Parameters.Add(new DuckDBParameter("to", to.ToUnixTimeMilliseconds()));
            using var reader = command.ExecuteReader();
            var points = new List<RealisedVolatilityPoint>();
            while (reader.Read())
                points.Add(new RealisedVolatilityPoint(periodDays, ReadValue(reader, 1), FromMs(reader.GetInt64(0))));
            return points;
        }, cancellationToken);

    /// <summary>Reads <see cref="QuoteColumns"/> starting at <paramref name="first"/>.</summary>
    private (OptionInstrument Instrument, OptionQuote Quote) ReadQuote(DbDataReader reader, int first)
    {
        var id = reader.GetInt32(first);
        if (!_instrumentsById.TryGetValue(id, out var instrument) && !RefreshInstruments(id, out instrument))
            throw new InvalidOperationException($"The history file {Path} has a quote of instrument {id}, which it does not list.");
        var quote = new OptionQuote
        {
            ExchangeTimeMs = reader.GetInt64(first + 1),
            ReceivedAtMs = reader.GetInt64(first + 2),
            Status = (ListingStatus)reader.GetByte(first + 3),
            DeliveryPrice = ReadValue(reader, first + 4),
        };
        for (var field = 0; field < QuoteFields.Count; field++)
            quote.Values[field] = ReadValue(reader, first + 5 + field);
        return (instrument, quote);
    }

    /// <summary>The id of an option this object has not seen yet, from the file; its instruments are loaded again if it is there.</summary>
    private bool LookUpInstrument(DuckDBConnection connection, Venue venue, string symbol, out int id)
    {
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id FROM instruments WHERE venue = ? AND symbol = ?";
            command.Parameters.Add(new DuckDBParameter(venue.Id));
            command.Parameters.Add(new DuckDBParameter(symbol));
            if (command.ExecuteScalar() is not int found)
            {
                id = 0;
                return false;
            }
            id = found;
        }
        LoadInstruments(connection, writer: false);
        return true;
    }

    /// <summary>A quote row of an instrument this object has not seen yet (see <see cref="LookUpInstrument"/>): the instruments are loaded again.</summary>
    private bool RefreshInstruments(int id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out OptionInstrument? instrument)
    {
        var lease = Rent();
        try
        {
            LoadInstruments(lease.Connection, writer: false);
        }
        finally
        {
            Return(lease);
        }
        return _instrumentsById.TryGetValue(id, out instrument);
    }

    private static bool IsInTimeOrder(List<SeriesPoint> points)
    {
        for (var i = 1; i < points.Count; i++)
        {
            if (points[i].Time < points[i - 1].Time)
                return false;
        }
        return true;
    }

    /// <summary>A value column: NULL (how NaN is written) reads as NaN.</summary>
    private static double ReadValue(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? double.NaN : reader.GetDouble(ordinal);

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
