using OptionsTracker.Book;

namespace OptionsTracker.Feed;

/// <summary>
/// This process's feed summed up as <see cref="CollectorStats"/>, for the store to publish while this process is the
/// active collector. Owned by the feed, implemented by the layer that judges it (Health), so the store depends on
/// neither Health nor the monitor, and needs no service locator to reach them.
/// </summary>
public interface ICollectorStatsSource
{
    CollectorStats GetLocalStats(string collector);
}
