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
            await RunAsync(connection =>
            {
                CompactClosedHours(connection, snapshot.Time.ToUnixTimeMilliseconds());
                CompactMeasures(connection, snapshot.Time.ToUnixTimeMilliseconds());
                return WriteSnapshot(connection, snapshot);
            }, cancellationToken);
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

            var measureIds = new int[snapshot.Measures.Count];
            var addedMeasures = MeasureIdsFor(connection, snapshot, coins, measureIds);
            var wroteMeasures = false;
            using (var appender = connection.CreateAppender("measures_recent"))
            {
                for (var i = 0; i < measureIds.Length; i++)
                {
                    if (measureIds[i] < 0)
                        continue;
                    AppendValue(appender.CreateRow().AppendValue(measureIds[i]).AppendValue(time), snapshot.Measures[i].Value).EndRow();
                    wroteMeasures = true;
                }
            }
            using (var appender = connection.CreateAppender("snapshots"))
            {
                foreach (var coin in coins)
                    appender.CreateRow().AppendValue(time).AppendValue(coin).AppendValue(counts.GetValueOrDefault(coin)).EndRow();
            }
            // The new ids join the id → instrument map before the commit: a reader may see the committed rows at once,
            // and must find their instruments. If the commit fails they are taken out again (no row refers to them).
            var previous = changed.Select(c => (c.Id, _instrumentsById[c.Id])).ToList();
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
            _recentOldestMs = Math.Min(_recentOldestMs, time);
            MeasuresCommitted(addedMeasures, time, wroteMeasures);
        }
        // The (venue, symbol) → id map is the writer's (and the series' lookup): only what committed joins it.
        foreach (var (id, instrument) in added)
            _instrumentIds[instrument.Key] = id;
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
            && a.Status == b.Status && a.TickSize.Equals(b.TickSize) && a.QtyStep.Equals(b.QtyStep) && a.PriceCurrency == b.PriceCurrency);

    private static void UpdateInstrument(DuckDBConnection connection, int id, OptionInstrument instrument)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE instruments SET coin = ?, settle_coin = ?, expiry_ms = ?, strike = ?, type = ?, tick_size = ?, qty_step = ?, status = ?, price_currency = ?
            WHERE id = ?
            """;
        command.Parameters.Add(new DuckDBParameter(instrument.BaseCoin));
        command.Parameters.Add(new DuckDBParameter((object?)instrument.SettleCoin ?? DBNull.Value));
        command.Parameters.Add(new DuckDBParameter(instrument.ExpiryUtc.ToUnixTimeMilliseconds()));
        command.Parameters.Add(new DuckDBParameter(instrument.Strike.ToString(CultureInfo.InvariantCulture)));
        command.Parameters.Add(new DuckDBParameter(instrument.Type == OptionType.Put ? "P" : "C"));
        command.Parameters.Add(ValueParameter(instrument.TickSize));
        command.Parameters.Add(ValueParameter(instrument.QtyStep));
        command.Parameters.Add(new DuckDBParameter(ListingStatuses.Name(instrument.Status)));
        command.Parameters.Add(new DuckDBParameter((object?)instrument.PriceCurrency ?? DBNull.Value));
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
                .AppendValue(double.IsNaN(instrument.TickSize) ? null : instrument.TickSize)
                .AppendValue(double.IsNaN(instrument.QtyStep) ? null : instrument.QtyStep)
                .AppendValue(ListingStatuses.Name(instrument.Status))
                .AppendValue(instrument.PriceCurrency)
                .EndRow();
        }
    }

    private static void AppendQuote(DuckDBAppender appender, long time, int id, in OptionQuote quote)
    {
        var row = appender.CreateRow()
            .AppendValue(time)
            .AppendValue(id)
            .AppendValue(time - quote.ExchangeTimeMs)
            .AppendValue(quote.ReceivedAtMs - quote.ExchangeTimeMs)
            .AppendValue((byte)quote.Status);
        AppendValue(row, quote.DeliveryPrice);
        for (var field = 0; field < QuoteFields.Count; field++)
            AppendValue(row, quote.Values[field]);
        row.EndRow();
    }

    /// <summary>NaN (not sent) is written as NULL; <see cref="ReadValue"/> reads it back as NaN.</summary>
    private static IDuckDBAppenderRow AppendValue(IDuckDBAppenderRow row, double value) =>
        double.IsNaN(value) ? row.AppendNullValue() : row.AppendValue(value);

    /// <summary>A parameter for a value: NULL for NaN, as in every table.</summary>
    private static DuckDBParameter ValueParameter(double value) => new(double.IsNaN(value) ? DBNull.Value : value);

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
                    command.Parameters.Add(ValueParameter(settlement.Price));
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
                // A backfill is years of points (140,000 a coin for two years at 5 minutes): one INSERT a row cost ~7 ms
                // each. The Appender fills a temporary table of this connection, and one statement moves the rows, keeping
                // the first of each time and skipping those already stored (idempotent by time, like every write).
                using (var create = connection.CreateCommand())
                {
                    create.CommandText = """
                        CREATE TEMP TABLE IF NOT EXISTS realised_volatility_staging (ordinal INTEGER, coin VARCHAR, period_days INTEGER, time_ms BIGINT, value DOUBLE);
                        DELETE FROM realised_volatility_staging;
                        """;
                    create.ExecuteNonQuery();
                }
                using (var appender = connection.CreateAppender("temp", "main", "realised_volatility_staging"))
                {
                    for (var i = 0; i < points.Count; i++)
                    {
                        var point = points[i];
                        var row = appender.CreateRow().AppendValue(i).AppendValue(coin).AppendValue(point.PeriodDays).AppendValue(point.Time.ToUnixTimeMilliseconds());
                        AppendValue(row, point.Value).EndRow();
                    }
                }
                using var transaction = connection.BeginTransaction();
                using (var command = connection.CreateCommand())
                {
                    command.CommandText = """
                        INSERT INTO realised_volatility
                        SELECT coin, period_days, time_ms, value FROM realised_volatility_staging
                        QUALIFY row_number() OVER (PARTITION BY coin, period_days, time_ms ORDER BY ordinal) = 1
                        ON CONFLICT DO NOTHING
                        """;
                    command.ExecuteNonQuery();
                }
                transaction.Commit();
                using (var clear = connection.CreateCommand())
                {
                    clear.CommandText = "DELETE FROM realised_volatility_staging";
                    clear.ExecuteNonQuery();
                }
                return true;
            }, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
