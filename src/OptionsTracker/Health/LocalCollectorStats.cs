using OptionsTracker.Book;
using OptionsTracker.Feed;

namespace OptionsTracker.Health;

/// <summary>This process's own verdict and counters, as the active collector publishes them for the others.</summary>
internal sealed class LocalCollectorStats(FeedMonitor monitor, TimeProvider time) : ICollectorStatsSource
{
    public CollectorStats GetLocalStats(string collector)
    {
        var report = monitor.GetReport();
        var now = time.GetUtcNow();
        return new CollectorStats(
            collector,
            report.State.ToString().ToLowerInvariant(),
            report.Reason,
            report.TotalOptions,
            report.MessagesProcessed,
            report.MalformedMessages,
            report.Reconnects,
            report.LiveConnections,
            report.SubscribedTopics,
            report.AssignedTopics,
            report.LastUpdate,
            now - report.Uptime,
            now);
    }
}
