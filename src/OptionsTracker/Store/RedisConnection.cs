using Microsoft.Extensions.Options;
using OptionsTracker.Diagnostics;
using StackExchange.Redis;

namespace OptionsTracker.Store;

/// <summary>
/// The process's one Redis multiplexer. It connects in the background and keeps reconnecting, so start-up
/// never waits for or fails on Redis; commands fail fast while it is away (no backlog: the book is the
/// backlog), and the writer, reader and lease retry on their own schedule.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly ConfigurationOptions _configuration;
    private readonly ILogger<RedisConnection> _logger;
    // The multiplexer reports every failed reconnect attempt: logged when the failure starts or changes, then rarely.
    private readonly LogThrottle _failureLog;
    private readonly Lazy<Task<ConnectionMultiplexer>> _multiplexer;
    private const string NotConnectedYet = "not connected yet";
    private volatile string? _failure;
    private readonly CancellationTokenSource _disposed = new();
    private int _restorations;

    public RedisConnection(IOptions<StoreOptions> options, ILogger<RedisConnection> logger, LogThrottle failureLog)
    {
        _logger = logger;
        _failureLog = failureLog;
        _configuration = ConfigurationOptions.Parse(options.Value.Redis!);
        if (!string.IsNullOrEmpty(options.Value.Password))
            _configuration.Password = options.Value.Password;
        _configuration.AbortOnConnectFail = false;
        _configuration.BacklogPolicy = BacklogPolicy.FailFast;
        // Errors end up in /health and the log: the server's words, not the client's thread-pool counters.
        _configuration.IncludeDetailInExceptions = false;
        _configuration.ClientName ??= $"options-tracker-{Environment.MachineName}";
        Keys = new RedisKeys(options.Value.KeyPrefix);
        Endpoint = string.Join(",", _configuration.EndPoints.Select(e => e.ToString()));
        _multiplexer = new(ConnectAsync);
    }

    public RedisKeys Keys { get; }

    /// <summary>The configured endpoints, for messages (never the password).</summary>
    public string Endpoint { get; }

    /// <summary>Counts reconnections; a reader or writer that sees it move assumes Redis may have lost its data.</summary>
    public int Restorations => Volatile.Read(ref _restorations);

    public bool IsConnected => _multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully && _multiplexer.Value.Result.IsConnected;

    public Task<ConnectionMultiplexer> GetAsync(CancellationToken cancellationToken) => _multiplexer.Value.WaitAsync(cancellationToken);

    /// <summary>
    /// Subscribes <paramref name="handler"/> to <paramref name="channel"/>, trying again (100 ms, doubling to 2 s) while
    /// Redis cannot take it; once made, the multiplexer restores the subscription after every reconnect. Each failed
    /// try goes to <paramref name="failed"/> with the wait before the next. The handler runs on the multiplexer's
    /// thread: keep it short.
    /// </summary>
    public static async Task SubscribeAsync(ConnectionMultiplexer multiplexer, RedisChannel channel, Action<RedisValue> handler,
        Action<Exception, TimeSpan> failed, TimeProvider time, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await multiplexer.GetSubscriber().SubscribeAsync(channel, (_, message) => handler(message));
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed(ex, backoff);
                await Task.Delay(backoff, time, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(_configuration);
        multiplexer.ConnectionFailed += (_, e) =>
        {
            var reason = $"{e.FailureType}" + (e.Exception is null ? "" : $": {e.Exception.Message}");
            _failure = reason;
            if (_failureLog.ShouldLog(e.FailureType.ToString()))
                Log.ConnectionFailed(_logger, Endpoint, reason);
        };
        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (multiplexer.IsConnected && _failure is not null)
            {
                _failure = null;
                if (_failureLog.Recover())
                    Log.ConnectionRestored(_logger, Endpoint);
            }
            Interlocked.Increment(ref _restorations);
        };
        if (!multiplexer.IsConnected)
        {
            _failure ??= NotConnectedYet;
            if (_failureLog.ShouldLog("not connected"))
                Log.ConnectionFailed(_logger, Endpoint, _failure);
            _ = ExplainFailureUntilConnectedAsync(multiplexer);
        }
        else
        {
            Log.Connected(_logger, Endpoint);
        }
        return multiplexer;
    }

    /// <summary>
    /// The first failed attempt can end before <see cref="ConnectAsync"/> attached its <c>ConnectionFailed</c> handler, and
    /// the multiplexer reports a failure only once until it connects: then health would say "not connected yet" for ever,
    /// even when Redis refuses our password. A command, failed at once with the last connection exception (FailFast),
    /// says why (e.g. <c>AuthenticationFailure</c>). Asked again every 2 s until the multiplexer connects: on a loaded
    /// machine the first answer can be the failure of an attempt that had not reached AUTH yet, and the reason must become
    /// the password once Redis has said so (a CI run's health named something else for a whole minute).
    /// </summary>
    private async Task ExplainFailureUntilConnectedAsync(ConnectionMultiplexer multiplexer)
    {
        while (!multiplexer.IsConnected && !_disposed.IsCancellationRequested)
        {
            try
            {
                await multiplexer.GetDatabase().PingAsync();
            }
            catch (RedisConnectionException ex) when (!multiplexer.IsConnected)
            {
                // The exception carries the connection's last failure, as fresh as the ConnectionFailed handler's word.
                var reason = $"{ex.FailureType}: {(ex.InnerException ?? ex).Message}";
                if (_failure != reason)
                {
                    _failure = reason;
                    if (_failureLog.ShouldLog(ex.FailureType.ToString()))
                        Log.ConnectionFailed(_logger, Endpoint, reason);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // Connected meanwhile, disposed, or another kind of answer: look again (the loop ends when connected).
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), _disposed.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// What kind of fault <paramref name="exception"/> is, for <see cref="LogThrottle"/>: the failure type or the
    /// server's error code (NOAUTH, OOM…), not the message, which names the command and differs from one try to the next.
    /// </summary>
    internal static string FaultKind(Exception exception) => exception switch
    {
        RedisConnectionException connection => $"connection {connection.FailureType}",
        RedisServerException server => "server " + server.Message.Split(' ', 2)[0],
        RedisTimeoutException or TimeoutException => "timeout",
        _ => exception.GetType().Name,
    };

    /// <summary>Why Redis cannot be used right now, or null.</summary>
    public string? Describe() =>
        IsConnected ? null : $"cannot reach Redis at {Endpoint}" + (_failure is { } f ? $" ({f})" : "");

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        if (_multiplexer.IsValueCreated && _multiplexer.Value.IsCompletedSuccessfully)
            await _multiplexer.Value.Result.DisposeAsync();
    }
}
