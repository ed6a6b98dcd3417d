namespace OptionsTracker.Collector;

/// <summary>
/// This process's feed summed up as <see cref="CollectorStats"/>, for the store to publish while this process is the
/// active collector. Owned by the feed, implemented by the layer that judges it (Health's feed monitor), so the store
/// needs neither.
/// </summary>
public interface ICollectorStatsSource
{
    CollectorStats GetLocalStats(string collector);
}
