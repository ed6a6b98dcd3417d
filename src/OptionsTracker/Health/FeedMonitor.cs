using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Collector;

namespace OptionsTracker.Health;

/// <summary>
/// Judges the feed from the collector's status and the shards' counters: one verdict, with its reason,
/// shared by <c>/health</c>, <c>/api/stats</c> and the dashboard's status light.
/// </summary>
public sealed class FeedMonitor(
    IOptionStore store,
    ShardSupervisor supervisor,
    FeedStatus status,
    IOptions<TrackerOptions> tracker,
    IOptions<BybitOptions> bybit,
    RestGate restGate,
    TimeProvider time)
{
    public FeedReport GetReport()
    {
        if (store.RemoteCollector is { } remote)
            return GetRemoteReport(remote);
        var now = time.GetUtcNow();
        // Counters since start, connections closed on a lost lease included, so they never go backwards.
        var shards = supervisor.GetStatus(out var totals);
        var index = store.Book.Index;
        var lastMessage = shards.Select(s => s.LastMessageAt).Max();
        var live = shards.Count(s => s.State == ShardState.Live);
        var subscribed = shards.Sum(s => s.SubscribedTopics);
        var loading = status.Coins.Where(c => c.Value == CoinLoadState.Loading).Select(c => c.Key).ToList();
        var noOptions = status.Coins.Where(c => c.Value == CoinLoadState.NoOptions).Select(c => c.Key).ToList();
        var lastUpdateAge = lastMessage is { } at ? now - at : (TimeSpan?)null;

        FeedState state;
        string reason;
        if (index.Count == 0 && status.RestError is { } restError)
        {
            state = FeedState.Unreachable;
            reason = $"cannot reach the exchange at {bybit.Value.RestUrl}: {restError}; retrying";
        }
        else if (loading.Count > 0)
        {
            state = FeedState.Loading;
            reason = $"loading instruments of {string.Join(", ", loading)}" + (status.RestError is { } e ? $" (last error: {e})" : "");
        }
        else if (shards.Count > 0 && live == 0)
        {
            state = FeedState.Disconnected;
            var error = shards.Select(s => s.LastError).FirstOrDefault(e => e is not null);
            reason = $"no live connection to {bybit.Value.WsUrl}" + (error is null ? "" : $": {error}");
        }
        else if (lastUpdateAge is { } age && age > tracker.Value.StaleAfter)
        {
            state = FeedState.Stale;
            reason = $"no message for {age.TotalSeconds:0} s";
        }
        else if (live < shards.Count)
        {
            state = FeedState.Degraded;
            reason = $"{shards.Count - live} of {shards.Count} connections are not live";
        }
        else if (index.Count == 0)
        {
            state = FeedState.Loading;
            reason = noOptions.Count > 0 ? $"Bybit lists no options for {string.Join(", ", noOptions)}" : "waiting for instruments";
        }
        else
        {
            state = FeedState.Live;
            reason = $"receiving {index.Count} options over {live} connections";
        }
        var refused = status.Coins.Where(c => c.Value == CoinLoadState.Refused).Select(c => c.Key).ToList();
        if (refused.Count > 0)
        {
            // A coin whose request Bybit refuses as a parameter error is not retried: never Live while one is missing.
            var note = $"Bybit refused the request for {string.Join(", ", refused)} (parameter error; see the log)";
            (state, reason) = state == FeedState.Live ? (FeedState.Degraded, note) : (state, $"{reason}; {note}");
        }
        if (restGate.BannedUntil is { } bannedUntil)
        {
            // HTTP 403: every REST call waits for the ban to end. With nothing in the book there is nothing to serve
            // (Unhealthy); otherwise the live feed goes on while snapshots and refreshes wait (Degraded at best).
            var note = $"Bybit has banned this IP for too many requests (HTTP 403): REST paused until {bannedUntil:yyyy-MM-dd HH:mm:ss} UTC";
            if (index.Count == 0)
                (state, reason) = (FeedState.Unreachable, note);
            else
                (state, reason) = state == FeedState.Live ? (FeedState.Degraded, note) : (state, $"{reason}; {note}");
        }
        if (store.Problem is { } storeProblem)
        {
            // Live data that cannot reach the store is degraded; any other verdict keeps its state and says this too.
            if (state == FeedState.Live)
            {
                state = FeedState.Degraded;
                reason = $"store {store.Name}: {storeProblem}";
            }
            else
            {
                reason = $"{reason}; store {store.Name}: {storeProblem}";
            }
        }

        return new FeedReport(
            state,
            reason,
            index.Count,
            totals.Messages,
            totals.Malformed,
            totals.Reconnects,
            live,
            subscribed,
            supervisor.TopicCount,
            lastMessage,
            now - status.StartedAt,
            shards);
    }

    /// <summary>
    /// The verdict of a process fed by another one (a web instance, a standby collector): the active
    /// collector's own, read from the store, turned stale when its counters stop moving.
    /// </summary>
    private FeedReport GetRemoteReport(Store.CollectorStats remote)
    {
        var now = time.GetUtcNow();
        var index = store.Book.Index;
        var silence = now - remote.UpdatedAt;
        var state = Enum.TryParse<FeedState>(remote.FeedState, ignoreCase: true, out var parsed) ? parsed : FeedState.Loading;
        var reason = $"collector {remote.Collector}: {remote.FeedReason}";
        if (silence > tracker.Value.StaleAfter)
        {
            state = FeedState.Stale;
            reason = $"no word from collector {remote.Collector} for {silence.TotalSeconds:0} s; serving the last known data";
        }
        if (store.Problem is { } storeProblem && state is FeedState.Live or FeedState.Stale)
        {
            state = state == FeedState.Live ? FeedState.Degraded : state;
            reason = $"store {store.Name}: {storeProblem}; serving the last known data";
        }
        return new FeedReport(
            state,
            reason,
            index.Count,
            remote.Messages,
            remote.Malformed,
            remote.Reconnects,
            remote.Connections,
            remote.SubscribedTopics,
            remote.TotalTopics,
            remote.LastUpdate,
            now - remote.StartedAt,
            []);
    }
}

public enum FeedState : byte
{
    Loading,
    Live,
    Degraded,
    Stale,
    Disconnected,
    Unreachable,
}

public sealed record FeedReport(
    FeedState State,
    string Reason,
    int TotalOptions,
    long MessagesProcessed,
    long MalformedMessages,
    long Reconnects,
    int LiveConnections,
    int SubscribedTopics,
    int AssignedTopics,
    DateTimeOffset? LastUpdate,
    TimeSpan Uptime,
    IReadOnlyList<ShardStatus> Shards);
