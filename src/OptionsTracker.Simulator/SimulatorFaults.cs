using Microsoft.Extensions.Logging;

namespace OptionsTracker.Simulator;

/// <summary>Switches that make the simulator misbehave the way the real exchange can. Safe to call from any thread.</summary>
public sealed class SimulatorFaults
{
    private readonly Func<IEnumerable<WebSocketSession>> _sessions;
    private readonly ILogger _logger;
    private readonly Lock _restGate = new();
    private int _topicsToRefuse;
    private int _restFailuresLeft;
    private RestFailure _restFailure;
    private volatile bool _suppressPongs;
    private volatile bool _silentConnections;
    private volatile bool _fragmentFrames;
    private volatile bool _rejectNewConnections;
    private readonly TimeProvider _time;
    private long _ipBanUntilMs;

    internal SimulatorFaults(Func<IEnumerable<WebSocketSession>> sessions, ILogger logger, TimeProvider time)
    {
        _sessions = sessions;
        _logger = logger;
        _time = time;
    }

    /// <summary>
    /// Bans this client's IP for <paramref name="duration"/> on the simulator's clock: every REST request answers HTTP 403
    /// "access too frequent", as Bybit does past its IP limit (600 requests per 5 s; the ban lasts at least 10 minutes,
    /// rate-limit/rate-limit.mdx). <see cref="TimeSpan.Zero"/> lifts it.
    /// </summary>
    public void BanIp(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        Log.FaultInjected(_logger, $"IP ban for {duration}");
        Volatile.Write(ref _ipBanUntilMs, _time.GetUtcNow().ToUnixTimeMilliseconds() + (long)duration.TotalMilliseconds);
    }

    /// <summary>Whether REST requests are answered with HTTP 403 right now (see <see cref="BanIp"/>).</summary>
    public bool IsIpBanned => _time.GetUtcNow().ToUnixTimeMilliseconds() < Volatile.Read(ref _ipBanUntilMs);

    /// <summary>Aborts every open WebSocket at the TCP level, with no close handshake.</summary>
    public void DropAllConnections()
    {
        Log.FaultInjected(_logger, "drop all connections");
        foreach (var session in _sessions())
            session.Abort();
    }

    /// <summary>While true, text pings get no pong; data still flows.</summary>
    public bool SuppressPongs
    {
        get => _suppressPongs;
        set => _suppressPongs = value;
    }

    /// <summary>While true, connections send nothing at all (no acks, pongs or pushes) yet stay open.</summary>
    public bool SilentConnections
    {
        get => _silentConnections;
        set => _silentConnections = value;
    }

    /// <summary>
    /// Makes every open connection send <paramref name="countPerConnection"/> bad messages, cycling through: garbage bytes,
    /// truncated JSON, a ticker whose numbers are not numbers, and a ticker whose <c>data</c> is an array. Normal pushes
    /// continue afterwards.
    /// </summary>
    public void SendMalformedFrames(int countPerConnection)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(countPerConnection);
        Log.FaultInjected(_logger, $"{countPerConnection} malformed frames per connection");
        foreach (var session in _sessions())
            session.QueueMalformedFrames(countPerConnection);
    }

    /// <summary>The next <paramref name="count"/> topics that would be subscribed are answered in <c>failTopics</c> instead.</summary>
    public void RefuseTopics(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Interlocked.Add(ref _topicsToRefuse, count);
    }

    /// <summary>The next <paramref name="count"/> REST requests fail the given way.</summary>
    public void FailNextRestRequests(int count, RestFailure failure)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_restGate)
        {
            _restFailuresLeft = count;
            _restFailure = failure;
        }
    }

    /// <summary>While true, each WebSocket message is sent as 2 or 3 frames split at random byte positions.</summary>
    public bool FragmentFrames
    {
        get => _fragmentFrames;
        set => _fragmentFrames = value;
    }

    /// <summary>While true, WebSocket upgrades are refused with HTTP 503, like an unreachable exchange.</summary>
    public bool RejectNewConnections
    {
        get => _rejectNewConnections;
        set => _rejectNewConnections = value;
    }

    internal bool TryTakeTopicRefusal()
    {
        while (true)
        {
            int left = Volatile.Read(ref _topicsToRefuse);
            if (left <= 0)
                return false;
            if (Interlocked.CompareExchange(ref _topicsToRefuse, left - 1, left) == left)
                return true;
        }
    }

    internal bool TryTakeRestFailure(out RestFailure failure)
    {
        lock (_restGate)
        {
            failure = _restFailure;
            if (_restFailuresLeft <= 0)
                return false;
            _restFailuresLeft--;
            return true;
        }
    }
}
