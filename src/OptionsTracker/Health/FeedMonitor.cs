using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Feed;

namespace OptionsTracker.Health;

/// <summary>
/// Judges the feed from the feed's per-coin status and what each venue reports (<see cref="IVenue.GetStatus"/>): one
/// verdict, with its reason, shared by <c>/health</c>, <c>/api/stats</c> and the dashboard's status light.
/// </summary>
public sealed class FeedMonitor(
    IOptionStore store,
    IEnumerable<IVenue> venues,
    FeedStatus status,
    IOptions<TrackerOptions> tracker,
    TimeProvider time)
{
    private readonly IVenue[] _venues = [.. venues];

    /// <summary>
    /// True while another process feeds this book through the store: always on a web instance (even before any
    /// collector has written its stats), on a standby collector once it has read them.
    /// </summary>
    public bool IsFedRemotely => store.RemoteCollector is not null || tracker.Value.Role == TrackerRole.Web;

    /// <summary>Who the reasons name: the venue when there is one, "the exchanges" when several feed the book.</summary>
    private string VenueName => _venues.Length == 1 ? _venues[0].Name : "the exchanges";

    public FeedReport GetReport()
    {
        if (store.RemoteCollector is { } remote || tracker.Value.Role == TrackerRole.Web)
            return GetRemoteReport(store.RemoteCollector);
        var now = time.GetUtcNow();
        // Counters since start, connections closed on a lost lease included, so they never go backwards.
        var venueStatuses = _venues.Select(v => (Venue: v, Status: v.GetStatus())).ToList();
        var shards = venueStatuses.SelectMany(v => v.Status.Connections).ToList();
        var totals = venueStatuses.Aggregate(default(ShardTotals), (sum, v) => sum + v.Status.Totals);
        var index = store.Book.Index;
        var lastMessage = shards.Select(s => s.LastMessageAt).Max();
        var live = shards.Count(s => s.State == ShardState.Live);
        var subscribed = shards.Sum(s => s.SubscribedTopics);
        var refused = venueStatuses.SelectMany(v => v.Status.RefusedSymbols).Order(StringComparer.Ordinal).ToList();
        var failing = venueStatuses.FirstOrDefault(v => v.Status.RequestError is not null);
        var restError = failing.Status?.RequestError;
        var loading = status.Coins.Where(c => c.Value == CoinLoadState.Loading).Select(c => c.Key).ToList();
        var noOptions = status.Coins.Where(c => c.Value == CoinLoadState.NoOptions).Select(c => c.Key).ToList();
        var lastUpdateAge = lastMessage is { } at ? now - at : (TimeSpan?)null;

        FeedState state;
        string reason;
        if (index.Count == 0 && restError is not null)
        {
            state = FeedState.Unreachable;
            reason = $"cannot reach the exchange at {failing.Venue.RestUrl}: {restError}; retrying";
        }
        else if (loading.Count > 0)
        {
            state = FeedState.Loading;
            reason = $"loading instruments of {string.Join(", ", loading)}" + (restError is { } e ? $" (last error: {e})" : "");
        }
        else if (shards.Count > 0 && live == 0)
        {
            state = FeedState.Disconnected;
            var error = shards.Select(s => s.LastError).FirstOrDefault(e => e is not null);
            var streams = string.Join(", ", venueStatuses.Where(v => v.Status.Connections.Count > 0).Select(v => v.Venue.StreamUrl));
            reason = $"no live connection to {streams}" + (error is null ? "" : $": {error}");
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
            reason = noOptions.Count > 0 ? $"{VenueName} lists no options for {string.Join(", ", noOptions)}" : "waiting for instruments";
        }
        else
        {
            state = FeedState.Live;
            reason = $"receiving {index.Count} options over {live} connections";
        }
        if (refused.Count > 0 && state is FeedState.Live or FeedState.Degraded)
        {
            // Topics the exchange keeps refusing do not hold their connections back from live, but they are missing
            // data: say which.
            var refusedReason = RefusedReason(refused);
            reason = state == FeedState.Live ? refusedReason : $"{reason}; {refusedReason}";
            state = FeedState.Degraded;
        }
        if (noOptions.Count > 0 && index.Count > 0)
        {
            // A coin added (on any instance's page) that no venue lists: the board of the others is served, and the
            // reason says which coin is missing and why.
            reason = $"{reason}; {VenueName} lists no options for {string.Join(", ", noOptions)}";
        }
        var refusedCoins = status.Coins.Where(c => c.Value == CoinLoadState.Refused).Select(c => c.Key).ToList();
        if (refusedCoins.Count > 0)
        {
            // A coin whose request the venue refuses for good is not retried: never Live while one is missing.
            var note = $"{VenueName} refused the request for {string.Join(", ", refusedCoins)} (parameter error; see the log)";
            (state, reason) = state == FeedState.Live ? (FeedState.Degraded, note) : (state, $"{reason}; {note}");
        }
        foreach (var pause in venueStatuses.Select(v => v.Status.RequestsPaused).OfType<VenuePause>())
        {
            // A ban (Bybit: HTTP 403): every request waits for it to end. With nothing in the book there is nothing to
            // serve (Unhealthy); otherwise the live feed goes on while snapshots and refreshes wait (Degraded at best).
            var note = $"{pause.Reason}: REST paused until {pause.Until:yyyy-MM-dd HH:mm:ss} UTC";
            if (index.Count == 0)
                (state, reason) = (FeedState.Unreachable, note);
            else
                (state, reason) = state == FeedState.Live ? (FeedState.Degraded, note) : (state, $"{reason}; {note}");
        }
        foreach (var tradesProblem in venueStatuses.Select(v => v.Status.TradesProblem).OfType<string>())
        {
            // The quotes are fine, the trade tape may have a hole: Degraded, and the reason says where.
            (state, reason) = state == FeedState.Live ? (FeedState.Degraded, tradesProblem) : (state, $"{reason}; {tradesProblem}");
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
            venueStatuses.Sum(v => v.Status.Topics),
            lastMessage,
            now - status.StartedAt,
            shards)
        {
            RefusedTopics = refused.Count,
            Venues = [.. venueStatuses.Select(v => new VenueCounters(v.Venue.Id.Id, v.Venue.Name, v.Status.Totals,
                v.Status.Connections.Count(s => s.State == ShardState.Live), v.Status.Connections.Sum(s => s.SubscribedTopics)))],
        };
    }

    /// <summary>"2 topics refused by the exchange: A; B" (their symbols), naming at most five.</summary>
    private static string RefusedReason(List<string> refused)
    {
        const int Named = 5;
        var names = string.Join("; ", refused.Take(Named));
        var more = refused.Count > Named ? $"; and {refused.Count - Named} more" : "";
        return $"{refused.Count} {(refused.Count == 1 ? "topic" : "topics")} refused by the exchange: {names}{more}";
    }

    /// <summary>
    /// The verdict of a process fed by another one (a web instance, a standby collector): the active collector's
    /// own, read from the store (<paramref name="remote"/>: its last known stats, null when none was ever read), with
    /// the same stale limit the collector applies to its exchange (<c>Tracker:StaleAfter</c>) applied to the
    /// collector's last update, and stale too while the store cannot bring updates (Redis away, or without a board).
    /// </summary>
    private FeedReport GetRemoteReport(CollectorStats? remote)
    {
        var now = time.GetUtcNow();
        var index = store.Book.Index;
        var serving = index.Count > 0 ? $"serving the last known board of {index.Count} options" : "nothing to serve";
        FeedState state;
        string reason;
        if (remote is null)
        {
            // No collector has written its stats (or Redis lost them before this instance read any).
            state = index.Count > 0 ? FeedState.Stale : FeedState.Loading;
            reason = $"no collector has written to Redis: {serving}";
        }
        else if (now - remote.UpdatedAt is var silence && silence > tracker.Value.StaleAfter)
        {
            state = FeedState.Stale;
            reason = $"the collector's last update was {silence.TotalSeconds:0} s ago (collector {remote.Collector}): {serving}";
        }
        else
        {
            state = Enum.TryParse<FeedState>(remote.FeedState, ignoreCase: true, out var parsed) ? parsed : FeedState.Loading;
            reason = $"collector {remote.Collector}: {remote.FeedReason}";
        }
        if (store.Problem is { } storeProblem)
        {
            // Whatever the collector last said, its updates do not reach this book while the store fails.
            if (state is FeedState.Live or FeedState.Degraded)
            {
                state = index.Count > 0 ? FeedState.Stale : FeedState.Loading;
                reason = $"store {store.Name}: {storeProblem}; {serving}";
            }
            else
            {
                reason = $"store {store.Name}: {storeProblem}; {reason}";
            }
        }
        return new FeedReport(
            state,
            reason,
            index.Count,
            remote?.Messages ?? 0,
            remote?.Malformed ?? 0,
            remote?.Reconnects ?? 0,
            remote?.Connections ?? 0,
            remote?.SubscribedTopics ?? 0,
            remote?.TotalTopics ?? 0,
            remote?.LastUpdate,
            remote is null ? TimeSpan.Zero : now - remote.StartedAt,
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
    IReadOnlyList<ShardStatus> Shards)
{
    /// <summary>Topics the exchange keeps refusing (Bybit: <c>Bybit:RefuseLimit</c> times in a row; see <c>/health</c> for their names).</summary>
    public int RefusedTopics { get; init; }

    /// <summary>
    /// Each venue's own counters (in the order of <c>Tracker:Venues</c>), summing to the totals above; empty on a process
    /// fed by another one, whose stats carry totals only.
    /// </summary>
    public IReadOnlyList<VenueCounters> Venues { get; init; } = [];
}

/// <summary>One venue's share of the feed: its message counters since start and its connections now.</summary>
/// <param name="Venue">The venue's id (<c>bybit</c>, <c>deribit</c>).</param>
/// <param name="Name">The venue's name for people.</param>
/// <param name="Totals">Messages, malformed messages and reconnects over every connection of the venue since start.</param>
/// <param name="LiveConnections">Its connections that are live.</param>
/// <param name="SubscribedTopics">Topics its connections have acknowledged.</param>
public sealed record VenueCounters(string Venue, string Name, ShardTotals Totals, int LiveConnections, int SubscribedTopics);
