using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Diagnostics;
using StackExchange.Redis;

namespace OptionsTracker.Store;

/// <summary>
/// Fills a web instance's book from Redis: the whole board from the index sets (at start, after every
/// reconnection and every <see cref="StoreOptions.ResyncInterval"/>, which heals change messages lost while
/// disconnected), then the options named by each change message, read back with pipelined <c>HGETALL</c>s.
/// It is the only writer of this book, so slots keep their single writer. While Redis is away the book keeps
/// the last known data; health says why it is stale. A standby collector runs it too, so it serves the board
/// like a web instance; it pauses while this process holds the collector lease, and the lease waits for its
/// round to end (<see cref="RedisOptionStore.BookWriterGate"/>) before the feed starts.
/// A Redis with no board at all (restarted empty, flushed) never empties the book: the last known board stays,
/// reported stale with the reason, until a collector writes again (its change message triggers a full load).
/// Options leave the book when the collector says so (a removal message) or a full load finds the others without them.
/// </summary>
public sealed class RedisReader(
    OptionBook book,
    RedisConnection connection,
    RedisOptionStore store,
    IOptions<StoreOptions> options,
    TimeProvider time,
    ILogger<RedisReader> logger,
    LogThrottle readLog,
    LogThrottle boardLog,
    CollectorLease? lease = null) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private readonly StoreOptions _options = options.Value;
    private readonly RedisKeys _keys = connection.Keys;
    private readonly Lock _pendingLock = new();
    // Members (RedisKeys.Member: Bybit's bare symbols, venue:symbol for others) named by change messages and not yet
    // read; a set, so an option changed in many flushes is read once.
    private HashSet<string> _changed = new(StringComparer.Ordinal);
    private HashSet<string> _removed = new(StringComparer.Ordinal);
    private readonly ChangeSignal _signal = new();
    private string? _lastError;
    private bool _noBoard;

    /// <summary>Full loads completed, for tests and diagnostics.</summary>
    public int FullLoads { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var multiplexer = await connection.GetAsync(stoppingToken);
            // Subscribed before the first load, so no change between the two is missed.
            await RedisConnection.SubscribeAsync(multiplexer, _keys.Changes, OnMessage, (ex, _) => Failed(ex), time, stoppingToken);
            var restorations = -1;
            var nextResync = time.GetUtcNow();
            while (!stoppingToken.IsCancellationRequested)
            {
                var failed = false;
                var collecting = false;
                await store.BookWriterGate.WaitAsync(stoppingToken);
                try
                {
                    if (lease is { IsHeld: true })
                    {
                        // This process collects: its feed writes the book. Start over with a full load when it stops.
                        collecting = true;
                        restorations = -1;
                        Discard();
                        if (_lastError is not null)
                        {
                            _lastError = null;
                            readLog.Recover();
                            store.SetProblem("reader", null);
                        }
                        if (_noBoard)
                        {
                            _noBoard = false;
                            boardLog.Recover();
                            store.SetProblem("board", null);
                        }
                    }
                    else
                    {
                        // While Redis has no board, the first change message means a collector writes again.
                        if (restorations != connection.Restorations || time.GetUtcNow() >= nextResync || (_noBoard && HasPending()))
                        {
                            var seen = connection.Restorations;
                            await LoadAllAsync(multiplexer.GetDatabase(), stoppingToken);
                            restorations = seen;
                            nextResync = time.GetUtcNow() + _options.ResyncInterval;
                        }
                        await ApplyChangesAsync(multiplexer.GetDatabase(), stoppingToken);
                        Recovered();
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    Failed(ex);
                    restorations = -1;
                    failed = true;
                }
                finally
                {
                    store.BookWriterGate.Release();
                }
                if (collecting)
                {
                    await Task.Delay(_options.LeaseTtl / 3, time, stoppingToken);
                    continue;
                }
                var wake = _signal.NextAsync();
                // After a failure, wait even with changes pending: they are read again once Redis answers.
                if (failed || !HasPending())
                {
                    // The timer is cancelled once a message wakes us, so waits do not pile up timers.
                    using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    var timeout = Task.Delay(failed ? RetryDelay : _options.ResyncInterval, time, waiting.Token);
                    await (failed ? timeout : Task.WhenAny(wake, timeout));
                    await waiting.CancelAsync();
                    stoppingToken.ThrowIfCancellationRequested();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    /// <summary>Called on the multiplexer's thread: only records the symbols and wakes the loop.</summary>
    private void OnMessage(RedisValue message)
    {
        var text = (string?)message;
        if (string.IsNullOrEmpty(text))
            return;
        lock (_pendingLock)
        {
            foreach (var token in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (token[0] == '-')
                {
                    _removed.Add(token[1..]);
                    _changed.Remove(token[1..]);
                }
                else
                {
                    _changed.Add(token);
                    _removed.Remove(token);
                }
            }
        }
        _signal.Notify();
    }

    private void Discard()
    {
        lock (_pendingLock)
        {
            _changed.Clear();
            _removed.Clear();
        }
    }

    private bool HasPending()
    {
        lock (_pendingLock)
            return _changed.Count > 0 || _removed.Count > 0;
    }

    private async Task ApplyChangesAsync(IDatabase database, CancellationToken cancellationToken)
    {
        HashSet<string> changed, removed;
        lock (_pendingLock)
        {
            (changed, _changed) = (_changed, new(StringComparer.Ordinal));
            (removed, _removed) = (_removed, new(StringComparer.Ordinal));
        }
        if (removed.Count > 0)
            book.RemoveInstruments(Keys(removed));
        if (changed.Count == 0)
            return;
        try
        {
            await ReadAndApplyAsync(database, [.. changed], removeOthers: false, cancellationToken);
        }
        catch
        {
            // Read again with the next message or load.
            lock (_pendingLock)
                _changed.UnionWith(changed);
            throw;
        }
    }

    private async Task LoadAllAsync(IDatabase database, CancellationToken cancellationToken)
    {
        var coins = await database.SetMembersAsync(_keys.Coins).WaitAsync(_options.CommandTimeout, cancellationToken);
        var memberTasks = coins.Select(c => database.SetMembersAsync(_keys.Coin((string)c!))).ToArray();
        var members = await Task.WhenAll(memberTasks).WaitAsync(_options.CommandTimeout, cancellationToken);
        var all = members.SelectMany(m => m).Select(m => (string)m!).Distinct(StringComparer.Ordinal).ToArray();
        var found = all.Length > 0 && await ReadAndApplyAsync(database, all, removeOthers: true, cancellationToken);
        FullLoads++;
        if (found)
        {
            Log.Loaded(logger, book.Index.Count, coins.Length);
            if (_noBoard)
            {
                _noBoard = false;
                store.SetProblem("board", null);
                if (boardLog.Recover())
                    Log.BoardBack(logger, connection.Endpoint, book.Index.Count);
            }
            return;
        }
        // Restarted empty or flushed: what this instance has is still the best there is; keep it (but for what has
        // been delivered meanwhile), say it is stale.
        book.RemoveExpired(time.GetUtcNow());
        _noBoard = true;
        var kept = book.Index.Count;
        store.SetProblem("board", kept > 0
            ? $"Redis has no board (restarted empty?); keeping the last known {kept} options, stale, until a collector writes again"
            : "Redis has no board: nothing to serve until a collector writes one");
        if (boardLog.ShouldLog("no board"))
            Log.NoBoard(logger, connection.Endpoint, kept);
    }

    /// <summary>Reads and applies <paramref name="members"/>; false (and nothing removed) when a full load finds none of them in Redis.</summary>
    private async Task<bool> ReadAndApplyAsync(IDatabase database, string[] members, bool removeOthers, CancellationToken cancellationToken)
    {
        // A member this version cannot read (a malformed venue) is skipped like a missing hash.
        var keys = new InstrumentKey[members.Length];
        var readable = new bool[members.Length];
        for (var i = 0; i < members.Length; i++)
            readable[i] = RedisKeys.TryParseMember(members[i], out keys[i]);
        var batch = database.CreateBatch();
        var reads = members.Select((m, i) => readable[i] ? batch.HashGetAllAsync(_keys.Option(m)) : Task.FromResult(Array.Empty<HashEntry>())).ToArray();
        batch.Execute();
        var hashes = await Task.WhenAll(reads).WaitAsync(_options.CommandTimeout, cancellationToken);

        var present = new HashSet<InstrumentKey>();
        var instruments = new List<OptionInstrument>();
        var index = book.Index;
        for (var i = 0; i < members.Length; i++)
        {
            // An empty hash: expired or deleted since the set was read (a full load leaves it out, see below).
            if (hashes[i].Length == 0)
                continue;
            present.Add(keys[i]);
            if (!index.TryGetSlot(keys[i], out _) && QuoteHash.TryReadInstrument(keys[i].Venue, hashes[i], out var instrument))
                instruments.Add(instrument!);
        }
        // Index sets left without their hashes (expired): no board either, and no reason to empty the book.
        if (removeOthers && present.Count == 0)
            return false;
        // Delivered options stay (Delivering, with their delivery price) while the collector keeps them, and leave at
        // 12:00 UTC of their delivery day at the latest, even when no collector was there to remove them.
        var now = time.GetUtcNow();
        instruments.RemoveAll(i => ListingStatuses.DeliveringUntil(i) <= now);
        if (instruments.Count > 0)
            book.AddInstruments(instruments);
        book.RemoveWhere(i => ListingStatuses.DeliveringUntil(i) <= now);
        // A changed option whose hash is missing is not removed here: the collector announces removals ("-symbol"),
        // and a hash missing without one means Redis lost it (restarted empty, or the collector away for a whole
        // Ttl); the last known value stays until a full load finds a board without it.
        if (removeOthers)
            book.RemoveWhere(i => !present.Contains(i.Key));

        index = book.Index;
        for (var i = 0; i < members.Length; i++)
        {
            if (hashes[i].Length == 0 || !index.TryGetSlot(keys[i], out var slot))
                continue;
            if (QuoteHash.TryReadQuote(hashes[i], out var update))
                book.Apply(slot, update);
            var (status, deliveryPrice) = QuoteHash.ReadListing(hashes[i]);
            book.SetListing(slot, status, deliveryPrice);
        }
        return true;
    }

    private static IEnumerable<InstrumentKey> Keys(IEnumerable<string> members)
    {
        foreach (var member in members)
        {
            if (RedisKeys.TryParseMember(member, out var key))
                yield return key;
        }
    }

    private void Recovered()
    {
        if (_lastError is null)
            return;
        _lastError = null;
        store.SetProblem("reader", null);
        if (readLog.Recover())
            Log.ReadsResumed(logger, connection.Endpoint);
    }

    private void Failed(Exception ex)
    {
        var error = ex is TimeoutException ? $"Redis did not answer within {_options.CommandTimeout}" : ex.Message;
        // Tried again every half second: logged when the fault starts or changes kind, then rarely.
        if (readLog.ShouldLog(RedisConnection.FaultKind(ex)))
            Log.ReadFailed(logger, connection.Endpoint, error);
        _lastError = error;
        store.SetProblem("reader", $"reads from Redis fail, serving the last known data: {error}");
    }
}
