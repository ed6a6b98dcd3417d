using Microsoft.Extensions.Options;
using OptionsTracker.Diagnostics;
using OptionsTracker.Feed;
using StackExchange.Redis;

namespace OptionsTracker.Store;

/// <summary>
/// Decides whether this process collects. Without Redis it always does (<see cref="Feed.AlwaysHeldLease"/>). With Redis, exactly one collector
/// holds a lease key (<c>SET NX PX</c>) that it renews every third of its time to live with a
/// compare-and-extend script; a standby tries to take it at the same pace, so it takes over at most about
/// <see cref="StoreOptions.LeaseTtl"/> after the holder dies. A holder that cannot reach Redis keeps
/// collecting (nobody else can take the lease from a Redis it cannot reach either, and the book keeps the
/// state for when Redis returns); it stops only when Redis answers that the lease is someone else's. A
/// collector that has not reached Redis since it started collects too, provisionally: it cannot know
/// whether another one is active, and an empty board helps nobody; the lease decides once Redis answers.
/// </summary>
public sealed class CollectorLease : BackgroundService, Feed.ICollectorLease
{
    // KEYS[1] lease, ARGV[1] our id, ARGV[2] ttl ms. Extends only a lease we still hold.
    private const string RenewScript = """
        if redis.call('get', KEYS[1]) == ARGV[1] then
          return redis.call('pexpire', KEYS[1], ARGV[2])
        end
        return 0
        """;

    private const string ReleaseScript = """
        if redis.call('get', KEYS[1]) == ARGV[1] then
          return redis.call('del', KEYS[1])
        end
        return 0
        """;

    private readonly RedisConnection _connection;
    private readonly RedisOptionStore _store;
    private readonly StoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<CollectorLease> _logger;
    private readonly LogThrottle _errorLog;
    private readonly Lock _lock = new();
    private TaskCompletionSource<CancellationToken> _acquired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _held;
    private bool _everReached;
    private readonly List<Func<CancellationToken, Task>> _handovers = [];
    private Task _handover = Task.CompletedTask;

    public CollectorLease(IOptions<StoreOptions> options, TimeProvider time, ILogger<CollectorLease> logger,
        LogThrottle errorLog, RedisConnection connection, RedisOptionStore store)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _errorLog = errorLog;
        _connection = connection;
        _store = store;
        Id = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}"[..^24];
    }

    /// <summary>This collector's id, as it appears in the lease and the stats hash.</summary>
    public string Id { get; }

    public bool IsHeld
    {
        get
        {
            lock (_lock)
                return _acquired.Task.IsCompletedSuccessfully;
        }
    }

    /// <summary>The current holder's id as last read from Redis (ours while held).</summary>
    public string? Holder { get; private set; }

    /// <summary>
    /// Work that must be done when this process takes the lease and before it collects: the trade mirror's last catch-up,
    /// so the feed continues the tape's sequences where the previous collector left them. Run once per term (with a
    /// token cancelled when the lease is lost); <see cref="AcquireAsync"/> returns after it. A handover must bound its
    /// own time and never throw (a Redis that does not answer must not keep the collector from collecting).
    /// </summary>
    public void AddHandover(Func<CancellationToken, Task> handover)
    {
        lock (_lock)
            _handovers.Add(handover);
    }

    /// <summary>
    /// Completes once this process holds the lease, with a token cancelled when it loses it.
    /// </summary>
    public async Task<CancellationToken> AcquireAsync(CancellationToken cancellationToken)
    {
        Task<CancellationToken> acquired;
        lock (_lock)
            acquired = _acquired.Task;
        var held = await acquired.WaitAsync(cancellationToken);
        // A standby's book is filled from Redis: let the reader finish its round (it sees IsHeld after it).
        await _store.BookWriterGate.WaitAsync(cancellationToken);
        _store.BookWriterGate.Release();
        Task handover;
        lock (_lock)
            handover = _handover;
        try
        {
            await handover.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The lease was lost during the handover: the caller finds the held token cancelled.
        }
        return held;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = _options.LeaseTtl / 3;
        try
        {
            var multiplexer = await _connection.GetAsync(stoppingToken);
            using var timer = new PeriodicTimer(period, _time);
            do
            {
                await TryAcquireOrRenewAsync(multiplexer.GetDatabase(), stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private async Task TryAcquireOrRenewAsync(IDatabase database, CancellationToken cancellationToken)
    {
        var key = _connection.Keys.Lease;
        var ttl = _options.LeaseTtl;
        try
        {
            if (!IsHeld)
            {
                if (await database.StringSetAsync(key, Id, ttl, When.NotExists).WaitAsync(_options.CommandTimeout, cancellationToken))
                {
                    Holder = Id;
                    Acquired();
                }
                else
                {
                    Holder = await database.StringGetAsync(key).WaitAsync(_options.CommandTimeout, cancellationToken);
                }
            }
            else
            {
                var renewed = (long)await database.ScriptEvaluateAsync(RenewScript, [key], [Id, (long)ttl.TotalMilliseconds])
                    .WaitAsync(_options.CommandTimeout, cancellationToken);
                // Not ours any more: expired while Redis was away (or restarted empty, or we held it provisionally).
                // Take it again if nobody else did; stand by if somebody did.
                if (renewed == 0 && !await database.StringSetAsync(key, Id, ttl, When.NotExists).WaitAsync(_options.CommandTimeout, cancellationToken))
                {
                    Holder = await database.StringGetAsync(key).WaitAsync(_options.CommandTimeout, cancellationToken);
                    Lost(Holder);
                }
                else
                {
                    Holder = Id;
                }
            }
            _everReached = true;
            _store.SetProblem("lease", null);
            _errorLog.Recover();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Keep what we have: see the class comment.
            _store.SetProblem("lease", $"cannot {(IsHeld ? "renew" : "take")} the collector lease: {ex.Message}");
            // Tried every third of the lease: logged when the fault starts or changes kind, then rarely.
            if (_errorLog.ShouldLog(RedisConnection.FaultKind(ex)))
                Log.LeaseError(_logger, ex.Message);
            if (!_everReached && !IsHeld)
            {
                Log.ProvisionalLease(_logger, Id);
                Acquired();
            }
        }
    }

    private void Acquired()
    {
        lock (_lock)
        {
            _held = new CancellationTokenSource();
            var token = _held.Token;
            Func<CancellationToken, Task>[] handovers = [.. _handovers];
            _handover = handovers.Length == 0 ? Task.CompletedTask : Task.Run(async () =>
            {
                foreach (var handover in handovers)
                    await handover(token);
            }, token);
            _acquired.TrySetResult(token);
        }
        Log.LeaseAcquired(_logger, Id);
    }

    private void Lost(string? holder)
    {
        CancellationTokenSource? held;
        lock (_lock)
        {
            held = _held;
            _held = null;
            _acquired = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        Log.LeaseLost(_logger, Id, holder ?? "nobody");
        if (held is not null)
        {
            held.Cancel();
            held.Dispose();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!IsHeld || !_connection.IsConnected)
            return;
        // Hand over at once on a clean stop instead of making the standby wait for the lease to expire.
        try
        {
            var multiplexer = await _connection.GetAsync(cancellationToken);
            await multiplexer.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [_connection.Keys.Lease], [Id])
                .WaitAsync(_options.CommandTimeout, cancellationToken);
            Log.LeaseReleased(_logger, Id);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            Log.LeaseError(_logger, ex.Message);
        }
        catch (ObjectDisposedException)
        {
            // The connection was already closed by the host's shutdown: the lease simply expires.
        }
    }
}
