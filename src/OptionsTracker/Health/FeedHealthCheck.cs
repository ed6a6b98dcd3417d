using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OptionsTracker.Health;

/// <summary>Healthy while tickers arrive; degraded while loading, stale or partly connected; unhealthy when the exchange cannot be reached.</summary>
public sealed class FeedHealthCheck(FeedMonitor monitor) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = monitor.GetReport();
        var data = new Dictionary<string, object>
        {
            ["feed_state"] = report.State.ToString().ToLowerInvariant(),
            ["total_options"] = report.TotalOptions,
            ["connections"] = report.LiveConnections,
            ["last_update"] = report.LastUpdate?.ToString("O") ?? "",
        };
        var result = report.State switch
        {
            FeedState.Live => HealthCheckResult.Healthy(report.Reason, data),
            FeedState.Unreachable or FeedState.Disconnected => HealthCheckResult.Unhealthy(report.Reason, data: data),
            _ => HealthCheckResult.Degraded(report.Reason, data: data),
        };
        return Task.FromResult(result);
    }
}
