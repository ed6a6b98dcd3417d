using Microsoft.Extensions.Logging;

namespace OptionsTracker.Simulator;

/// <summary>Switches that make the simulator misbehave the way the real exchange can. Safe to call from any thread.</summary>
public sealed class SimulatorFaults
{
    private readonly Func<IEnumerable<WebSocketSession>> _sessions;
    private readonly ILogger _logger;
    private readonly Lock _restGate = new();
    private readonly Lock _refusedGate = new();
    private readonly HashSet<string> _refusedForever = new(StringComparer.Ordinal);
    private int _topicsToRefuse;
    private int _requestsToReject;
    private int _restFailuresLeft;
    private RestFailure _restFailure;
    private int _volatilityFailuresLeft;
    private RestFailure _volatilityFailure;
    private volatile bool _suppressPongs;
    private volatile bool _silentConnections;
    private volatile bool _emptyInstrumentLists;
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
    /// While true, instruments-info answers every coin with an empty <c>list</c> (retCode 0), as Bybit has been seen to
    /// during incidents; the board itself is unchanged, so pushes go on.
    /// </summary>
    public bool EmptyInstrumentLists
    {
        get => _emptyInstrumentLists;
        set => _emptyInstrumentLists = value;
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

    /// <summary>
    /// The exchange's duplicates: the next <paramref name="countPerConnection"/> trade messages (<c>publicTrade</c>, and
    /// <c>rfq.open.public.trades</c> on the RFQ stream) each open connection sends go out twice, byte for byte. The trades
    /// are made once (<see cref="BybitSimulator.EmittedTrades"/>): a client must keep one of each.
    /// </summary>
    public void SendTradesTwice(int countPerConnection)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(countPerConnection);
        Log.FaultInjected(_logger, $"next {countPerConnection} trade messages twice per connection");
        foreach (var session in _sessions())
            session.QueueDuplicateTrades(countPerConnection);
    }

    /// <summary>
    /// Makes every open option-stream connection send <paramref name="countPerConnection"/> bad <c>publicTrade</c> messages,
    /// cycling through: an item whose numbers are not numbers, <c>data</c> as an object, and truncated JSON. Their trade
    /// ids (<c>malformed-…</c>) are in no record; real trades keep flowing around them.
    /// </summary>
    public void SendMalformedTrades(int countPerConnection)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(countPerConnection);
        Log.FaultInjected(_logger, $"{countPerConnection} malformed trade messages per connection");
        foreach (var session in _sessions())
            session.QueueMalformedTrades(countPerConnection);
    }

    /// <summary>The next <paramref name="count"/> topics that would be subscribed are answered in <c>failTopics</c> instead.</summary>
    public void RefuseTopics(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Interlocked.Add(ref _topicsToRefuse, count);
    }

    /// <summary>
    /// These topics (e.g. <c>tickers.BTC-…</c>) are answered in <c>failTopics</c> on every subscribe, on every connection,
    /// until <see cref="AcceptTopics"/>: a topic the exchange refuses for good.
    /// </summary>
    public void RefuseTopicsForever(params IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        lock (_refusedGate)
        {
            foreach (string topic in topics)
                _refusedForever.Add(topic);
        }

        Log.FaultInjected(_logger, "refuse topics for good");
    }

    /// <summary>Lifts <see cref="RefuseTopicsForever"/> for these topics, or for all when none are given.</summary>
    public void AcceptTopics(params IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        lock (_refusedGate)
        {
            var list = topics.ToList();
            if (list.Count == 0)
                _refusedForever.Clear();
            foreach (string topic in list)
                _refusedForever.Remove(topic);
        }
    }

    /// <summary>The topics refused for good now.</summary>
    public IReadOnlyList<string> RefusedTopics
    {
        get
        {
            lock (_refusedGate)
                return [.. _refusedForever];
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> subscribe requests, whatever their topics, are rejected whole in the public V5 form
    /// without <c>type</c>: <c>{"success":false,"ret_msg":"error:…","conn_id":…,"req_id":…,"op":"subscribe"}</c>; nothing
    /// in them is subscribed.
    /// </summary>
    public void RejectNextSubscribeRequests(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Interlocked.Add(ref _requestsToReject, count);
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

    /// <summary>
    /// The next <paramref name="count"/> <c>/v5/market/historical-volatility</c> requests fail the given way. Kept apart from
    /// <see cref="FailNextRestRequests"/>: the tracker asks that endpoint on its own schedule, and a fault meant for the
    /// feed's requests must not be taken by it (nor one meant for it by the feed).
    /// </summary>
    public void FailNextHistoricalVolatilityRequests(int count, RestFailure failure)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_restGate)
        {
            _volatilityFailuresLeft = count;
            _volatilityFailure = failure;
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

    internal bool TryTakeTopicRefusal() => TryTake(ref _topicsToRefuse);

    internal bool TryTakeRequestRejection() => TryTake(ref _requestsToReject);

    internal bool IsRefusedForever(string topic)
    {
        lock (_refusedGate)
            return _refusedForever.Contains(topic);
    }

    private static bool TryTake(ref int counter)
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

    internal bool TryTakeHistoricalVolatilityFailure(out RestFailure failure)
    {
        lock (_restGate)
        {
            failure = _volatilityFailure;
            if (_volatilityFailuresLeft <= 0)
                return false;
            _volatilityFailuresLeft--;
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
