using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.History;

/// <summary>
/// The history in PostgreSQL (<c>History:Postgres</c>), shared by every instance of a deployment: the active
/// collector writes, every <c>web</c> instance reads the same database. Layout (docs/history.md, "The PostgreSQL
/// store"): quotes in a table partitioned by UTC day (one row per option per snapshot, the instrument by a 4-byte id,
/// a missing value as SQL NULL) until their hour closes, then as QuoteBlocks (PostgresHistoryStore.Blocks.cs), measures
/// in a table partitioned by UTC month, a table of snapshot times that makes a write idempotent and a read choose its
/// snapshot. Writes go through binary COPY inside one transaction per snapshot, so a reader sees all of a snapshot or
/// none of it. Retention compacts closed hours, drops whole day partitions and rewrites old ones to the first snapshot
/// of each hour (<see cref="ApplyRetentionAsync"/>).
/// <para>
/// Connection: a pool of its own (<see cref="NpgsqlDataSource"/>) with short defaults unless the connection string sets
/// them (connect in 5 s, a command in 30 s), so an unreachable server fails an operation quickly instead of hanging
/// the recorder or a request; Npgsql's pool replaces broken connections when the server comes back, and an operation
/// that meets a connection broken by a restart is retried once (every operation here is idempotent).
/// </para>
/// </summary>
public sealed partial class PostgresHistoryStore : IHistoryStore
{
    /// <summary>Columns of the quote values, in <see cref="QuoteField"/> order (append only, as the enum).</summary>
    internal static readonly string[] ValueColumns =
    [
        "bid_price", "bid_size", "bid_iv", "ask_price", "ask_size", "ask_iv", "last_price", "high_price_24h", "low_price_24h",
        "mark_price", "index_price", "mark_iv", "underlying_price", "open_interest", "turnover_24h", "volume_24h", "total_volume",
        "total_turnover", "delta", "gamma", "vega", "theta", "predicted_delivery_price", "change_24h",
    ];

    // 8-byte columns first, then the 4- and 2-byte ones: no alignment padding inside a row.
    private static readonly string QuoteColumns =
        "time, exchange_time_ms, received_at_ms, delivery_price, " + string.Join(", ", ValueColumns) + ", instrument_id, status";

    // Serialises schema creation between processes (a collector and web instances starting together): any constant
    // the deployment does not use for another advisory lock.
    private const long SchemaLockKey = 0x4F54_4869_7374; // "OTHist"
    // 2: measures indexed by (measure, time) including the value (a series is an index-only range scan), replacing the
    // separate indexes on measure and on time (version 1); upgraded in place by the schema statements.
    // 3: the instruments' price currency (PriceCurrencySchema, a step of its own after the schema).
    private const int SchemaVersion = 3;

    private readonly ILogger<PostgresHistoryStore> _logger;
    private readonly NpgsqlDataSource _dataSource;
    private readonly SemaphoreSlim _openLock = new(1, 1);
    private volatile HistorySource? _opened;

    // Ids of the instruments and measure names written or read so far. Rows refer to them by id (4 bytes instead of
    // two strings in every row); ids are never reused or changed, so a cached id stays right.
    private readonly ConcurrentDictionary<InstrumentKey, int> _instrumentIds = new();
    private readonly ConcurrentDictionary<int, OptionInstrument> _instruments = new();
    private readonly ConcurrentDictionary<(string Coin, string Name), int> _measureIds = new();

    // Partitions known to exist (quotes: UTC day; measures: first day of the UTC month). Created outside the snapshot's
    // transaction (DDL locks the parent table), once per process per period.
    private readonly ConcurrentDictionary<DateOnly, bool> _quoteDays = new();
    private readonly ConcurrentDictionary<DateOnly, bool> _measureMonths = new();

    public PostgresHistoryStore(IOptions<HistoryOptions> options, ILogger<PostgresHistoryStore> logger)
    {
        _logger = logger;
        ConnectionString = options.Value.Postgres ?? throw new InvalidOperationException("History:Postgres is not set.");
        _dataSource = new NpgsqlDataSourceBuilder(WithDefaults(ConnectionString)).Build();
    }

