using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Feed;

namespace OptionsTracker.Deribit;

/// <summary>
/// Owns the WebSocket connections: packs channels into connections of at most
/// <see cref="DeribitOptions.ChannelsPerConnection"/>, starts one run per connection, moves channels as options are listed
/// or delivered, closes a connection left without channels, and asks for the book summary of the coins of a connection
/// that came back after a drop (what changed while it was away is not pushed again). Each channel lives on exactly one
/// connection, so each book slot has a single WebSocket writer.
/// </summary>
public sealed class DeribitConnections : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<DeribitConnection> _connections = [];
    private readonly Dictionary<DeribitConnection, Run> _runs = [];
    private readonly Dictionary<string, DeribitConnection> _connectionOf = new(StringComparer.Ordinal);
    private readonly Dictionary<DeribitConnection, int> _load = [];
    private readonly Channel<string> _snapshotRequests = Channel.CreateBounded<string>(
        new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly OptionBook _book;
    private readonly DeribitOptions _options;
    private readonly TimeProvider _time;
    private readonly DeribitRequestGate _gate;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IDeribitChannelHandler[] _handlers;
    private int _nextId;
    private ShardTotals _closedTotals;

    public DeribitConnections(OptionBook book, IOptions<DeribitOptions> options, TimeProvider time, DeribitRequestGate gate,
        ILoggerFactory loggerFactory, IEnumerable<IDeribitChannelHandler> handlers)
    {
        _book = book;
        _options = options.Value;
        _time = time;
        _gate = gate;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<DeribitConnections>();
        _handlers = [.. handlers];
    }

    /// <summary>Base coins whose connection came back and needs their book summary read again.</summary>
    public ChannelReader<string> SnapshotRequests => _snapshotRequests.Reader;

    /// <summary>The ticker channel of an option: <c>ticker.{instrument_name}.100ms</c>.</summary>
    public static string TickerChannel(string instrumentName) => $"{DeribitConnection.TickerPrefix}{instrumentName}.100ms";

    public static string InstrumentOf(string tickerChannel) =>
        tickerChannel[DeribitConnection.TickerPrefix.Length..tickerChannel.LastIndexOf('.')];

    public int ChannelCount
    {
        get { lock (_lock) return _connectionOf.Count; }
    }

    public int ConnectionCount
    {
        get { lock (_lock) return _connections.Count; }
    }

    /// <summary>Total <c>public/test</c> answers of the connections now open (for tests and figures).</summary>
    public long TestRequestsAnswered
    {
        get { lock (_lock) return _connections.Sum(c => c.TestRequestsAnswered); }
    }

    /// <summary>Subscribes these channels, filling existing connections before opening new ones.</summary>
    public void Add(IEnumerable<string> channels)
    {
        var assignments = new Dictionary<DeribitConnection, List<string>>();
        var started = new List<DeribitConnection>();
        lock (_lock)
        {
            foreach (var channel in channels)
            {
                if (_connectionOf.ContainsKey(channel))
                    continue;
                var connection = _connections.FirstOrDefault(c => _load[c] < _options.ChannelsPerConnection);
                if (connection is null)
                {
                    connection = new DeribitConnection(++_nextId, _book, _options, _time, _gate,
                        _loggerFactory.CreateLogger<DeribitConnection>(), OnResubscribed, _handlers);
                    _connections.Add(connection);
                    _load[connection] = 0;
                    started.Add(connection);
                }
                _connectionOf[channel] = connection;
                _load[connection]++;
                if (!assignments.TryGetValue(connection, out var list))
                    assignments[connection] = list = [];
                list.Add(channel);
            }
            foreach (var (connection, list) in assignments)
                connection.Assign(list);
            foreach (var connection in started)
            {
                var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                _runs[connection] = new Run(Task.Run(() => connection.RunAsync(stop.Token)), stop);
            }
            if (started.Count > 0)
                Log.Sharding(_logger, _connectionOf.Count, _connections.Count);
        }
    }

    /// <summary>Unsubscribes these channels; a connection left without any closes.</summary>
    public void Remove(IEnumerable<string> channels)
    {
        var removals = new Dictionary<DeribitConnection, List<string>>();
        var emptied = new List<(DeribitConnection Connection, Run Run)>();
        lock (_lock)
        {
            foreach (var channel in channels)
            {
                if (!_connectionOf.Remove(channel, out var connection))
                    continue;
                _load[connection]--;
                if (!removals.TryGetValue(connection, out var list))
                    removals[connection] = list = [];
                list.Add(channel);
            }
            foreach (var connection in removals.Keys.Where(c => _load[c] == 0))
            {
                _connections.Remove(connection);
                _load.Remove(connection);
                if (_runs.Remove(connection, out var run))
                    emptied.Add((connection, run));
            }
            foreach (var (connection, list) in removals)
                connection.Unassign(list);
        }
        foreach (var (connection, run) in emptied)
        {
            Log.EmptyConnectionClosed(_logger, connection.Id);
            run.Stop.Cancel();
            run.Task.ContinueWith(_ =>
            {
                lock (_lock)
                    _closedTotals += ShardTotals.Of([connection.Status()]);
                run.Stop.Dispose();
                connection.Dispose();
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Closes every connection and forgets every channel (another collector feeds the book now).</summary>
    public async Task StopAllAsync()
    {
        Run[] runs;
        DeribitConnection[] stopped;
        lock (_lock)
        {
            stopped = [.. _connections];
            runs = [.. stopped.Where(_runs.ContainsKey).Select(c => _runs[c])];
            foreach (var connection in stopped)
                _runs.Remove(connection);
            _connections.Clear();
            _connectionOf.Clear();
            _load.Clear();
        }
        foreach (var run in runs)
            await run.Stop.CancelAsync();
        await WhenStoppedAsync([.. runs.Select(r => r.Task)]);
        foreach (var run in runs)
            run.Stop.Dispose();
        lock (_lock)
            _closedTotals += ShardTotals.Of(stopped.Select(c => c.Status()));
        foreach (var connection in stopped)
            connection.Dispose();
        Log.ConnectionsStopped(_logger, stopped.Length);
    }

    /// <summary>Each open connection's status; <paramref name="totals"/> counts every connection the process has had.</summary>
    public IReadOnlyList<ShardStatus> GetStatus(out ShardTotals totals)
    {
        DeribitConnection[] connections;
        ShardTotals closed;
        lock (_lock)
        {
            connections = [.. _connections];
            closed = _closedTotals;
        }
        IReadOnlyList<ShardStatus> live = [.. connections.Select(c => c.Status())];
        totals = closed + ShardTotals.Of(live);
        return live;
    }

    private void OnResubscribed(DeribitConnection connection)
    {
        foreach (var coin in connection.AssignedChannels()
                     .Where(c => c.StartsWith(DeribitConnection.TickerPrefix, StringComparison.Ordinal))
                     .Select(c => DeribitInstrumentName.CoinOf(InstrumentOf(c)))
                     .OfType<string>()
                     .Distinct(StringComparer.Ordinal))
            _snapshotRequests.Writer.TryWrite(coin);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Task[] running;
        lock (_lock) running = [.. _runs.Values.Select(r => r.Task)];
        await WhenStoppedAsync(running);
        _stopping.Dispose();
    }

    private sealed record Run(Task Task, CancellationTokenSource Stop);

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
