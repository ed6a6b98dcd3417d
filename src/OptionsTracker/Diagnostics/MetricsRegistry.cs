using Prometheus;

namespace OptionsTracker.Diagnostics;

/// <summary>
/// This host's Prometheus registry, served at <c>/metrics</c>. Each host has its own (several hosts share one process in
/// tests). A folder that has something to count creates its metrics from <see cref="Factory"/> here, in a base folder,
/// so counting never makes one feature depend on another (the store's write time is the store's, not health's).
/// </summary>
public sealed class MetricsRegistry
{
    public MetricsRegistry()
    {
        Registry = Metrics.NewCustomRegistry();
        Factory = Metrics.WithCustomRegistry(Registry);
    }

    public CollectorRegistry Registry { get; }

    public IMetricFactory Factory { get; }
}
