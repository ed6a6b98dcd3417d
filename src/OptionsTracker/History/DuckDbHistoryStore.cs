using System.Collections.Concurrent;
using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;

namespace OptionsTracker.History;

/// <summary>
/// The embedded history: one DuckDB file (<see cref="HistoryOptions.ResolvePath"/>), schema in docs/history.md ("The
/// DuckDB store"). One database instance per process, shared by a small pool of connections (one per concurrent
/// operation: DuckDB runs queries of different connections in parallel under MVCC, so a reader never waits for the
/// writer or another reader). Writes are serialised by <see cref="_writeGate"/> (one writer by design: the recorder,
/// retention and compaction), held only by writers.
/// </summary>
public sealed partial class DuckDbHistoryStore : IHistoryStore
{
    /// <summary>
    /// Bumped when the schema changes; <see cref="OpenAsync"/> refuses a file written by a newer tracker and migrates an
    /// older one (<see cref="MigrateBeforeSchema"/>). 2: measures by name id, closed days and months sorted by measure.
    /// 3: the instruments' price currency (<see cref="AddPriceCurrency"/>). 4: closed hours and days as blocks
    /// (<see cref="QuoteBlock"/>; a file of schema 3 keeps its sorted rows in quotes, read beside the blocks).
    /// </summary>
    private const int SchemaVersion = 4;

    private readonly ILogger<DuckDbHistoryStore> _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _openGate = new(1, 1);
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentBag<DuckDBConnection> _pool = [];
    // Every connection of the store is one of a DuckDB instance whose own database is an empty file beside the history
    // (InstanceFile: DuckDB.NET shares an instance per data source string, and only an unnamed ":memory:" is in memory)
    // and into which the history file is attached with the row-group size (RowGroupSize). Named after the history
    // file, so two store objects over one file share one instance (two instances over one file would each cache its
    // blocks and could overwrite each other's writes) and stores over different files never do.
    private readonly string _connectionString;
    private readonly string _attach;
    private readonly string _memoryLimit;

    // The instruments known to the file, by their id in the instruments table and by (venue, symbol). Loaded at open,
    // extended by the writer (under _writeGate); readers look ids up without a lock.
    private readonly ConcurrentDictionary<int, OptionInstrument> _instrumentsById = new();
    private readonly ConcurrentDictionary<InstrumentKey, int> _instrumentIds = new();

    // Kept open from OpenAsync to DisposeAsync: DuckDB.NET closes the database instance when its last connection
    // closes, and reopening it per operation would reread the file.
    private DuckDBConnection? _anchor;
    private volatile bool _opened;
    private HistorySource? _source;

    // Incremented when the database instance is thrown away after a fatal error (DuckDB invalidates an instance whose
    // write to disk failed, e.g. disk full): connections of an older generation are closed instead of pooled.
    private int _generation;
    private int _disposed;

    public DuckDbHistoryStore(IOptions<HistoryOptions> options, ILogger<DuckDbHistoryStore> logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
        // The full path: DuckDB.NET shares one instance per data source string, so every connection must spell it alike.
        Path = System.IO.Path.GetFullPath(options.Value.ResolvePath());
        _connectionString = new DuckDBConnectionStringBuilder { DataSource = InstanceFile }.ToString();
        // Into SQL as text: only a size passes (the options are validated at start; a store made in code is checked here).
        _memoryLimit = options.Value.DuckDbMemoryLimitBytes() is not null
            ? options.Value.DuckDbMemoryLimit.Trim()
            : throw new ArgumentException($"History:DuckDbMemoryLimit '{options.Value.DuckDbMemoryLimit}' is not a size such as 2GB.", nameof(options));
        _attach = $"ATTACH IF NOT EXISTS '{Path.Replace("'", "''", StringComparison.Ordinal)}' AS {DatabaseName} (ROW_GROUP_SIZE {RowGroupSize}); USE {DatabaseName};";
    }

    /// <summary>
    /// Rows per row group of every table the store writes (DuckDB's default is 122,880). Closed hours are sorted by
    /// option, so one option's hour is ~60 rows inside one row group: a series reads the whole id column of one row group
    /// per recorded hour. With 16,384 rows the zone maps leave a group an eighth the size (docs/history.md, "Reads and
    /// the layout"). DuckDB does not keep this size in the file: it applies to what an instance writes, and only as an
    /// option of <c>ATTACH</c>, hence the in-memory instance below.
    /// </summary>
    internal const int RowGroupSize = 16_384;

