using Microsoft.Extensions.Options;
using OptionsTracker.Book;
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
/// </summary>
public sealed class RedisReader(
    OptionBook book,
    RedisConnection connection,
    RedisOptionStore store,
    IOptions<StoreOptions> options,
    TimeProvider time,
    ILogger<RedisReader> logger,
    CollectorLease? lease = null) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private readonly StoreOptions _options = options.Value;
    private readonly RedisKeys _keys = connection.Keys;
    private readonly Lock _pendingLock = new();
    // Symbols named by change messages and not yet read; a set, so a symbol changed in many flushes is read once.
    private HashSet<string> _changed = new(StringComparer.Ordinal);
    private HashSet<string> _removed = new(StringComparer.Ordinal);
    private readonly ChangeSignal _signal = new();
    private string? _lastError;

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
                            store.SetProblem("reader", null);
                        }
                    }
                    else
                    {
                        if (restorations != connection.Restorations || time.GetUtcNow() >= nextResync)
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
            book.RemoveInstruments(removed);
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
        var symbols = members.SelectMany(m => m).Select(m => (string)m!).Distinct(StringComparer.Ordinal).ToArray();
        await ReadAndApplyAsync(database, symbols, removeOthers: true, cancellationToken);
        FullLoads++;
        Log.Loaded(logger, book.Index.Count, coins.Length);
    }

    private async Task ReadAndApplyAsync(IDatabase database, string[] symbols, bool removeOthers, CancellationToken cancellationToken)
    {
        var batch = database.CreateBatch();
        var reads = symbols.Select(s => batch.HashGetAllAsync(_keys.Option(s))).ToArray();
        batch.Execute();
        var hashes = await Task.WhenAll(reads).WaitAsync(_options.CommandTimeout, cancellationToken);

        var present = new HashSet<string>(StringComparer.Ordinal);
        var instruments = new List<OptionInstrument>();
        var index = book.Index;
        for (var i = 0; i < symbols.Length; i++)
        {
            // An empty hash has expired or been deleted since the set was read: the option is gone.
            if (hashes[i].Length == 0)
                continue;
            present.Add(symbols[i]);
            if (!index.TryGetSlot(symbols[i], out _) && QuoteHash.TryReadInstrument(hashes[i], out var instrument))
                instruments.Add(instrument!);
        }
        // Delivered options stay (Delivering, with their delivery price) while the collector keeps them, and leave at
        // 12:00 UTC of their delivery day at the latest, even when no collector was there to remove them.
        var now = time.GetUtcNow();
        instruments.RemoveAll(i => ListingStatuses.DeliveringUntil(i) <= now);
        if (instruments.Count > 0)
            book.AddInstruments(instruments);
        book.RemoveWhere(i => ListingStatuses.DeliveringUntil(i) <= now);
        if (removeOthers)
        {
            book.RemoveWhere(i => !present.Contains(i.Symbol));
        }
        else if (present.Count < symbols.Length)
        {
            var gone = symbols.Where(s => !present.Contains(s)).ToHashSet(StringComparer.Ordinal);
            book.RemoveWhere(i => gone.Contains(i.Symbol));
        }

        index = book.Index;
        for (var i = 0; i < symbols.Length; i++)
        {
            if (hashes[i].Length == 0 || !index.TryGetSlot(symbols[i], out var slot))
                continue;
            if (QuoteHash.TryReadQuote(hashes[i], out var update))
                book.Apply(slot, update);
            var (status, deliveryPrice) = QuoteHash.ReadListing(hashes[i]);
            book.SetListing(slot, status, deliveryPrice);
        }
    }

    private void Recovered()
    {
        if (_lastError is null)
            return;
        _lastError = null;
        store.SetProblem("reader", null);
        Log.ReadsResumed(logger, connection.Endpoint);
    }

    private void Failed(Exception ex)
    {
        var error = ex is TimeoutException ? $"Redis did not answer within {_options.CommandTimeout}" : ex.Message;
        if (_lastError != error)
            Log.ReadFailed(logger, connection.Endpoint, error);
        _lastError = error;
        store.SetProblem("reader", $"reads from Redis fail, serving the last known data: {error}");
    }
}
