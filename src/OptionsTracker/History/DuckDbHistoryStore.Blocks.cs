using System.Data.Common;
using DuckDB.NET.Data;
using OptionsTracker.Book;

namespace OptionsTracker.History;

// Closed hours as blocks (schema 4; docs/history.md, "Closed hours as blocks"). The hour being recorded is rows in
// quotes_recent, one per option and snapshot, as the recorder writes them. Before the first snapshot of a new hour the
// closed hours become blocks (QuoteBlock: one option's snapshots of one hour, at most 64, compressed losslessly) in
// quote_hours, an hour's blocks in option order; before the first snapshot of a new UTC day the closed days' blocks move
// to quote_days as one run per day ordered by option then time. A series then reads an option's 24 blocks of a day from
// one or two of DuckDB's 2,048-row vectors, and the chain at an instant the day's blocks holding that instant (DuckDB
// reads a blob column a whole vector at a time, so where an option's blocks lie is what a read costs). Rows of the
// schema-3 layout (closed hours sorted in quotes) and of hours thinned by retention stay rows in quotes; every read
// takes both.
public sealed partial class DuckDbHistoryStore
{

    /// <summary>The tables of blocks: closed days (a run a day, by option then time), closed hours of the open day.</summary>
    private static readonly string[] BlockTables = ["quote_days", "quote_hours"];

    // The oldest block's start in quote_hours (long.MaxValue when empty); the writer's, under _writeGate.
    private long _hoursOldestMs = long.MaxValue;