    /// <summary>
    /// The name the file is attached under in the store's instance (every connection <c>USE</c>s it). Not "history":
    /// DuckDB names the instance's own database after its file's name up to the first dot (<c>history</c> for
    /// <c>history.duckdb.instance</c>), and <c>ATTACH IF NOT EXISTS</c> under that name would attach nothing.
    /// </summary>
    internal const string DatabaseName = "recorded_history";

    /// <summary>The instance's own database: <c>&lt;file&gt;.instance</c>, empty (a few KB); nothing is written to it.</summary>
    internal string InstanceFile => Path + ".instance";

    public string Name => "duckdb";

    /// <summary>The DuckDB file, absolute.</summary>
    public string Path { get; }

    public async Task OpenAsync(HistorySource source, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_opened)
        {
            CheckSource(source);
            return;
        }
        await _openGate.WaitAsync(cancellationToken);
        try
        {
            if (!_opened)
            {
                // DuckDB's open and schema work are blocking native calls: keep them off the caller's thread.
                await Task.Run(() => OpenDatabase(source, cancellationToken), cancellationToken);
                _source = source;
                _opened = true;
            }
        }
        finally
        {
            _openGate.Release();
        }
        CheckSource(source);
    }

    private void CheckSource(HistorySource source)
    {
        var recorded = _source!;
        if (!SameSource(recorded, source))
            throw new HistorySourceMismatchException(recorded, source);
    }

    private static bool SameSource(HistorySource recorded, HistorySource requested) => HistorySource.IsCompatible(recorded, requested);

    private void OpenDatabase(HistorySource source, CancellationToken cancellationToken)
    {
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);

        var anchor = OpenAnchor();
        try
        {
            var migrating = MigrateBeforeSchema(anchor);
            using (var command = anchor.CreateCommand())
            {
                command.CommandText = Schema;
                command.ExecuteNonQuery();
            }
            if (migrating)
                MigrateAfterSchema(anchor);
            AddPriceCurrency(anchor);
            MarkBlocksSchema(anchor);
            CreateTradesTable(anchor);
            var recorded = ReadOrWriteSource(anchor, source);
            if (!SameSource(recorded, source))
                throw new HistorySourceMismatchException(recorded, source);
            cancellationToken.ThrowIfCancellationRequested();
            LoadInstruments(anchor);
            _recentOldestMs = RecentOldest(anchor);
            _hoursOldestMs = HoursOldest(anchor);
            LoadMeasureState(anchor);
        }
        catch
        {
            anchor.Dispose();
            throw;
        }
        _anchor = anchor;
        Log.DuckDbOpened(_logger, Path, _instrumentsById.Count);
    }

    /// <summary>
    /// Opens the file, telling the faults apart: another process's lock is reported as such (the recorder retries);
    /// a file DuckDB cannot read as a database is moved aside (never deleted) and a fresh one started.
    /// </summary>
    private DuckDBConnection OpenAnchor()
    {
        try
        {
            return OpenConnection(anchor: true);
        }
        catch (DuckDBException e) when (IsLockConflict(e))
        {
            throw new HistoryStoreUnavailableException(
                $"The history file {Path} is locked by another process (DuckDB allows one process per file): {e.Message}", e);
        }
        catch (DuckDBException e) when (IsCorruption(e) && File.Exists(Path))
        {
            var aside = MoveAside();
            Log.DuckDbCorruptFileMovedAside(_logger, e, Path, aside);
            return OpenConnection(anchor: true);
        }
        catch (DuckDBException e)
        {
            throw new HistoryStoreUnavailableException($"The history file {Path} could not be opened: {e.Message}", e);
        }
    }

    private static bool IsLockConflict(DuckDBException e) =>
        e.Message.Contains("Could not set lock", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("Conflicting lock", StringComparison.OrdinalIgnoreCase);

    // What DuckDB says of a file that is not (or no longer) a database it can read: a bad header or magic bytes, a
    // failed checksum, a storage version it does not know, or a serialisation error while loading the catalog.
    // Permission, lock and space errors are IO errors about the file, not its content, and never move it.
    private static bool IsCorruption(DuckDBException e)
    {
        var message = e.Message;
        if (message.Contains("Permission denied", StringComparison.OrdinalIgnoreCase)
            || message.Contains("No space left", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return message.Contains("not a valid DuckDB database", StringComparison.OrdinalIgnoreCase)
            || message.Contains("Corrupt", StringComparison.OrdinalIgnoreCase)
            || message.Contains("checksum", StringComparison.OrdinalIgnoreCase)
            || message.Contains("Serialization Error", StringComparison.OrdinalIgnoreCase)
            || message.Contains("INTERNAL Error", StringComparison.OrdinalIgnoreCase)
            || message.Contains("too small to be a valid", StringComparison.OrdinalIgnoreCase)
            || message.Contains("storage version", StringComparison.OrdinalIgnoreCase)
            || message.Contains("Failure while replaying WAL", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Renames the file (and its write-ahead log) to <c>&lt;file&gt;.corrupt-&lt;UTC time&gt;</c>; returns the new name.</summary>
    private string MoveAside()
    {
        var stamp = _time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var aside = $"{Path}.corrupt-{stamp}";
        for (var n = 2; File.Exists(aside); n++)
            aside = $"{Path}.corrupt-{stamp}-{n}";
        File.Move(Path, aside);
        var wal = Path + ".wal";
        if (File.Exists(wal))
            File.Move(wal, aside + ".wal");
        return aside;
    }

    /// <summary>
    /// A connection of the store's instance with the file attached (by the anchor; the others find it there) and
    /// selected, so every statement names the file's tables unqualified. The anchor also sends spills beside the file,
    /// as when the file was opened by path (an in-memory instance would spill into the working directory).
    /// </summary>
    private DuckDBConnection OpenConnection(bool anchor = false)
    {
        var connection = new DuckDBConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // The memory limit is the instance's (every connection's), set once by the anchor.
            command.CommandText = anchor
                ? $"SET memory_limit = '{_memoryLimit}'; SET temp_directory = '{(Path + ".tmp").Replace("'", "''", StringComparison.Ordinal)}'; {_attach}"
                : _attach;
            command.ExecuteNonQuery();
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return connection;
    }

    private HistorySource ReadOrWriteSource(DuckDBConnection connection, HistorySource source)
    {
        string? label = null;
        string? urls = null;
        int? version = null;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT key, value FROM meta";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var value = reader.GetString(1);
                switch (reader.GetString(0))
                {
                    case "source_label": label = value; break;
                    case "source_urls": urls = value; break;
                    case "schema_version": version = int.Parse(value, CultureInfo.InvariantCulture); break;
                }
            }
        }
        if (version > SchemaVersion)
            throw new HistoryStoreUnavailableException($"The history file {Path} was written by a newer tracker (schema {version}; this one knows {SchemaVersion}).");
        if (label is not null)
            return new HistorySource(label, urls is null or "" ? [] : urls.Split('\n'));

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "INSERT OR REPLACE INTO meta VALUES ('source_label', ?), ('source_urls', ?), ('schema_version', ?)";
            command.Parameters.Add(new DuckDBParameter(source.Label));
            command.Parameters.Add(new DuckDBParameter(string.Join('\n', source.Urls)));
            command.Parameters.Add(new DuckDBParameter(SchemaVersion.ToString(CultureInfo.InvariantCulture)));
            command.ExecuteNonQuery();
        }
        return source;
    }

    private void LoadInstruments(DuckDBConnection connection, bool writer = true)
    {
        // Adds and updates, never clears: readers may be looking ids up meanwhile (after a reopen). A reader leaves the
        // next id alone (the writer's, under _writeGate) and the (venue, symbol) map too, except for ids the writer does
        // not know: those were recorded by another store object over the file.
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, venue, symbol, coin, settle_coin, expiry_ms, strike, type, tick_size, qty_step, status, price_currency FROM instruments";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var instrument = new OptionInstrument(
                Venue.Parse(reader.GetString(1)),
                reader.GetString(2),
                reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                decimal.Parse(reader.GetString(6), NumberStyles.Number, CultureInfo.InvariantCulture),
                reader.GetString(7) == "P" ? OptionType.Put : OptionType.Call,
                reader.IsDBNull(4) ? null : reader.GetString(4),
                ListingStatuses.FromName(reader.GetString(10)),
                ReadValue(reader, 8),
                ReadValue(reader, 9),
                reader.IsDBNull(11) ? null : reader.GetString(11));
            var id = reader.GetInt32(0);
            if (writer)
            {
                _instrumentsById[id] = instrument;
                _instrumentIds[instrument.Key] = id;
                _nextInstrumentId = Math.Max(_nextInstrumentId, id + 1);
            }
            else if (_instrumentsById.TryAdd(id, instrument))
            {
                _instrumentIds.TryAdd(instrument.Key, id);
            }
        }
    }

    /// <summary>A connection of the shared instance for one operation; give it back with <see cref="Return"/>.</summary>
    private Lease Rent()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (!_opened)
            throw new InvalidOperationException("OpenAsync must be called before using the history store.");
        var generation = Volatile.Read(ref _generation);
        if (_anchor is null)
            Reopen(generation);
        while (_pool.TryTake(out var pooled))
        {
            if (pooled.State == System.Data.ConnectionState.Open)
                return new Lease(pooled, generation);
            pooled.Dispose();
        }
        try
        {
            return new Lease(OpenConnection(), generation);
        }
        catch (DuckDBException e)
        {
            throw Unavailable(e);
        }
    }

    private void Return(Lease lease, bool broken = false)
    {
        if (broken || lease.Generation != Volatile.Read(ref _generation) || Volatile.Read(ref _disposed) != 0 || _pool.Count >= 8)
            lease.Connection.Dispose();
        else
            _pool.Add(lease.Connection);
    }

    /// <summary>
    /// After DuckDB invalidated the instance (a write to disk failed), drops every pooled connection and the anchor so
    /// the instance closes, then opens it again: the file is reread as committed, the failed transaction is not there.
    /// </summary>
    private void Invalidate(Exception cause)
    {
        lock (_pool)
        {
            Interlocked.Increment(ref _generation);
            while (_pool.TryTake(out var pooled))
                pooled.Dispose();
            _anchor?.Dispose();
            _anchor = null;
        }
        Log.DuckDbInstanceInvalidated(_logger, cause, Path);
    }

    private void Reopen(int generation)
    {
        lock (_pool)
        {
            if (_anchor is not null || generation != Volatile.Read(ref _generation))
                return;
            try
            {
                var anchor = OpenAnchor();
                // What the file holds now is the truth: a write that failed may still have committed (the failure came
                // after the log reached the disk), so the instruments and the recent table's start are read again.
                LoadInstruments(anchor);
                _recentOldestMs = RecentOldest(anchor);
                _hoursOldestMs = HoursOldest(anchor);
                LoadMeasureState(anchor);
                _anchor = anchor;
            }
            catch (DuckDBException e)
            {
                throw Unavailable(e);
            }
        }
    }

    private static bool IsFatal(DuckDBException e) =>
        e.Message.Contains("invalidated", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("FATAL", StringComparison.Ordinal)
        || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

    private HistoryStoreUnavailableException Unavailable(DuckDBException e)
    {
        if (e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase))
            return new HistoryStoreUnavailableException($"The history file {Path} could not be written: the disk is full ({e.Message}).", e);
        if (IsLockConflict(e))
            return new HistoryStoreUnavailableException($"The history file {Path} is locked by another process (DuckDB allows one process per file): {e.Message}", e);
        return new HistoryStoreUnavailableException($"The history file {Path} failed: {e.Message}", e);
    }

    /// <summary>Runs <paramref name="work"/> on a rented connection off the caller's thread, mapping DuckDB's faults.</summary>
    private Task<T> RunAsync<T>(Func<DuckDBConnection, T> work, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            var lease = Rent();
            var broken = false;
            try
            {
                return work(lease.Connection);
            }
            catch (DuckDBException e)
            {
                broken = true;
                if (IsFatal(e))
                    Invalidate(e);
                throw Unavailable(e);
            }
            finally
            {
                Return(lease, broken);
            }
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // Waits for a write in progress, so the file is closed after its commit, never during it.
        await _writeGate.WaitAsync();
        try
        {
            lock (_pool)
            {
                while (_pool.TryTake(out var pooled))
                    pooled.Dispose();
                _anchor?.Dispose();
                _anchor = null;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private readonly record struct Lease(DuckDBConnection Connection, int Generation);

    // Times are UTC milliseconds since the Unix epoch in BIGINT columns (the contract's precision, exact, and what the
    // book keeps). Values are DOUBLE, bit for bit the double the feed parsed (DuckDB's ALP compression is lossless);
    // a value not sent (NaN in the book) is NULL in the file and NaN again when read: one mapping, everywhere, and a
    // column of NULLs costs nothing on disk where one of NaNs costs 6 bytes a row. A quote's exchange and receive times
    // are stored as offsets (age at the snapshot, lag after the exchange): small numbers that pack into a few bits,
    // where the absolute times took 3 bytes each. The view all_quotes gives the absolute times back, over both tables.
    // Closed hours are QuoteBlocks, already compact: their column is stored uncompressed. Left to choose, DuckDB took FSST
    // for a third of the 30-day board's blob segments, saving ~4 % of the file and costing every read the decompression
    // (a series 66-75 against 16-18 ms, the chain 111-118 against 41-54 ms; docs/performance.md).
    // See docs/history.md, "The DuckDB store".
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
        CREATE TABLE IF NOT EXISTS instruments (
            id INTEGER PRIMARY KEY, venue VARCHAR NOT NULL, symbol VARCHAR NOT NULL, coin VARCHAR NOT NULL, settle_coin VARCHAR,
            expiry_ms BIGINT NOT NULL, strike VARCHAR NOT NULL, type VARCHAR NOT NULL, tick_size DOUBLE, qty_step DOUBLE,
            status VARCHAR NOT NULL, price_currency VARCHAR, UNIQUE (venue, symbol));
        CREATE TABLE IF NOT EXISTS snapshots (time_ms BIGINT NOT NULL, coin VARCHAR NOT NULL, options INTEGER NOT NULL, PRIMARY KEY (time_ms, coin));
        CREATE TABLE IF NOT EXISTS quotes_recent (
            time_ms BIGINT NOT NULL, instrument INTEGER NOT NULL, exchange_age_ms BIGINT NOT NULL, receive_lag_ms BIGINT NOT NULL,
            status UTINYINT NOT NULL, delivery_price DOUBLE,
            bid_price DOUBLE, bid_size DOUBLE, bid_iv DOUBLE, ask_price DOUBLE, ask_size DOUBLE, ask_iv DOUBLE, last_price DOUBLE,
            high_price_24h DOUBLE, low_price_24h DOUBLE, mark_price DOUBLE, index_price DOUBLE, mark_iv DOUBLE, underlying_price DOUBLE,
            open_interest DOUBLE, turnover_24h DOUBLE, volume_24h DOUBLE, total_volume DOUBLE, total_turnover DOUBLE, delta DOUBLE,
            gamma DOUBLE, vega DOUBLE, theta DOUBLE, predicted_delivery_price DOUBLE, change_24h DOUBLE);
        CREATE TABLE IF NOT EXISTS quotes AS SELECT * FROM quotes_recent LIMIT 0;
        CREATE TABLE IF NOT EXISTS quote_hours (
            first_ms BIGINT NOT NULL, last_ms BIGINT NOT NULL, instrument INTEGER NOT NULL, block BLOB NOT NULL USING COMPRESSION uncompressed);
        CREATE TABLE IF NOT EXISTS quote_days (
            first_ms BIGINT NOT NULL, last_ms BIGINT NOT NULL, instrument INTEGER NOT NULL, block BLOB NOT NULL USING COMPRESSION uncompressed);
        CREATE OR REPLACE VIEW all_quotes AS
            SELECT * EXCLUDE (exchange_age_ms, receive_lag_ms),
                time_ms - exchange_age_ms AS exchange_ms, time_ms - exchange_age_ms + receive_lag_ms AS received_ms
            FROM (SELECT * FROM quotes UNION ALL SELECT * FROM quotes_recent);
        CREATE TABLE IF NOT EXISTS measure_names (id INTEGER PRIMARY KEY, coin VARCHAR NOT NULL, name VARCHAR NOT NULL, UNIQUE (coin, name));
        CREATE TABLE IF NOT EXISTS measures_recent (measure INTEGER NOT NULL, time_ms BIGINT NOT NULL, value DOUBLE);
        CREATE TABLE IF NOT EXISTS measures AS SELECT * FROM measures_recent LIMIT 0;
        CREATE TABLE IF NOT EXISTS settlements (
            venue VARCHAR NOT NULL, coin VARCHAR NOT NULL, delivery_ms BIGINT NOT NULL, price DOUBLE, PRIMARY KEY (venue, coin, delivery_ms));
        CREATE TABLE IF NOT EXISTS realised_volatility (
            coin VARCHAR NOT NULL, period_days INTEGER NOT NULL, time_ms BIGINT NOT NULL, value DOUBLE, PRIMARY KEY (coin, period_days, time_ms));
        """;

    /// <summary>
    /// The two tables of quotes as rows: quotes (thinned hours, and a schema-3 file's closed hours sorted by option then
    /// time) and recent (the open hour, as written). Closed hours are blocks (<see cref="BlockTables"/>).
    /// </summary>
    private static readonly string[] QuoteTables = ["quotes", "quotes_recent"];

    /// <summary>The quote value columns, in <see cref="QuoteField"/> order (the position is the field).</summary>
    private static readonly string[] FieldColumns =
    [
        "bid_price", "bid_size", "bid_iv", "ask_price", "ask_size", "ask_iv", "last_price", "high_price_24h", "low_price_24h",
        "mark_price", "index_price", "mark_iv", "underlying_price", "open_interest", "turnover_24h", "volume_24h", "total_volume",
        "total_turnover", "delta", "gamma", "vega", "theta", "predicted_delivery_price", "change_24h",
    ];
}
