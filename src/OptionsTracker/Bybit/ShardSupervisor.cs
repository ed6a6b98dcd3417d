using System.Threading.Channels;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;

using OptionsTracker.Feed;

namespace OptionsTracker.Bybit;

/// <summary>
/// Owns the WebSocket shards: packs ticker topics into connections within Bybit's per-connection limits
/// (2,000 args, 21,000 characters), starts a shard per connection, moves topics when instruments are
/// listed or delivered, and asks for a REST snapshot of the coins of a shard that came back after a drop.
/// Each topic lives on exactly one shard, so each book slot has a single WebSocket writer. A shard left without topics
/// (its coin untracked, its options delivered) is closed: an empty connection would never be live and only count
/// against the exchange's limits.
/// </summary>
public sealed class ShardSupervisor : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<WebSocketShard> _shards = [];
    // The run of each shard started and not yet finished (closing ones included), with its own stop switch.
    private readonly Dictionary<WebSocketShard, ShardRun> _runs = [];
    private readonly Dictionary<string, WebSocketShard> _shardOfTopic = new(StringComparer.Ordinal);
    // Topics and args characters handed to each shard, kept here so packing never asks a running shard.
    private readonly Dictionary<WebSocketShard, (int Topics, int Chars)> _load = [];
    private readonly Channel<string> _snapshotRequests = Channel.CreateBounded<string>(
        new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    // The shards running now stop with this; StopAllAsync replaces it. Guarded by _lock.
    private CancellationTokenSource _generation;
    private readonly OptionBook _book;
    private readonly BybitOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly RateLimiter _connectLimiter;
    private readonly ExchangeGate _gate;
    private readonly ITopicHandler[] _topicHandlers;
    private int _nextShardId;
    // Counters of shards closed by StopAllAsync (and those being closed), so totals never go backwards. Guarded by _lock.
    private ShardTotals _closedTotals;
    private WebSocketShard[] _closing = [];

    /// <param name="topicHandlers">Handlers of topics other than tickers (registered by the features that read them).</param>
    public ShardSupervisor(OptionBook book, IOptions<BybitOptions> options, TimeProvider time, ILoggerFactory loggerFactory,
        IEnumerable<ITopicHandler> topicHandlers)
    {
        _topicHandlers = [.. topicHandlers];
        _book = book;
        _options = options.Value;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ShardSupervisor>();
        _generation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        // Bybit: at most 500 new connections per 5 minutes per IP.
        _connectLimiter = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = _options.MaxNewConnectionsPerFiveMinutes,
            Window = TimeSpan.FromMinutes(5),
            SegmentsPerWindow = 10,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _gate = new ExchangeGate(_options.WsUrl, _options, time, _logger);
    }

    /// <summary>Base coins whose shard reconnected and needs its REST snapshot read again.</summary>
    public ChannelReader<string> SnapshotRequests => _snapshotRequests.Reader;

    public static string TopicOf(string symbol) => TickerTopicHandler.Prefix + symbol;

    public static string SymbolOf(string topic) => topic[TickerTopicHandler.Prefix.Length..];

    /// <summary>The base coin a topic is about: <c>tickers.BTC-27MAR26-70000-C-USDT</c> and <c>publicTrade.BTC</c> are BTC's.</summary>
    private static string CoinOf(string topic)
    {
        var name = topic[(topic.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        return dash < 0 ? name : name[..dash];
    }

    /// <summary>Subscribes the tickers of these symbols, filling existing connections before opening new ones.</summary>
    public void AddSymbols(IEnumerable<string> symbols) => AddTopics(symbols.Select(TopicOf));

    /// <summary>Unsubscribes the tickers of these symbols; their connections stay up for the rest, and close when none is left.</summary>
    public void RemoveSymbols(IEnumerable<string> symbols) => RemoveTopics(symbols.Select(TopicOf));

    /// <summary>
    /// Subscribes these topics (of any family a handler takes), filling existing connections before opening new ones.
    /// </summary>
    public void AddTopics(IEnumerable<string> topics)
    {
        var started = new List<WebSocketShard>();
        var assignments = new Dictionary<WebSocketShard, List<string>>();
        int total;
        lock (_lock)
        {
            foreach (var topic in topics)
            {
                if (_shardOfTopic.ContainsKey(topic))
                    continue;
                var shard = FindRoom(topic);
                if (shard is null)
                {
                    shard = new WebSocketShard(++_nextShardId, _book, _options, _time, _connectLimiter, _gate,
                        _loggerFactory.CreateLogger<WebSocketShard>(), OnResubscribed, _topicHandlers);
                    _shards.Add(shard);
                    _load[shard] = (0, 0);
                    started.Add(shard);
                }
                _shardOfTopic[topic] = shard;
                _load[shard] = (_load[shard].Topics + 1, _load[shard].Chars + WebSocketShard.ArgsChars(topic));
                if (!assignments.TryGetValue(shard, out var list))
                    assignments[shard] = list = [];
                list.Add(topic);
            }
            total = _shardOfTopic.Count;
        }
        foreach (var (shard, assigned) in assignments)
            shard.Assign(assigned);
        if (started.Count > 0)
        {
            Log.Sharding(_logger, total, ShardCount);
            lock (_lock)
            {
                // A StopAllAsync in between has forgotten these shards: they must not start.
                foreach (var shard in started.Where(_shards.Contains))
                {
                    var stop = CancellationTokenSource.CreateLinkedTokenSource(_generation.Token);
                    _runs[shard] = new ShardRun(Task.Run(() => shard.RunAsync(stop.Token)), stop);
                }
            }
        }
    }

    /// <summary>Unsubscribes these topics; their connections stay up for the rest, and close when none is left.</summary>
    public void RemoveTopics(IEnumerable<string> topics)
    {
        var removals = new Dictionary<WebSocketShard, List<string>>();
        var emptied = new List<(WebSocketShard Shard, ShardRun? Run)>();
        lock (_lock)
        {
            foreach (var topic in topics)
            {
                if (!_shardOfTopic.Remove(topic, out var shard))
                    continue;
                _load[shard] = (_load[shard].Topics - 1, _load[shard].Chars - WebSocketShard.ArgsChars(topic));
                if (!removals.TryGetValue(shard, out var list))
                    removals[shard] = list = [];
                list.Add(topic);
            }
            foreach (var shard in removals.Keys.Where(s => _load[s].Topics == 0))
            {
                // Counted as closing (its counters stay in the totals) until its run has ended.
                _shards.Remove(shard);
                _load.Remove(shard);
                _closing = [.. _closing, shard];
                emptied.Add((shard, _runs.GetValueOrDefault(shard)));
            }
        }
        foreach (var (shard, removed) in removals)
            shard.Unassign(removed);
        foreach (var (shard, run) in emptied)
        {
            Log.EmptyShardClosed(_logger, shard.Id);
            if (run is null)
            {
                Retire(shard);
                continue;
            }
            run.Stop.Cancel();
            // Owned by the run it follows; StopAllAsync and DisposeAsync await that run.
            run.Task.ContinueWith(_ => Retire(shard), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>A closed shard's run has ended: its counters move to the closed totals.</summary>
    private void Retire(WebSocketShard shard)
    {
        lock (_lock)
        {
            if (!_closing.Contains(shard))
                return;
            _closedTotals += ShardTotals.Of([shard.Status()]);
            _closing = [.. _closing.Where(s => s != shard)];
            if (_runs.Remove(shard, out var run))
                run.Stop.Dispose();
        }
    }

    /// <summary>
    /// Closes every connection and forgets every topic: for a collector that lost its lease, whose book another
    /// process feeds now (idle connections would only count against the exchange's connection limits). A later
    /// <see cref="AddSymbols"/> starts afresh.
    /// </summary>
    public async Task StopAllAsync()
    {
        CancellationTokenSource generation;
        ShardRun[] running;
        WebSocketShard[] stopped;
        lock (_lock)
        {
            generation = _generation;
            _generation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            // Emptied shards still closing stay in _runs: their own continuation retires them.
            running = [.. _runs.Where(r => _shards.Contains(r.Key)).Select(r => r.Value)];
            foreach (var shard in _shards)
                _runs.Remove(shard);
            stopped = [.. _shards];
            _closing = [.. _closing, .. stopped];
            _shards.Clear();
            _shardOfTopic.Clear();
            _load.Clear();
        }
        await generation.CancelAsync();
        await WhenStoppedAsync([.. running.Select(r => r.Task)]);
        foreach (var run in running)
            run.Stop.Dispose();
        generation.Dispose();
        lock (_lock)
        {
            _closedTotals += ShardTotals.Of(stopped.Select(s => s.Status()));
            _closing = [.. _closing.Except(stopped)];
        }
        Log.ShardsStopped(_logger, stopped.Length);
    }

    public int ShardCount
    {
        get { lock (_lock) return _shards.Count; }
    }

    public int TopicCount
    {
        get { lock (_lock) return _shardOfTopic.Count; }
    }

    /// <summary>
    /// The status of each live connection, and in <paramref name="totals"/> the counters of every connection this
    /// process has had, those closed by <see cref="StopAllAsync"/> included, so they never go backwards.
    /// </summary>
    public IReadOnlyList<ShardStatus> GetStatus(out ShardTotals totals)
    {
        WebSocketShard[] shards;
        WebSocketShard[] closing;
        ShardTotals closed;
        lock (_lock)
        {
            shards = [.. _shards];
            closing = [.. _closing];
            closed = _closedTotals;
        }
        IReadOnlyList<ShardStatus> live = [.. shards.Select(s => s.Status())];
        totals = closed + ShardTotals.Of(live) + ShardTotals.Of(closing.Select(s => s.Status()));
        return live;
    }

    private WebSocketShard? FindRoom(string topic)
    {
        var need = WebSocketShard.ArgsChars(topic);
        foreach (var shard in _shards)
        {
            var (topics, chars) = _load[shard];
            if (topics < _options.MaxTopicsPerConnection && chars + need <= _options.MaxArgsCharsPerConnection)
                return shard;
        }
        return null;
    }

    private void OnResubscribed(WebSocketShard shard)
    {
        foreach (var coin in shard.AssignedTopics().Select(CoinOf).Distinct(StringComparer.Ordinal))
            _snapshotRequests.Writer.TryWrite(coin);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Task[] running;
        lock (_lock) running = [.. _runs.Values.Select(r => r.Task)];
        await WhenStoppedAsync(running);
        _connectLimiter.Dispose();
        lock (_lock) _generation.Dispose();
        _stopping.Dispose();
    }

    private sealed record ShardRun(Task Task, CancellationTokenSource Stop);

    private static async Task WhenStoppedAsync(Task[] running)
    {
        try
        {
            await Task.WhenAll(running);
        }
        catch (OperationCanceledException)
        {
            // Stopped as asked.
        }
    }
}