    /// <summary>
    /// Encodes the recent quotes older than <paramref name="beforeMs"/> as blocks into quote_hours and deletes them from
    /// quotes_recent, in the caller's transaction. Returns the number of rows moved.
    /// </summary>
    private long EncodeRecentIntoBlocks(DuckDBConnection connection, long beforeMs)
    {
        var builder = new QuoteBlockBuilder();
        var fields = new double[QuoteFields.Count];
        long moved = 0;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"""
                SELECT instrument, time_ms, exchange_age_ms, receive_lag_ms, status, delivery_price, {string.Join(", ", FieldColumns)}
                FROM quotes_recent WHERE time_ms < $before ORDER BY instrument, time_ms
                """;
            command.Parameters.Add(new DuckDBParameter("before", beforeMs));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                for (var field = 0; field < fields.Length; field++)
                    fields[field] = ReadValue(reader, 6 + field);
                builder.Add(reader.GetInt32(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetByte(4), ReadValue(reader, 5), fields);
                moved++;
            }
        }
        var blocks = builder.Finish();
        if (blocks.Count == 0)
            return 0;
        AppendBlocks(connection, "quote_hours", blocks);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "DELETE FROM quotes_recent WHERE time_ms < $before";
            command.Parameters.Add(new DuckDBParameter("before", beforeMs));
            command.ExecuteNonQuery();
        }
        return moved;
    }

    /// <summary>Appends <paramref name="blocks"/> to <paramref name="table"/>, an hour at a time in option order (the zone maps of an hour's blocks stay narrow).</summary>
    private void AppendBlocks(DuckDBConnection connection, string table, List<EncodedBlock> blocks)
    {
        blocks.Sort(static (a, b) =>
        {
            var byHour = QuoteBlockBuilder.HourStart(a.FirstMs).CompareTo(QuoteBlockBuilder.HourStart(b.FirstMs));
            return byHour != 0 ? byHour : a.Instrument != b.Instrument ? a.Instrument.CompareTo(b.Instrument) : a.FirstMs.CompareTo(b.FirstMs);
        });
        using (var appender = connection.CreateAppender(table))
        {
            foreach (var block in blocks)
                appender.CreateRow().AppendValue(block.FirstMs).AppendValue(block.LastMs).AppendValue(block.Instrument).AppendValue(block.Bytes).EndRow();
        }
        if (table == "quote_hours")
            _hoursOldestMs = Math.Min(_hoursOldestMs, blocks[0].FirstMs);
    }

    /// <summary>
    /// Before the first snapshot of a new UTC day: the closed days' blocks move from quote_hours to quote_days as one run
    /// ordered by day, option, then time, in one transaction (a reader sees them in one table or the other).
    /// </summary>
    private void MoveClosedDays(DuckDBConnection connection, long snapshotMs)
    {
        var dayStart = snapshotMs - (((snapshotMs % DayMs) + DayMs) % DayMs);
        if (_hoursOldestMs >= dayStart)
            return;
        using (var transaction = connection.BeginTransaction())
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO quote_days SELECT * FROM quote_hours WHERE first_ms < $day ORDER BY first_ms // 86400000, instrument, first_ms;
                DELETE FROM quote_hours WHERE first_ms < $day;
                """;
            command.Parameters.Add(new DuckDBParameter("day", dayStart));
            command.ExecuteNonQuery();
            transaction.Commit();
        }
        _hoursOldestMs = HoursOldest(connection);
    }

    private static long HoursOldest(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(min(first_ms), 9223372036854775807) FROM quote_hours";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Retention: every block starting before <paramref name="fullCutMs"/> becomes rows of quotes, without the snapshots
    /// in the <c>retired</c> temp table (which the rows' deletion then leaves alone), and is deleted: thinned hours are
    /// one snapshot an hour, which rows hold as well as a block, and the row path thins them further as they age.
    /// </summary>
    private long ExpandBlocksBefore(DuckDBConnection connection, long fullCutMs)
    {
        var retired = new HashSet<(long, string)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT time_ms, coin FROM retired";
            using var reader = command.ExecuteReader();
            while (reader.Read())
                retired.Add((reader.GetInt64(0), reader.GetString(1)));
        }
        var kept = new List<(long Time, int Instrument, OptionQuote Quote)>();
        long removed = 0;
        foreach (var table in BlockTables)
        {
            using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT instrument, block FROM {table} WHERE first_ms < {Literal(fullCutMs)}";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var id = reader.GetInt32(0);
                    var instrument = InstrumentOf(id);
                    var decoded = new DecodedBlock(ReadBlob(reader, 1));
                    for (var row = 0; row < decoded.Count; row++)
                    {
                        if (retired.Contains((decoded.Times[row], instrument.BaseCoin)))
                        {
                            removed++;
                            continue;
                        }
                        kept.Add((decoded.Times[row], id, decoded.Quote(row)));
                    }
                }
            }
            using (var command = connection.CreateCommand())
            {
                command.CommandText = $"DELETE FROM {table} WHERE first_ms < $full";
                command.Parameters.Add(new DuckDBParameter("full", fullCutMs));
                command.ExecuteNonQuery();
            }
        }
        if (kept.Count > 0)
        {
            kept.Sort(static (a, b) => a.Instrument != b.Instrument ? a.Instrument.CompareTo(b.Instrument) : a.Time.CompareTo(b.Time));
            using var appender = connection.CreateAppender("quotes");
            foreach (var (time, id, quote) in kept)
                AppendQuote(appender, time, id, quote);
        }
        _hoursOldestMs = HoursOldest(connection);
        return removed;
    }

    /// <summary>The blocks of <paramref name="coin"/> holding <paramref name="time"/>: each option's quote at that time.</summary>
    private void ReadBoardFromBlocks(DuckDBConnection connection, string coin, long time, List<RecordedQuote> into)
    {
        using var command = connection.CreateCommand();
        // Times and ids are written into the SQL as numbers (never text from outside): DuckDB prunes row groups by their
        // zone maps for a literal, not for a parameter of a prepared statement (the chain on a 30-day file: 8 against
        // 37-70 ms in DuckDB; docs/history.md, "Closed hours as blocks").
        command.CommandText = string.Join(" UNION ALL ", BlockTables.Select(table => $"""
            SELECT instrument, block FROM {table}
            WHERE first_ms <= {Literal(time)} AND last_ms >= {Literal(time)} AND instrument IN (SELECT id FROM instruments WHERE coin = $coin)
            """));
        command.Parameters.Add(new DuckDBParameter("coin", coin));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            // An option listed or removed within the block's span has no quote at a time it was not in the board.
            if (QuoteBlock.TryQuoteAt(ReadBlob(reader, 1), time, out var quote))
                into.Add(new RecordedQuote(InstrumentOf(reader.GetInt32(0)), quote, true));
        }
    }

    /// <summary>The option's points from blocks in [<paramref name="fromMs"/>, <paramref name="toMs"/>], the <paramref name="fields"/> asked only.</summary>
    private static void ReadSeriesFromBlocks(
        DuckDBConnection connection, int id, IReadOnlyList<QuoteField> fields, long fromMs, long toMs, List<SeriesPoint> into)
    {
        using var command = connection.CreateCommand();
        command.CommandText = string.Join(" UNION ALL ", BlockTables.Select(table =>
            $"SELECT block FROM {table} WHERE instrument = {Literal(id)} AND last_ms >= {Literal(fromMs)} AND first_ms <= {Literal(toMs)}"));
        using var reader = command.ExecuteReader();
        while (reader.Read())
            QuoteBlock.AddSeriesPoints(ReadBlob(reader, 0), fields, fromMs, toMs, into);
    }

    /// <summary>The quotes held in blocks of <paramref name="coin"/> in [<paramref name="fromMs"/>, <paramref name="toMs"/>] (an export span: within a day).</summary>
    private void ReadSpanFromBlocks(DuckDBConnection connection, string coin, long fromMs, long toMs, List<RecordedRow> into)
    {
        // A block lies within one hour: none starting before the span's first hour reaches into it.
        var hour = QuoteBlockBuilder.HourStart(fromMs);
        using var command = connection.CreateCommand();
        command.CommandText = string.Join(" UNION ALL ", BlockTables.Select(table => $"""
            SELECT instrument, block FROM {table}
            WHERE first_ms >= {Literal(hour)} AND first_ms <= {Literal(toMs)} AND last_ms >= {Literal(fromMs)}
                AND instrument IN (SELECT id FROM instruments WHERE coin = $coin)
            """));
        command.Parameters.Add(new DuckDBParameter("coin", coin));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var instrument = InstrumentOf(reader.GetInt32(0));
            var decoded = new DecodedBlock(ReadBlob(reader, 1));
            for (var row = 0; row < decoded.Count; row++)
            {
                var time = decoded.Times[row];
                if (time >= fromMs && time <= toMs)
                    into.Add(new RecordedRow(FromMs(time), instrument, decoded.Quote(row)));
            }
        }
    }

    /// <summary>The number of quotes per (time, coin) held in blocks (for <see cref="CheckSnapshotsAsync"/>).</summary>
    private Dictionary<(long Time, string Coin), long> CountBlockQuotes(DuckDBConnection connection)
    {
        var counts = new Dictionary<(long, string), long>();
        using var command = connection.CreateCommand();
        command.CommandText = string.Join(" UNION ALL ", BlockTables.Select(table => $"SELECT instrument, block FROM {table}"));
        using var reader = command.ExecuteReader();
        Span<long> times = stackalloc long[QuoteBlock.MaxRows];
        while (reader.Read())
        {
            var coin = InstrumentOf(reader.GetInt32(0)).BaseCoin;
            var blockReader = new QuoteBlockReader(ReadBlob(reader, 1));
            blockReader.ReadIntegers(QuoteBlock.TimeColumn, times);
            for (var row = 0; row < blockReader.Count; row++)
                counts[(times[row], coin)] = counts.GetValueOrDefault((times[row], coin)) + 1;
        }
        return counts;
    }

    private OptionInstrument InstrumentOf(int id) =>
        _instrumentsById.TryGetValue(id, out var instrument) || RefreshInstruments(id, out instrument)
            ? instrument
            : throw new InvalidOperationException($"The history file {Path} has a quote of instrument {id}, which it does not list.");

    private static byte[] ReadBlob(DbDataReader reader, int ordinal)
    {
        using var stream = reader.GetStream(ordinal);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static string Literal(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
