using System.Globalization;
using DuckDB.NET.Data;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.History;

public sealed partial class DuckDbHistoryStore
{
    private int _nextInstrumentId;

    public async Task WriteSnapshotAsync(BoardSnapshot snapshot, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await RunAsync(connection => WriteSnapshot(connection, snapshot), cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// One transaction: the coins not yet recorded at this time get their instruments (new ones), quotes, measures and
    /// snapshot marker; a coin whose marker is there is skipped (a retry of a write that did commit). Readers see all of
    /// it at the commit or none of it (DuckDB's MVCC).
    /// </summary>
    private bool WriteSnapshot(DuckDBConnection connection, BoardSnapshot snapshot)
    {
        var time = snapshot.Time.ToUnixTimeMilliseconds();
        var added = new List<(int Id, OptionInstrument Instrument)>();
        var changed = new List<(int Id, OptionInstrument Instrument)>();
        using (var transaction = connection.BeginTransaction())
        {
            var coins = CoinsToWrite(connection, snapshot, time);
            if (coins.Count == 0)
                return false;

            var nextId = _nextInstrumentId;
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            var pending = new Dictionary<InstrumentKey, int>();
            // First the ids (new and changed instruments), then the rows: no command runs while an appender is open.
            var ids = new int[snapshot.Quotes.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                var instrument = snapshot.Quotes[i].Instrument;
                if (!coins.Contains(instrument.BaseCoin))
                {
                    ids[i] = -1;
                    continue;
                }
                if (!pending.TryGetValue(instrument.Key, out var id))
                {
                    if (!_instrumentIds.TryGetValue(instrument.Key, out id))
                    {
                        id = nextId++;
                        added.Add((id, instrument));
                    }
                    else if (!SameInstrument(_instrumentsById[id], instrument))
                    {
                        // Its listing changed (a new tick size, say): the row is updated, keeping its id.
                        UpdateInstrument(connection, id, instrument);
                        changed.Add((id, instrument));
                    }
                    pending[instrument.Key] = id;
                }
                ids[i] = id;
                counts[instrument.BaseCoin] = counts.GetValueOrDefault(instrument.BaseCoin) + 1;
            }
            InsertInstruments(connection, added);
            using (var appender = connection.CreateAppender("quotes_recent"))
            {
                for (var i = 0; i < ids.Length; i++)
                {
                    if (ids[i] >= 0)
                        AppendQuote(appender, time, ids[i], snapshot.Quotes[i].Quote);
                }
            }

            using (var appender = connection.CreateAppender("measures"))
            {
                foreach (var measure in snapshot.Measures)
                {
                    if (coins.Contains(measure.Coin))
                        appender.CreateRow().AppendValue(time).AppendValue(measure.Coin).AppendValue(measure.Name).AppendValue(measure.Value).EndRow();
                }
            }
            using (var appender = connection.CreateAppender("snapshots"))
            {
                foreach (var coin in coins)
                    appender.CreateRow().AppendValue(time).AppendValue(coin).AppendValue(counts.GetValueOrDefault(coin)).EndRow();
            }
            transaction.Commit();
            _nextInstrumentId = nextId;
        }
        // Only what committed joins the cache: a failed write leaves the ids it would have used free.
        foreach (var (id, instrument) in added.Concat(changed))
        {
            _instrumentsById[id] = instrument;
            _instrumentIds[instrument.Key] = id;
        }
        return true;
    }

    private static HashSet<string> CoinsToWrite(DuckDBConnection connection, BoardSnapshot snapshot, long time)
    {
        var coins = new HashSet<string>(snapshot.Coins, StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coin FROM snapshots WHERE time_ms = ?";
        command.Parameters.Add(new DuckDBParameter(time));
        using var reader = command.ExecuteReader();
        while (reader.Read())
            coins.Remove(reader.GetString(0));
        return coins;
    }

    private static bool SameInstrument(OptionInstrument a, OptionInstrument b) =>
        ReferenceEquals(a, b)
        || (a.BaseCoin == b.BaseCoin && a.SettleCoin == b.SettleCoin && a.ExpiryUtc == b.ExpiryUtc && a.Strike == b.Strike && a.Type == b.Type
            && a.Status == b.Status && a.TickSize.Equals(b.TickSize) && a.QtyStep.Equals(b.QtyStep));

    private static void UpdateInstrument(DuckDBConnection connection, int id, OptionInstrument instrument)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE instruments SET coin = ?, settle_coin = ?, expiry_ms = ?, strike = ?, type = ?, tick_size = ?, qty_step = ?, status = ?
            WHERE id = ?
            """;
        command.Parameters.Add(new DuckDBParameter(instrument.BaseCoin));
        command.Parameters.Add(new DuckDBParameter((object?)instrument.SettleCoin ?? DBNull.Value));
        command.Parameters.Add(new DuckDBParameter(instrument.ExpiryUtc.ToUnixTimeMilliseconds()));
        command.Parameters.Add(new DuckDBParameter(instrument.Strike.ToString(CultureInfo.InvariantCulture)));
        command.Parameters.Add(new DuckDBParameter(instrument.Type == OptionType.Put ? "P" : "C"));
        command.Parameters.Add(new DuckDBParameter(instrument.TickSize));
        command.Parameters.Add(new DuckDBParameter(instrument.QtyStep));
        command.Parameters.Add(new DuckDBParameter(ListingStatuses.Name(instrument.Status)));
        command.Parameters.Add(new DuckDBParameter(id));
        command.ExecuteNonQuery();
    }

    private static void InsertInstruments(DuckDBConnection connection, List<(int Id, OptionInstrument Instrument)> added)
    {
        if (added.Count == 0)
            return;
        using var appender = connection.CreateAppender("instruments");
        foreach (var (id, instrument) in added)
        {
            appender.CreateRow()
                .AppendValue(id)
                .AppendValue(instrument.Venue.Id)
                .AppendValue(instrument.Symbol)
                .AppendValue(instrument.BaseCoin)
                .AppendValue(instrument.SettleCoin)
                .AppendValue(instrument.ExpiryUtc.ToUnixTimeMilliseconds())
                .AppendValue(instrument.Strike.ToString(CultureInfo.InvariantCulture))
                .AppendValue(instrument.Type == OptionType.Put ? "P" : "C")
                .AppendValue(instrument.TickSize)
                .AppendValue(instrument.QtyStep)
                .AppendValue(ListingStatuses.Name(instrument.Status))
                .EndRow();
        }
    }

    private static void AppendQuote(DuckDBAppender appender, long time, int id, in OptionQuote quote)
    {
        var row = appender.CreateRow()
            .AppendValue(time)
            .AppendValue(id)
            .AppendValue(quote.ExchangeTimeMs)
            .AppendValue(quote.ReceivedAtMs)
            .AppendValue((byte)quote.Status)
            .AppendValue(quote.DeliveryPrice);
        for (var field = 0; field < QuoteFields.Count; field++)
            row.AppendValue(quote.Values[field]);
        row.EndRow();
    }

    public async Task WriteSettlementsAsync(IReadOnlyList<Settlement> settlements, CancellationToken cancellationToken)
    {
        if (settlements.Count == 0)
            return;
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await RunAsync(connection =>
            {
                using var transaction = connection.BeginTransaction();
                using var command = connection.CreateCommand();
                command.CommandText = "INSERT INTO settlements VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";
                foreach (var settlement in settlements)
                {
                    command.Parameters.Clear();
                    command.Parameters.Add(new DuckDBParameter(settlement.Venue.Id));
                    command.Parameters.Add(new DuckDBParameter(settlement.Coin));
                    command.Parameters.Add(new DuckDBParameter(settlement.DeliveryTime.ToUnixTimeMilliseconds()));
                    command.Parameters.Add(new DuckDBParameter(settlement.Price));
                    command.ExecuteNonQuery();
                }
                transaction.Commit();
                return true;
            }, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task WriteRealisedVolatilityAsync(string coin, IReadOnlyList<RealisedVolatilityPoint> points, CancellationToken cancellationToken)
    {
        if (points.Count == 0)
            return;
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await RunAsync(connection =>
            {
                using var transaction = connection.BeginTransaction();
                using var command = connection.CreateCommand();
                command.CommandText = "INSERT INTO realised_volatility VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";
                foreach (var point in points)
                {
                    command.Parameters.Clear();
                    command.Parameters.Add(new DuckDBParameter(coin));
                    command.Parameters.Add(new DuckDBParameter(point.PeriodDays));
                    command.Parameters.Add(new DuckDBParameter(point.Time.ToUnixTimeMilliseconds()));
                    command.Parameters.Add(new DuckDBParameter(point.Value));
                    command.ExecuteNonQuery();
                }
                transaction.Commit();
                return true;
            }, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
