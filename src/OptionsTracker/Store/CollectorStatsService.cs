using System.Globalization;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Diagnostics;
using OptionsTracker.Feed;
using StackExchange.Redis;

namespace OptionsTracker.Store;

/// <summary>
/// Once a second: the active collector writes its counters to the stats hash (<c>stats:global</c>, with the
/// original tool's <c>messages</c> and <c>last_update</c>); any other process (a web instance, a standby)
/// reads them, so its <c>/api/stats</c> and <c>/health</c> speak for the collector that feeds it. When the hash is
/// gone (Redis restarted empty) the last stats read are kept: their <c>updated_at</c> keeps ageing, so the feed is
/// reported stale once it is older than <c>Tracker:StaleAfter</c>, instead of looking like no collector at all.
/// </summary>
public sealed class CollectorStatsService(
    RedisConnection connection,
    RedisOptionStore store,
    ICollectorStatsSource local,
    IOptions<StoreOptions> options,
    TimeProvider time,
    ILogger<CollectorStatsService> logger,
    LogThrottle errorLog,
    ICollectorLease? lease = null) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private readonly StoreOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var multiplexer = await connection.GetAsync(stoppingToken);
            using var timer = new PeriodicTimer(Period, time);
            do
            {
                try
                {
                    var database = multiplexer.GetDatabase();
                    // No lease on a web instance: it never collects.
                    if (lease is { IsHeld: true })
                    {
                        store.SetRemoteCollector(null);
                        await WriteAsync(database, local.GetLocalStats(lease.Id), stoppingToken);
                    }
                    else
                    {
                        store.SetRemoteCollector(await ReadAsync(database, stoppingToken) ?? store.RemoteCollector);
                    }
                    if (errorLog.Recover())
                        Log.StatsResumed(logger);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // Every second while Redis is away: logged when the fault starts or changes kind, then rarely.
                    if (errorLog.ShouldLog(RedisConnection.FaultKind(ex)))
                        Log.StatsFailed(logger, ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private async Task WriteAsync(IDatabase database, CollectorStats stats, CancellationToken cancellationToken)
    {
        HashEntry[] entries =
        [
            new("collector", stats.Collector),
            new("feed_state", stats.FeedState),
            new("feed_reason", stats.FeedReason),
            new("total_options", stats.TotalOptions),
            new("messages", stats.Messages),
            new("malformed", stats.Malformed),
            new("reconnects", stats.Reconnects),
            new("connections", stats.Connections),
            new("subscribed_topics", stats.SubscribedTopics),
            new("total_topics", stats.TotalTopics),
            new("last_update", stats.LastUpdate?.ToString("O", CultureInfo.InvariantCulture) ?? ""),
            new("started_at", stats.StartedAt.ToUnixTimeMilliseconds()),
            new("updated_at", stats.UpdatedAt.ToUnixTimeMilliseconds()),
        ];
        var key = connection.Keys.Stats;
        var batch = database.CreateBatch();
        var set = batch.HashSetAsync(key, entries);
        var expire = batch.KeyExpireAsync(key, _options.Ttl);
        batch.Execute();
        await Task.WhenAll(set, expire).WaitAsync(_options.CommandTimeout, cancellationToken);
    }

    private async Task<CollectorStats?> ReadAsync(IDatabase database, CancellationToken cancellationToken)
    {
        var entries = (await database.HashGetAllAsync(connection.Keys.Stats).WaitAsync(_options.CommandTimeout, cancellationToken))
            .ToDictionary(e => (string)e.Name!, e => e.Value, StringComparer.Ordinal);
        if (!entries.TryGetValue("collector", out var collector) || !entries.TryGetValue("updated_at", out var updatedAt))
            return null;
        long Number(string name) => entries.TryGetValue(name, out var v) && v.TryParse(out long n) ? n : 0;
        string Text(string name) => entries.TryGetValue(name, out var v) ? (string?)v ?? "" : "";
        DateTimeOffset? lastUpdate = DateTimeOffset.TryParse(Text("last_update"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at
            : null;
        return new CollectorStats(
            collector!,
            Text("feed_state"),
            Text("feed_reason"),
            (int)Number("total_options"),
            Number("messages"),
            Number("malformed"),
            Number("reconnects"),
            (int)Number("connections"),
            (int)Number("subscribed_topics"),
            (int)Number("total_topics"),
            lastUpdate,
            DateTimeOffset.FromUnixTimeMilliseconds(Number("started_at")),
            DateTimeOffset.FromUnixTimeMilliseconds(updatedAt.TryParse(out long ms) ? ms : 0));
    }
}
