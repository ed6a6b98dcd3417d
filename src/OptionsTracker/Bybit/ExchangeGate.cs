namespace OptionsTracker.Bybit;

/// <summary>
/// Whether Bybit's option stream answers, shared by every shard of a supervisor. While it does not (connections refused,
/// or accepted and then silent), one shard (the probe) keeps trying with a short backoff and the others wait here instead
/// of each backing off on its own: their delays would have grown during the outage, so some would come back long after
/// the exchange did. When the exchange answers on any connection, every waiting shard is released at once (still within
/// the connection rate limit), so the whole feed is back within seconds.
/// Thread-safe; shards call it from their own loops.
/// </summary>
internal sealed class ExchangeGate(Uri url, BybitOptions options, TimeProvider time, ILogger logger)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _down;
    private long _downSince;
    // The shard probing while the exchange is down; 0 = none yet (the next shard to ask becomes it).
    private int _prober;

    /// <summary>Whether the stream is taken as down now: one shard probes it and the others wait.</summary>
    internal bool IsDown
    {
        get { lock (_lock) return _down; }
    }

    /// <summary>Returns when <paramref name="shardId"/> may try to connect: at once while the exchange answers or when this shard is the probe.</summary>
    public async Task WaitToConnectAsync(int shardId, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (!_down)
                    return;
                if (_prober == 0)
                    _prober = shardId;
                if (_prober == shardId)
                    return;
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// A connect failed, or a connection got no answer at all. Returns true when <paramref name="shardId"/> is the probe (it backs off and tries again); false
    /// when another shard probes (this one waits in <see cref="WaitToConnectAsync"/>).
    /// </summary>
    public bool ConnectFailed(int shardId, string reason)
    {
        lock (_lock)
        {
            if (!_down)
            {
                _down = true;
                _downSince = time.GetTimestamp();
                _prober = shardId;
                Log.ExchangeDown(logger, url, reason, shardId, options.MaxProbeDelay);
            }
            else if (_prober == 0)
            {
                _prober = shardId;
            }
            return _prober == shardId;
        }
    }

    /// <summary>The exchange answered on a connection (its first message): every waiting shard goes.</summary>
    public void Connected()
    {
        TaskCompletionSource release;
        lock (_lock)
        {
            if (!_down)
                return;
            _down = false;
            _prober = 0;
            release = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Log.ExchangeBack(logger, time.GetElapsedTime(_downSince));
        }
        release.TrySetResult();
    }

    /// <summary>A shard stops (closed, or the supervisor stopped it): if it was the probe, another waiting shard takes over.</summary>
    public void Leave(int shardId)
    {
        TaskCompletionSource release;
        lock (_lock)
        {
            if (_prober != shardId)
                return;
            _prober = 0;
            release = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        release.TrySetResult();
    }
}
