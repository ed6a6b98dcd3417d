using System.Diagnostics;
using OptionsTracker.Book;
using OptionsTracker.Health;

namespace OptionsTracker.Api;

public static class StatsApi
{
    public static void MapStatsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/stats", GetStats)
            .WithName("GetStats")
            .WithTags("Stats")
            .WithSummary("Feed and book statistics")
            .WithDescription("Counts of options per base coin, messages processed, malformed messages, reconnects, connections, subscribed topics, topics refused by the exchange, the feed state with its reason, the last update (ISO 8601), uptime and memory; `venues` gives each venue's own messages, malformed messages, reconnects, live connections and subscribed topics.");
    }

    internal static StatsResponse GetStats(FeedMonitor monitor, IOptionStore store)
    {
        var report = monitor.GetReport();
        var index = store.Book.Index;
        var assets = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var coin in index.Coins)
        {
            if (index.TryGetCoin(coin, out var coinIndex))
                assets[coin] = coinIndex.Slots.Count;
        }
        using var process = Process.GetCurrentProcess();
        return new StatsResponse(
            index.Count,
            assets,
            report.MessagesProcessed,
            report.MalformedMessages,
            report.Reconnects,
            report.LiveConnections,
            report.SubscribedTopics,
            report.AssignedTopics,
            report.State.ToString().ToLowerInvariant(),
            report.Reason,
            report.LastUpdate,
            (long)report.Uptime.TotalSeconds,
            process.WorkingSet64,
            store.Name,
            [.. report.Shards.Select(s => new ShardStats(s.Id, s.State.ToString().ToLowerInvariant(), s.AssignedTopics, s.SubscribedTopics,
                s.Messages, s.Malformed, s.Reconnects, s.LastMessageAt, s.LastError) { Refused = s.RefusedTopics.Count })])
        {
            RefusedTopics = report.RefusedTopics,
            Venues = [.. report.Venues.Select(v => new VenueStats(v.Venue, v.Totals.Messages, v.Totals.Malformed, v.Totals.Reconnects, v.LiveConnections, v.SubscribedTopics))],
        };
    }
}
