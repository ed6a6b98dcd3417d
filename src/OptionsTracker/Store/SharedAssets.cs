using System.Text.Json;
using Microsoft.Extensions.Options;
using OptionsTracker.Diagnostics;
using OptionsTracker.Feed;
using StackExchange.Redis;

namespace OptionsTracker.Store;

/// <summary>
/// With Redis the tracked coins are one set for every instance, kept in <c>config:assets</c> (the JSON of the assets
/// file) and announced on <c>config:assets:changed</c> when changed: any instance's dashboard can change it (a web
/// instance's too), the active collector follows, and a standby that takes over tracks the same coins. The first
/// instance to find no set there seeds it with its own (its assets file, or <c>Tracker:Assets</c>). Until Redis
/// answers, the instance works with its own set; from the first answer on, Redis wins. The set is read again every
/// <see cref="StoreOptions.ResyncInterval"/> too, in case an announcement was missed while disconnected.
/// </summary>
internal sealed class SharedAssets(
    RedisConnection connection, TrackedAssets assets, IOptions<StoreOptions> options, TimeProvider time, ILogger<SharedAssets> logger,
    LogThrottle readLog)
    : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    // KEYS[1] the set; ARGV[1] "absent" (the key must not exist) or "equal" (it must hold ARGV[2]); ARGV[3] the new set.
    private const string CompareAndSetScript = """
        local current = redis.call('get', KEYS[1])
        if ARGV[1] == 'absent' then
          if current then return 0 end
        elseif current ~= ARGV[2] then
          return 0
        end
        redis.call('set', KEYS[1], ARGV[3])
        return 1
        """;
    private readonly RedisKeys _keys = connection.Keys;
    // Completed by an announcement; replaced before each read, so one arriving during a read is not lost.
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _failures;

    /// <summary>Reads (and subscribe attempts) that failed, for tests and diagnostics.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var multiplexer = await connection.GetAsync(stoppingToken);
            // Our own announcements come back too; reading them again finds nothing new.
            await RedisConnection.SubscribeAsync(multiplexer, _keys.AssetsChanged, _ => Volatile.Read(ref _wake).TrySetResult(),
                Failed, time, stoppingToken);
            var shared = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                var delay = options.Value.ResyncInterval;
                var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _wake, wake);
                try
                {
                    await ReadAsync(multiplexer.GetDatabase(), stoppingToken);
                    if (readLog.Recover())
                        Log.AssetsReadResumed(logger);
                    if (!shared)
                    {
                        shared = true;
                        assets.UseShared($"Redis ({connection.Endpoint}, {_keys.Assets})",
                            (file, seen, cancellationToken) => SaveAsync(multiplexer, file, seen, cancellationToken));
                        Log.AssetsShared(logger, _keys.Assets.ToString(), string.Join(",", assets.Enabled));
                    }
                }
                catch (Exception e) when (e is RedisException or TimeoutException or JsonException)
                {
                    delay = RetryDelay;
                    Failed(e, delay);
                }
                // Woken early by an announcement; otherwise read again at the resync interval.
                using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                await Task.WhenAny(wake.Task, Task.Delay(delay, time, waiting.Token));
                await waiting.CancelAsync();
                stoppingToken.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    /// <summary>Tried again every 2 s while it fails (a wrong password fails forever): logged when the fault starts or changes kind, then rarely.</summary>
    private void Failed(Exception exception, TimeSpan delay)
    {
        Interlocked.Increment(ref _failures);
        if (readLog.ShouldLog(RedisConnection.FaultKind(exception)))
            Log.AssetsReadFailed(logger, exception.Message, delay);
    }

    /// <summary>Takes the shared set, or seeds Redis with ours when it has none.</summary>
    private async Task ReadAsync(IDatabase database, CancellationToken cancellationToken)
    {
        var timeout = options.Value.CommandTimeout;
        var json = await database.StringGetAsync(_keys.Assets).WaitAsync(timeout, cancellationToken);
        if (json.IsNull)
        {
            // Only if still absent: two instances starting together must not overwrite each other.
            await database.StringSetAsync(_keys.Assets, Serialize(assets.Snapshot()), when: When.NotExists).WaitAsync(timeout, cancellationToken);
            json = await database.StringGetAsync(_keys.Assets).WaitAsync(timeout, cancellationToken);
            if (json.IsNull)
                return;
        }
        var file = JsonSerializer.Deserialize((byte[])json!, TrackedAssetsJsonContext.Default.TrackedAssetsFile)
            ?? throw new JsonException($"{_keys.Assets} holds no assets");
        // Its version (the JSON itself) is noted together with the set: a save made before must not overwrite what it has not
        // seen, and one made after must be checked against this version.
        if (assets.ApplyShared(file, (string)json!))
            Log.AssetsChangedElsewhere(logger, string.Join(",", assets.Enabled));
    }

    /// <summary>
    /// Saves a change made here and announces it; returns what Redis now holds, or throws when Redis cannot take it, so
    /// the change is not made. The change was made to the set this instance last read (<paramref name="seen"/>): if
    /// another instance has saved since (its announcement not here yet), saving would undo that, so the save is refused
    /// and the set read again for the user to retry. Asynchronous and bounded by the command timeout: a slow Redis
    /// holds up only the change being saved, never a reader of the set.
    /// </summary>
    private async Task<string> SaveAsync(ConnectionMultiplexer multiplexer, TrackedAssetsFile file, string? seen, CancellationToken cancellationToken)
    {
        var database = multiplexer.GetDatabase();
        var json = (RedisValue)Serialize(file);
        // A script, not a WATCH transaction: the client waits for a transaction's conditions synchronously, on the
        // caller's thread (up to its sync timeout), which is what this save must never do.
        var saved = (long)await database.ScriptEvaluateAsync(CompareAndSetScript, [_keys.Assets], [seen is null ? "absent" : "equal", seen ?? "", json])
            .WaitAsync(options.Value.CommandTimeout, cancellationToken);
        if (saved == 0)
        {
            Volatile.Read(ref _wake).TrySetResult();
            throw new TrackedAssetsConflictException("another instance changed them a moment ago; look again and retry");
        }
        database.Publish(_keys.AssetsChanged, "changed", CommandFlags.FireAndForget);
        return (string)json!;
    }

    private static byte[] Serialize(TrackedAssetsFile file) =>
        JsonSerializer.SerializeToUtf8Bytes(file, TrackedAssetsJsonContext.Default.TrackedAssetsFile);
}
