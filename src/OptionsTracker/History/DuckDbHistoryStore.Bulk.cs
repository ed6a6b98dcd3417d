using DuckDB.NET.Data;
using OptionsTracker.Book;

namespace OptionsTracker.History;

// The bulk path (IHistoryBulkWriter): a generated history of hours at a time. The quotes go straight into blocks of
// closed hours (what the hourly compaction would make of them), so the batch is written once instead of three times
// (recent table, blocks, deletion), and one transaction carries many snapshots instead of one.
public sealed partial class DuckDbHistoryStore : IHistoryBulkWriter
{
    public async Task WriteSnapshotsAsync(IReadOnlyList<BoardSnapshot> snapshots, CancellationToken cancellationToken)
    {
        if (snapshots.Count == 0)
            return;
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await RunAsync(connection =>
            {
                var first = snapshots[0].Time.ToUnixTimeMilliseconds();
                CompactClosedHours(connection, first);
                CompactMeasures(connection, first);
                WriteSnapshots(connection, snapshots);
                return true;
            }, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void WriteSnapshots(DuckDBConnection connection, IReadOnlyList<BoardSnapshot> snapshots)
    {
        var firstMs = snapshots[0].Time.ToUnixTimeMilliseconds();
        var lastMs = snapshots[^1].Time.ToUnixTimeMilliseconds();
        var added = new List<(int Id, OptionInstrument Instrument)>();
        var changed = new List<(int Id, OptionInstrument Instrument)>();
        var addedMeasures = new List<((string Coin, string Name) Key, int Id)>();
        var wroteMeasures = false;
        using var transaction = connection.BeginTransaction();

        // The (time, coin) pairs already recorded in the batch's span: skipped, as a single write skips them.
        var recorded = new HashSet<(long, string)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT time_ms, coin FROM snapshots WHERE time_ms BETWEEN $first AND $last";
            command.Parameters.Add(new DuckDBParameter("first", firstMs));
            command.Parameters.Add(new DuckDBParameter("last", lastMs));
            using var reader = command.ExecuteReader();
            while (reader.Read())
                recorded.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        var nextId = _nextInstrumentId;
        var pending = new Dictionary<InstrumentKey, int>();
        var known = new Dictionary<int, OptionInstrument>();
        // Rows to write: (snapshot, quote) with the instrument id, sorted below into the compacted order.
        var rows = new List<(long Hour, int Id, long Time, int Snapshot, int Quote)>();
        var markers = new List<(long Time, string Coin, int Options)>();
        var measureRows = new List<(int Id, long Time, double Value)>();
        var nextMeasure = _nextMeasureId;
        var pendingMeasures = new Dictionary<(string, string), int>();
        for (var s = 0; s < snapshots.Count; s++)
        {
            var snapshot = snapshots[s];
            var time = snapshot.Time.ToUnixTimeMilliseconds();
            var coins = new HashSet<string>(snapshot.Coins.Where(c => !recorded.Contains((time, c))), StringComparer.Ordinal);
            if (coins.Count == 0)
                continue;
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var q = 0; q < snapshot.Quotes.Count; q++)
            {
                var instrument = snapshot.Quotes[q].Instrument;
                if (!coins.Contains(instrument.BaseCoin))
                    continue;
                if (!pending.TryGetValue(instrument.Key, out var id))
                {
                    if (!_instrumentIds.TryGetValue(instrument.Key, out id))
                    {
                        id = nextId++;
                        added.Add((id, instrument));
                    }
                    pending[instrument.Key] = id;
                }
                var current = known.TryGetValue(id, out var seen) ? seen : _instrumentsById.GetValueOrDefault(id);
                if (current is not null && !SameInstrument(current, instrument))
                {
                    // Listed in this batch: its row is not written yet, so it is written as it is now.
                    var index = added.FindIndex(a => a.Id == id);
                    if (index >= 0)
                    {
                        added[index] = (id, instrument);
                    }
                    else
                    {
                        UpdateInstrument(connection, id, instrument);
                        changed.Add((id, instrument));
                    }
                }
                known[id] = instrument;
                rows.Add((QuoteBlockBuilder.HourStart(time), id, time, s, q));
                counts[instrument.BaseCoin] = counts.GetValueOrDefault(instrument.BaseCoin) + 1;
            }
            foreach (var measure in snapshot.Measures)
            {
                if (!coins.Contains(measure.Coin))
                    continue;
                var key = (measure.Coin, measure.Name);
                if (!_measureIds.TryGetValue(key, out var id) && !pendingMeasures.TryGetValue(key, out id))
                {
                    id = nextMeasure++;
                    pendingMeasures[key] = id;
                    addedMeasures.Add((key, id));
                }
                measureRows.Add((id, time, measure.Value));
            }
            foreach (var coin in coins)
                markers.Add((time, coin, counts.GetValueOrDefault(coin)));
        }
        if (markers.Count == 0)
            return;

        InsertInstruments(connection, added);
        rows.Sort(static (a, b) => a.Hour != b.Hour ? a.Hour.CompareTo(b.Hour) : a.Id != b.Id ? a.Id.CompareTo(b.Id) : a.Time.CompareTo(b.Time));
        // Straight into blocks (what the hourly compaction makes of rows), one per option and hour (at most 64 snapshots).
        var builder = new QuoteBlockBuilder();
        foreach (var row in rows)
            builder.Add(row.Id, row.Time, snapshots[row.Snapshot].Quotes[row.Quote].Quote);
        var blocks = builder.Finish();
        if (blocks.Count > 0)
            AppendBlocks(connection, "quote_hours", blocks);
        if (addedMeasures.Count > 0)
        {
            using var appender = connection.CreateAppender("measure_names");
            foreach (var ((coin, name), id) in addedMeasures)
                appender.CreateRow().AppendValue(id).AppendValue(coin).AppendValue(name).EndRow();
        }
        using (var appender = connection.CreateAppender("measures_recent"))
        {
            foreach (var (id, time, value) in measureRows)
            {
                AppendValue(appender.CreateRow().AppendValue(id).AppendValue(time), value).EndRow();
                wroteMeasures = true;
            }
        }
        using (var appender = connection.CreateAppender("snapshots"))
        {
            foreach (var (time, coin, options) in markers)
                appender.CreateRow().AppendValue(time).AppendValue(coin).AppendValue(options).EndRow();
        }
        // As in a single write: the new instruments are known to readers before the commit, taken out if it fails.
        var previous = changed.Select(c => c.Id).Distinct().Select(id => (id, _instrumentsById[id])).ToList();
        foreach (var (id, instrument) in added.Concat(changed))
            _instrumentsById[id] = instrument;
        try
        {
            transaction.Commit();
        }
        catch
        {
            foreach (var (id, _) in added)
                _instrumentsById.TryRemove(id, out _);
            foreach (var (id, instrument) in previous)
                _instrumentsById[id] = instrument;
            throw;
        }
        _nextInstrumentId = nextId;
        foreach (var (id, instrument) in added)
            _instrumentIds[instrument.Key] = id;
        MeasuresCommitted(addedMeasures, firstMs, wroteMeasures);
    }
}
