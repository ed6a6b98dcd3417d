using System.Threading.Channels;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;

namespace OptionsTracker.Bybit;

/// <summary>
/// Owns the WebSocket shards: packs ticker topics into connections within Bybit's per-connection limits
/// (2,000 args, 21,000 characters), starts a shard per connection, moves topics when instruments are
/// listed or delivered, and asks for a REST snapshot of the coins of a shard that came back after a drop.
/// Each topic lives on exactly one shard, so each book slot has a single WebSocket writer.
/// </summary>
public sealed class ShardSupervisor : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<WebSocketShard> _shards = [];
    private readonly List<Task> _running = [];
    private readonly Dictionary<string, WebSocketShard> _shardOfTopic = new(StringComparer.Ordinal);
    // Topics and args characters handed to each shard, kept here so packing never asks a running shard.
    private readonly Dictionary<WebSocketShard, (int Topics, int Chars)> _load = [];
    private readonly Channel<string> _snapshotRequests = Channel.CreateBounded<string>(
        new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly OptionBook _book;
    private readonly BybitOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly RateLimiter _connectLimiter;
    private int _nextShardId;

    public ShardSupervisor(OptionBook book, IOptions<BybitOptions> options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _book = book;
        _options = options.Value;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ShardSupervisor>();
        // Bybit: at most 500 new connections per 5 minutes per IP.
        _connectLimiter = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = _options.MaxNewConnectionsPerFiveMinutes,
            Window = TimeSpan.FromMinutes(5),
            SegmentsPerWindow = 10,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>Base coins whose shard reconnected and needs its REST snapshot read again.</summary>
    public ChannelReader<string> SnapshotRequests => _snapshotRequests.Reader;

    public static string TopicOf(string symbol) => "tickers." + symbol;

    public static string SymbolOf(string topic) => topic["tickers.".Length..];

    /// <summary>Subscribes the tickers of these symbols, filling existing connections before opening new ones.</summary>
    public void AddSymbols(IEnumerable<string> symbols)
    {
        var started = new List<WebSocketShard>();
        var assignments = new Dictionary<WebSocketShard, List<string>>();
        int total;
        lock (_lock)
        {
            foreach (var symbol in symbols)
            {
                var topic = TopicOf(symbol);
                if (_shardOfTopic.ContainsKey(topic))
                    continue;
                var shard = FindRoom(topic);
                if (shard is null)
                {
                    shard = new WebSocketShard(++_nextShardId, _book, _options, _time, _connectLimiter,
                        _loggerFactory.CreateLogger<WebSocketShard>(), OnResubscribed);
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
        foreach (var (shard, topics) in assignments)
            shard.Assign(topics);
        if (started.Count > 0)
        {
            Log.Sharding(_logger, total, ShardCount);
            lock (_lock)
            {
                foreach (var shard in started)
                    _running.Add(Task.Run(() => shard.RunAsync(_stopping.Token)));
            }
        }
    }

    /// <summary>Unsubscribes these symbols; their connections stay up for the rest.</summary>
    public void RemoveSymbols(IEnumerable<string> symbols)
    {
        var removals = new Dictionary<WebSocketShard, List<string>>();
        lock (_lock)
        {
            foreach (var symbol in symbols)
            {
                var topic = TopicOf(symbol);
                if (!_shardOfTopic.Remove(topic, out var shard))
                    continue;
                _load[shard] = (_load[shard].Topics - 1, _load[shard].Chars - WebSocketShard.ArgsChars(topic));
                if (!removals.TryGetValue(shard, out var list))
                    removals[shard] = list = [];
                list.Add(topic);
            }
        }
        foreach (var (shard, topics) in removals)
            shard.Unassign(topics);
    }

    public int ShardCount
    {
        get { lock (_lock) return _shards.Count; }
    }

    public int TopicCount
    {
        get { lock (_lock) return _shardOfTopic.Count; }
    }

    public IReadOnlyList<ShardStatus> GetStatus()
    {
        WebSocketShard[] shards;
        lock (_lock) shards = [.. _shards];
        return [.. shards.Select(s => new ShardStatus(s.Id, s.State, s.AssignedCount, s.SubscribedCount, s.Messages,
            s.Malformed, s.UnknownSymbols, s.Reconnects, s.LastMessageAt, s.LastError))];
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
        foreach (var coin in shard.AssignedTopics().Select(t => SymbolOf(t).Split('-')[0]).Distinct(StringComparer.Ordinal))
            _snapshotRequests.Writer.TryWrite(coin);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Task[] running;
        lock (_lock) running = [.. _running];
        try
        {
            await Task.WhenAll(running);
        }
        catch (OperationCanceledException)
        {
            // Shutdown.
        }
        _connectLimiter.Dispose();
        _stopping.Dispose();
    }
}

public sealed record ShardStatus(
    int Id,
    ShardState State,
    int AssignedTopics,
    int SubscribedTopics,
    long Messages,
    long Malformed,
    long UnknownSymbols,
    long Reconnects,
    DateTimeOffset? LastMessageAt,
    string? LastError);
