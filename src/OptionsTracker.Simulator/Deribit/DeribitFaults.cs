using Microsoft.Extensions.Logging;

namespace OptionsTracker.Simulator.Deribit;

/// <summary>Switches that make the Deribit simulator misbehave the way the real exchange can. Any thread.</summary>
public sealed class DeribitFaults
{
    private readonly Func<IEnumerable<DeribitSession>> _sessions;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal);
    private int _tooManyRequests;
    private int _refuseNextChannels;
    private volatile bool _silent;
    private volatile bool _rejectNewConnections;
    private volatile bool _ignoreHeartbeatAnswers;

    internal DeribitFaults(Func<IEnumerable<DeribitSession>> sessions, ILogger logger)
    {
        _sessions = sessions;
        _logger = logger;
    }

    /// <summary>Aborts every open WebSocket at the TCP level, with no close handshake. Trades go on being made.</summary>
    public void DropAllConnections()
    {
        Log.FaultInjected(_logger, "drop all connections");
        foreach (var session in _sessions())
            session.Abort();
    }

    /// <summary>
    /// While true, connections stay open but send nothing: no answers, no pushes, no heartbeats (and the server stops
    /// checking the client's answers to heartbeats, as a stalled server would).
    /// </summary>
    public bool Silent
    {
        get => _silent;
        set
        {
            Log.FaultInjected(_logger, $"silent = {value}");
            _silent = value;
        }
    }

    /// <summary>While true, WebSocket upgrades are refused with HTTP 503.</summary>
    public bool RejectNewConnections
    {
        get => _rejectNewConnections;
        set => _rejectNewConnections = value;
    }

    /// <summary>While true, the server ignores <c>public/test</c> answers to heartbeats, so it closes connections that have heartbeats on.</summary>
    public bool IgnoreHeartbeatAnswers
    {
        get => _ignoreHeartbeatAnswers;
        set => _ignoreHeartbeatAnswers = value;
    }

    /// <summary>
    /// The next <paramref name="count"/> requests (WebSocket or HTTP, any method) answer error 10028
    /// <c>too_many_requests</c> as if the credits ran out (a WebSocket is then closed when
    /// <see cref="DeribitSimulatorOptions.CloseOnTooManyRequests"/>).
    /// </summary>
    public void TooManyRequests(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Log.FaultInjected(_logger, $"10028 on the next {count} requests");
        Interlocked.Add(ref _tooManyRequests, count);
    }

    /// <summary>The next <paramref name="count"/> channels asked for in subscribe calls are left out of the result (not subscribed).</summary>
    public void RefuseNextChannels(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Interlocked.Add(ref _refuseNextChannels, count);
    }

    /// <summary>These channels are never subscribed (left out of subscribe results) until <see cref="AcceptChannels"/>.</summary>
    public void RefuseChannels(params string[] channels)
    {
        lock (_gate)
            _refused.UnionWith(channels);
    }

    /// <summary>Lifts <see cref="RefuseChannels"/> for these channels, or for all when none are given.</summary>
    public void AcceptChannels(params string[] channels)
    {
        lock (_gate)
        {
            if (channels.Length == 0)
                _refused.Clear();
            else
                _refused.ExceptWith(channels);
        }
    }

    internal bool TakeTooManyRequests() => TakeOne(ref _tooManyRequests);

    internal bool Refuses(string channel)
    {
        lock (_gate)
        {
            if (_refused.Contains(channel))
                return true;
        }

        return TakeOne(ref _refuseNextChannels);
    }

    private static bool TakeOne(ref int counter)
    {
        while (true)
        {
            int left = Volatile.Read(ref counter);
            if (left <= 0)
                return false;
            if (Interlocked.CompareExchange(ref counter, left - 1, left) == left)
                return true;
        }
    }

    internal string State() =>
        $"silent={Silent} reject-connections={RejectNewConnections} ignore-heartbeat-answers={IgnoreHeartbeatAnswers} too-many-requests-pending={Volatile.Read(ref _tooManyRequests)} refuse-next={Volatile.Read(ref _refuseNextChannels)}";
}
