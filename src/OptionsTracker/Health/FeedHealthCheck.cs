using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OptionsTracker.Health;

/// <summary>Healthy while tickers arrive; degraded while loading, stale or partly connected; unhealthy when the exchange cannot be reached, or when a web instance has nothing to serve.</summary>
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
        // A process fed through the store with an empty book has nothing to serve: not ready (503), so a load
        // balancer sends its traffic elsewhere. With a board, even a stale one, it serves it (Degraded says why).
        if (report.TotalOptions == 0 && monitor.IsFedRemotely)
        {
            const string Nothing = "nothing to serve";
            var reason = report.Reason.Contains(Nothing, StringComparison.Ordinal) ? report.Reason : $"{Nothing} yet; {report.Reason}";
            result = HealthCheckResult.Unhealthy(reason, data: data);
        }
        return Task.FromResult(result);
    }
}