    public string Name => "postgres";

    public string ConnectionString { get; }

    /// <summary>
    /// The connection string with the store's defaults where it says nothing: connect within 5 s (Npgsql's 15 s would
    /// hold the recorder three times as long on a dead host), an application name for pg_stat_activity.
    /// </summary>
    internal static string WithDefaults(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("Timeout"))
            builder.Timeout = 5;
        if (!given.ContainsKey("Command Timeout") && !given.ContainsKey("CommandTimeout"))
            builder.CommandTimeout = 30;
        if (!given.ContainsKey("Application Name") && !given.ContainsKey("ApplicationName"))
            builder.ApplicationName = "OptionsTracker";
        return builder.ConnectionString;
    }

    public async Task OpenAsync(HistorySource source, CancellationToken cancellationToken)
    {
        if (_opened is { } early && SameSource(early, source))
            return;
        await _openLock.WaitAsync(cancellationToken);
        try
        {
            if (_opened is { } opened)
            {
                // Opened already: the database's source is this one, so another is refused without asking it again.
                if (!SameSource(opened, source))
                    throw new HistorySourceMismatchException(opened, source);
                return;
            }
            await WithRetryAsync("open", async () =>
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({SchemaLockKey})", cancellationToken);
                await ExecuteAsync(connection, Schema, cancellationToken);
                await AddPriceCurrencyAsync(connection, cancellationToken);
                await EnsureHoursSchemaAsync(connection, cancellationToken);
                await EnsureMeasureDaysSchemaAsync(connection, cancellationToken);
                await EnsureHourBlocksSchemaAsync(connection, cancellationToken);
                await EnsureQuoteBlocksSchemaAsync(connection, cancellationToken);
                await EnsureDayBlocksSchemaAsync(connection, cancellationToken);
                await ExecuteAsync(connection, TradesSchema, cancellationToken);
                await CheckSourceAsync(connection, source, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            });
            _opened = source;
            var settings = new NpgsqlConnectionStringBuilder(ConnectionString);
            Log.PostgresOpened(_logger, settings.Database ?? "", settings.Host ?? "", source);
        }
        finally
        {
            _openLock.Release();
        }
    }

    // The whole schema, idempotent. Times are timestamptz (UTC instants, microsecond precision: the store keeps
    // milliseconds); exchange and receive times stay the book's Unix milliseconds. Text compared with COLLATE "C", so
    // ordering by symbol is ordinal, as everywhere else in the tracker, whatever the database's locale.
    private static readonly string Schema = $"""
        CREATE TABLE IF NOT EXISTS history_meta (key text PRIMARY KEY, value text NOT NULL);
        CREATE TABLE IF NOT EXISTS instruments (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            venue text COLLATE "C" NOT NULL,
            symbol text COLLATE "C" NOT NULL,
            coin text COLLATE "C" NOT NULL,
            settle_coin text,
            expiry timestamptz NOT NULL,
            strike numeric NOT NULL,
            option_type smallint NOT NULL,
            status smallint NOT NULL,
            tick_size float8,
            qty_step float8,
            price_currency text,
            UNIQUE (venue, symbol));
        CREATE INDEX IF NOT EXISTS instruments_coin ON instruments (coin);
        CREATE TABLE IF NOT EXISTS snapshots (time timestamptz PRIMARY KEY);
        CREATE TABLE IF NOT EXISTS snapshot_coins (coin text COLLATE "C" NOT NULL, time timestamptz NOT NULL, PRIMARY KEY (coin, time));
        CREATE TABLE IF NOT EXISTS quotes (
            time timestamptz NOT NULL,
            exchange_time_ms bigint NOT NULL,
            received_at_ms bigint NOT NULL,
            delivery_price float8,
            {string.Join(",\n    ", ValueColumns.Select(c => c + " float8"))},
            instrument_id integer NOT NULL,
            status smallint NOT NULL
        ) PARTITION BY RANGE (time);
        CREATE INDEX IF NOT EXISTS quotes_instrument ON quotes (instrument_id);
        CREATE INDEX IF NOT EXISTS quotes_time ON quotes (time);
        CREATE TABLE IF NOT EXISTS measure_names (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            coin text COLLATE "C" NOT NULL,
            name text COLLATE "C" NOT NULL,
            UNIQUE (coin, name));
        CREATE TABLE IF NOT EXISTS measures (time timestamptz NOT NULL, value float8, measure_id integer NOT NULL) PARTITION BY RANGE (time);
        CREATE INDEX IF NOT EXISTS measures_series ON measures (measure_id, time) INCLUDE (value);
        DROP INDEX IF EXISTS measures_measure;
        DROP INDEX IF EXISTS measures_time;
        CREATE TABLE IF NOT EXISTS settlements (
            venue text COLLATE "C" NOT NULL,
            coin text COLLATE "C" NOT NULL,
            delivery_time timestamptz NOT NULL,
            price float8,
            PRIMARY KEY (coin, delivery_time, venue));
        CREATE TABLE IF NOT EXISTS realised_volatility (
            coin text COLLATE "C" NOT NULL,
            period_days integer NOT NULL,
            time timestamptz NOT NULL,
            value float8,
            PRIMARY KEY (coin, period_days, time));
        INSERT INTO history_meta (key, value) VALUES ('schema_version', '{SchemaVersion}') ON CONFLICT (key) DO NOTHING;
        UPDATE history_meta SET value = '{SchemaVersion}' WHERE key = 'schema_version' AND value::int < {SchemaVersion};
        """;

    private static bool SameSource(HistorySource recorded, HistorySource requested) => HistorySource.IsCompatible(recorded, requested);

    private static async Task CheckSourceAsync(NpgsqlConnection connection, HistorySource source, CancellationToken cancellationToken)
    {
        var urls = string.Join('\n', source.Urls);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO history_meta (key, value) VALUES ('source_label', @label), ('source_urls', @urls) ON CONFLICT (key) DO NOTHING", connection))
        {
            insert.Parameters.AddWithValue("label", source.Label);
            insert.Parameters.AddWithValue("urls", urls);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var select = new NpgsqlCommand("SELECT key, value FROM history_meta WHERE key IN ('source_label', 'source_urls')", connection);
        string label = "", recordedUrls = "";
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.GetString(0) == "source_label")
                    label = reader.GetString(1);
                else
                    recordedUrls = reader.GetString(1);
            }
        }
        var recorded = new HistorySource(label, recordedUrls.Length == 0 ? [] : recordedUrls.Split('\n'));
        if (!SameSource(recorded, source))
            throw new HistorySourceMismatchException(recorded, source);
    }

    public async Task WriteSnapshotAsync(BoardSnapshot snapshot, CancellationToken cancellationToken)
    {
        EnsureOpened();
        var time = ToMilliseconds(snapshot.Time);
        await WithRetryAsync("snapshot write", async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            // Ids and partitions first, each committed on its own: they are shared by every snapshot, and one that
            // outlives a failed snapshot is harmless (an unused instrument, an empty partition).
            if (snapshot.Quotes.Count > 0)
            {
                await EnsureInstrumentIdsAsync(connection, snapshot.Quotes, cancellationToken);
                await EnsureQuotePartitionAsync(connection, DateOnly.FromDateTime(time.UtcDateTime), cancellationToken);
            }
            if (snapshot.Measures.Count > 0)
            {
                await EnsureMeasureIdsAsync(connection, snapshot.Measures, cancellationToken);
                await EnsureMeasurePartitionAsync(connection, MonthOf(time), cancellationToken);
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // A coin's snapshot time is its identity: a second write of it (a retry after a commit whose answer was
            // lost) claims nothing for that coin, and only the coins claimed here are written. Two writers of one
            // time serialise on the primary key.
            var coins = new HashSet<string>(snapshot.Coins, StringComparer.Ordinal);
            foreach (var quote in snapshot.Quotes)
                coins.Add(quote.Instrument.BaseCoin);
            foreach (var measure in snapshot.Measures)
                coins.Add(measure.Coin);
            var claimed = new HashSet<string>(StringComparer.Ordinal);
            await using (var claim = new NpgsqlCommand("INSERT INTO snapshots (time) VALUES (@time) ON CONFLICT (time) DO NOTHING", connection, transaction))
            {
                claim.Parameters.AddWithValue("time", NpgsqlDbType.TimestampTz, time.UtcDateTime);
                await claim.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var claim = new NpgsqlCommand(
                "INSERT INTO snapshot_coins (coin, time) SELECT unnest(@coins), @time ON CONFLICT (coin, time) DO NOTHING RETURNING coin", connection, transaction))
            {
                claim.Parameters.AddWithValue("time", NpgsqlDbType.TimestampTz, time.UtcDateTime);
                claim.Parameters.AddWithValue("coins", coins.ToArray());
                await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                    claimed.Add(reader.GetString(0));
            }
            if (claimed.Count == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                Log.PostgresSnapshotAlreadyRecorded(_logger, time);
                return;
            }
            if (snapshot.Quotes.Count > 0)
                await CopyQuotesAsync(connection, time, snapshot.Quotes, claimed, cancellationToken);
            if (snapshot.Measures.Count > 0)
                await CopyMeasuresAsync(connection, time, snapshot.Measures, claimed, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
    }

    private async Task CopyQuotesAsync(NpgsqlConnection connection, DateTimeOffset time, List<RecordedQuote> quotes, HashSet<string> coins,
        CancellationToken cancellationToken)
    {
        var at = time.UtcDateTime;
        await using var importer = await connection.BeginBinaryImportAsync($"COPY quotes ({QuoteColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var recorded in quotes)
        {
            if (!coins.Contains(recorded.Instrument.BaseCoin))
                continue;
            await WriteQuoteRowAsync(importer, at, _instrumentIds[recorded.Instrument.Key], recorded.Quote, cancellationToken);
        }
        await importer.CompleteAsync(cancellationToken);
    }

    /// <summary>One row of quotes (<see cref="QuoteColumns"/>) into a binary COPY.</summary>
    private static async Task WriteQuoteRowAsync(NpgsqlBinaryImporter importer, DateTime time, int instrumentId, OptionQuote quote, CancellationToken cancellationToken)
    {
        await importer.StartRowAsync(cancellationToken);
        await importer.WriteAsync(time, NpgsqlDbType.TimestampTz, cancellationToken);
        await importer.WriteAsync(quote.ExchangeTimeMs, NpgsqlDbType.Bigint, cancellationToken);
        await importer.WriteAsync(quote.ReceivedAtMs, NpgsqlDbType.Bigint, cancellationToken);
        await WriteValueAsync(importer, quote.DeliveryPrice, cancellationToken);
        for (var field = 0; field < QuoteFields.Count; field++)
            await WriteValueAsync(importer, quote.Values[field], cancellationToken);
        await importer.WriteAsync(instrumentId, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync((short)quote.Status, NpgsqlDbType.Smallint, cancellationToken);
    }

    private async Task CopyMeasuresAsync(NpgsqlConnection connection, DateTimeOffset time, List<RecordedMeasure> measures, HashSet<string> coins,
        CancellationToken cancellationToken)
    {
        var at = time.UtcDateTime;
        await using var importer = await connection.BeginBinaryImportAsync("COPY measures (time, value, measure_id) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var measure in measures)
        {
            if (!coins.Contains(measure.Coin))
                continue;
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(at, NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteValueAsync(importer, measure.Value, cancellationToken);
            await importer.WriteAsync(_measureIds[(measure.Coin, measure.Name)], NpgsqlDbType.Integer, cancellationToken);
        }
        await importer.CompleteAsync(cancellationToken);
    }

    // A value the exchange did not send (NaN) is SQL NULL in the row: it costs no bytes (a bit in the row's null map)
    // and SQL's own aggregates skip it, where a NaN would make avg() NaN. Read back, NULL is NaN again.
    private static ValueTask WriteValueAsync(NpgsqlBinaryImporter importer, double value, CancellationToken cancellationToken) =>
        double.IsNaN(value) ? new ValueTask(importer.WriteNullAsync(cancellationToken)) : new ValueTask(importer.WriteAsync(value, NpgsqlDbType.Double, cancellationToken));

    private async Task EnsureInstrumentIdsAsync(NpgsqlConnection connection, List<RecordedQuote> quotes, CancellationToken cancellationToken)
    {
        List<OptionInstrument>? missing = null;
        foreach (var quote in quotes)
        {
            if (!_instrumentIds.ContainsKey(quote.Instrument.Key))
                (missing ??= []).Add(quote.Instrument);
        }
        if (missing is null)
            return;
        missing = [.. missing.DistinctBy(i => i.Key)];
        // Insert what is new, then read every id back (also those another writer inserted first).
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO instruments (venue, symbol, coin, settle_coin, expiry, strike, option_type, status, tick_size, qty_step, price_currency)
            SELECT * FROM unnest(@venue, @symbol, @coin, @settle, @expiry, @strike, @type, @status, @tick, @qty, @currency)
            ON CONFLICT (venue, symbol) DO UPDATE SET price_currency = EXCLUDED.price_currency
                WHERE instruments.price_currency IS NULL AND EXCLUDED.price_currency IS NOT NULL
            """, connection))
        {
            insert.Parameters.AddWithValue("venue", missing.Select(i => i.Venue.Id).ToArray());
            insert.Parameters.AddWithValue("symbol", missing.Select(i => i.Symbol).ToArray());
            insert.Parameters.AddWithValue("coin", missing.Select(i => i.BaseCoin).ToArray());
            insert.Parameters.AddWithValue("settle", NpgsqlDbType.Array | NpgsqlDbType.Text, missing.Select(i => i.SettleCoin).ToArray());
            insert.Parameters.AddWithValue("expiry", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, missing.Select(i => i.ExpiryUtc.UtcDateTime).ToArray());
            insert.Parameters.AddWithValue("strike", missing.Select(i => i.Strike).ToArray());
            insert.Parameters.AddWithValue("type", missing.Select(i => (short)i.Type).ToArray());
            insert.Parameters.AddWithValue("status", missing.Select(i => (short)i.Status).ToArray());
            insert.Parameters.AddWithValue("tick", missing.Select(i => NullIfNaN(i.TickSize)).ToArray());
            insert.Parameters.AddWithValue("qty", missing.Select(i => NullIfNaN(i.QtyStep)).ToArray());
            insert.Parameters.AddWithValue("currency", NpgsqlDbType.Array | NpgsqlDbType.Text, missing.Select(i => i.PriceCurrency).ToArray());
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var select = new NpgsqlCommand(
            "SELECT i.id, i.venue, i.symbol FROM instruments i JOIN unnest(@venue, @symbol) AS n(venue, symbol) ON i.venue = n.venue AND i.symbol = n.symbol",
            connection);
        select.Parameters.AddWithValue("venue", missing.Select(i => i.Venue.Id).ToArray());
        select.Parameters.AddWithValue("symbol", missing.Select(i => i.Symbol).ToArray());
        var byKey = missing.ToDictionary(i => i.Key);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var key = new InstrumentKey(Venue.Parse(reader.GetString(1)), reader.GetString(2));
            var id = reader.GetInt32(0);
            _instrumentIds[key] = id;
            // The instrument as this process knows it; the table keeps the first description written (but for a price
            // currency recorded before schema 3 had the column, filled in above).
            _instruments.TryAdd(id, byKey[key]);
        }
    }

    private async Task EnsureMeasureIdsAsync(NpgsqlConnection connection, List<RecordedMeasure> measures, CancellationToken cancellationToken)
    {
        List<(string Coin, string Name)>? missing = null;
        foreach (var measure in measures)
        {
            if (!_measureIds.ContainsKey((measure.Coin, measure.Name)))
                (missing ??= []).Add((measure.Coin, measure.Name));
        }
        if (missing is null)
            return;
        missing = [.. missing.Distinct()];
        await using var upsert = new NpgsqlCommand("""
            INSERT INTO measure_names (coin, name) SELECT * FROM unnest(@coin, @name) ON CONFLICT (coin, name) DO NOTHING;
            SELECT m.id, m.coin, m.name FROM measure_names m JOIN unnest(@coin, @name) AS n(coin, name) ON m.coin = n.coin AND m.name = n.name;
            """, connection);
        upsert.Parameters.AddWithValue("coin", missing.Select(m => m.Coin).ToArray());
        upsert.Parameters.AddWithValue("name", missing.Select(m => m.Name).ToArray());
        await using var reader = await upsert.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            _measureIds[(reader.GetString(1), reader.GetString(2))] = reader.GetInt32(0);
    }

    public async Task WriteSettlementsAsync(IReadOnlyList<Settlement> settlements, CancellationToken cancellationToken)
    {
        EnsureOpened();
        if (settlements.Count == 0)
            return;
        await WithRetryAsync("settlement write", async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var insert = new NpgsqlCommand("""
                INSERT INTO settlements (venue, coin, delivery_time, price) SELECT * FROM unnest(@venue, @coin, @time, @price)
                ON CONFLICT DO NOTHING
                """, connection);
            insert.Parameters.AddWithValue("venue", settlements.Select(s => s.Venue.Id).ToArray());
            insert.Parameters.AddWithValue("coin", settlements.Select(s => s.Coin).ToArray());
            insert.Parameters.AddWithValue("time", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, settlements.Select(s => ToMilliseconds(s.DeliveryTime).UtcDateTime).ToArray());
            insert.Parameters.AddWithValue("price", settlements.Select(s => NullIfNaN(s.Price)).ToArray());
            await insert.ExecuteNonQueryAsync(cancellationToken);
        });
    }

    public async Task WriteRealisedVolatilityAsync(string coin, IReadOnlyList<RealisedVolatilityPoint> points, CancellationToken cancellationToken)
    {
        EnsureOpened();
        if (points.Count == 0)
            return;
        await WithRetryAsync("realised volatility write", async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var insert = new NpgsqlCommand("""
                INSERT INTO realised_volatility (coin, period_days, time, value) SELECT @coin, * FROM unnest(@period, @time, @value)
                ON CONFLICT DO NOTHING
                """, connection);
            insert.Parameters.AddWithValue("coin", coin);
            insert.Parameters.AddWithValue("period", points.Select(p => p.PeriodDays).ToArray());
            insert.Parameters.AddWithValue("time", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, points.Select(p => ToMilliseconds(p.Time).UtcDateTime).ToArray());
            insert.Parameters.AddWithValue("value", points.Select(p => NullIfNaN(p.Value)).ToArray());
            await insert.ExecuteNonQueryAsync(cancellationToken);
        });
    }

    private async Task EnsureQuotePartitionAsync(NpgsqlConnection connection, DateOnly day, CancellationToken cancellationToken)
    {
        if (_quoteDays.ContainsKey(day))
            return;
        await LoadPartitionsAsync(connection, cancellationToken);
        // The next day too, so the first snapshot after midnight does not wait for DDL.
        foreach (var wanted in (DateOnly[])[day, day.AddDays(1)])
        {
            if (_quoteDays.ContainsKey(wanted))
                continue;
            var name = QuotePartition(wanted, thinned: false);
            await CreatePartitionAsync(connection, "quotes", name, Start(wanted), Start(wanted.AddDays(1)), cancellationToken);
            _quoteDays[wanted] = true;
        }
    }

    private async Task EnsureMeasurePartitionAsync(NpgsqlConnection connection, DateOnly month, CancellationToken cancellationToken)
    {
        if (_measureMonths.ContainsKey(month))
            return;
        await LoadPartitionsAsync(connection, cancellationToken);
        foreach (var wanted in (DateOnly[])[month, month.AddMonths(1)])
        {
            if (_measureMonths.ContainsKey(wanted))
                continue;
            await CreatePartitionAsync(connection, "measures", MeasurePartition(wanted), Start(wanted), Start(wanted.AddMonths(1)), cancellationToken);
            _measureMonths[wanted] = true;
        }
    }

    private async Task CreatePartitionAsync(NpgsqlConnection connection, string parent, string name, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(connection,
                $"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {parent} FOR VALUES FROM ('{from:yyyy-MM-dd HH:mm:ss}+00') TO ('{to:yyyy-MM-dd HH:mm:ss}+00')",
                cancellationToken);
            Log.PostgresPartitionCreated(_logger, name);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.UniqueViolation
            or PostgresErrorCodes.InvalidObjectDefinition)
        {
            // Another process created it (or its thinned twin covers the range) between our look and our create.
        }
    }

    /// <summary>Reads which partitions exist (after a restart, or another process made some).</summary>
    private async Task LoadPartitionsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        foreach (var (name, _) in await PartitionsAsync(connection, "quotes", cancellationToken))
        {
            if (TryParseQuotePartition(name, out var day, out _))
                _quoteDays[day] = true;
        }
        foreach (var (name, _) in await PartitionsAsync(connection, "measures", cancellationToken))
        {
            if (TryParseMeasurePartition(name, out var month))
                _measureMonths[month] = true;
        }
    }

    private static async Task<List<(string Name, long Rows)>> PartitionsAsync(NpgsqlConnection connection, string parent, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT c.relname, c.reltuples::bigint FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = @parent::regclass ORDER BY c.relname
            """, connection);
        command.Parameters.AddWithValue("parent", parent);
        var partitions = new List<(string, long)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            partitions.Add((reader.GetString(0), reader.GetInt64(1)));
        return partitions;
    }

    // Partition names carry their period, and a thinned day says so (quotes_20261201_hourly): the catalog alone tells
    // retention which days are still full, with no bookkeeping table that could disagree with it.
    private static string QuotePartition(DateOnly day, bool thinned) => $"quotes_{day:yyyyMMdd}{(thinned ? "_hourly" : "")}";

    private static string MeasurePartition(DateOnly month) => $"measures_{month:yyyyMM}";

    private static bool TryParseQuotePartition(string name, out DateOnly day, out bool thinned)
    {
        thinned = name.EndsWith("_hourly", StringComparison.Ordinal);
        var digits = name.Length >= 15 ? name.AsSpan(7, 8) : default;
        return DateOnly.TryParseExact(digits, "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out day)
            && name.StartsWith("quotes_", StringComparison.Ordinal);
    }

    private static bool TryParseMeasurePartition(string name, out DateOnly month)
    {
        month = default;
        return name.StartsWith("measures_", StringComparison.Ordinal) && name.Length == 15 &&
            DateOnly.TryParseExact(name[9..] + "01", "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out month);
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    private static DateOnly MonthOf(DateTimeOffset time) => new(time.UtcDateTime.Year, time.UtcDateTime.Month, 1);

    /// <summary>UTC, whole milliseconds: the store's precision (the contract's), whatever the caller passed.</summary>
    private static DateTimeOffset ToMilliseconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    private static double? NullIfNaN(double value) => double.IsNaN(value) ? null : value;

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void EnsureOpened()
    {
        if (_opened is null)
            throw new InvalidOperationException("OpenAsync must succeed before the history store is used.");
    }

    /// <summary>
    /// Runs <paramref name="operation"/>, and once more when it failed on a connection the server had closed: after a
    /// restart the pool still holds connections to the old server, and the first use of each fails. Every operation of
    /// this store is idempotent (a snapshot by its time, the rest by primary keys), so running it again is safe; a
    /// server that is really down fails the second try as fast as the first (connection refused).
    /// </summary>
    private async Task WithRetryAsync(string operation, Func<Task> run)
    {
        try
        {
            await run();
        }
        catch (NpgsqlException e) when (IsBrokenConnection(e))
        {
            Log.PostgresRetried(_logger, operation, e.Message);
            await run();
        }
    }

    private async Task<T> WithRetryAsync<T>(string operation, Func<Task<T>> run)
    {
        try
        {
            return await run();
        }
        catch (NpgsqlException e) when (IsBrokenConnection(e))
        {
            Log.PostgresRetried(_logger, operation, e.Message);
            return await run();
        }
    }

    // A connection-level failure (IsTransient: I/O on a dropped socket) or the server's "terminating connection"
    // messages (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now), not a failed statement.
    private static bool IsBrokenConnection(NpgsqlException e) =>
        e is PostgresException pg ? pg.SqlState is "57P01" or "57P02" or "57P03" : e.IsTransient;

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        _openLock.Dispose();
    }
}
