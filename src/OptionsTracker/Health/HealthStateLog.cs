using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OptionsTracker.Diagnostics;

namespace OptionsTracker.Health;

/// <summary>
/// Logs each health check's changes of status, whoever asks: the checks run on the publisher's period, not per
/// probe, so an open <c>/health</c> polled during an outage cannot flood the log (the framework's own line per
/// check run is filtered out in <see cref="HealthEndpoints.AddHealth"/>). A status that persists is repeated
/// every <see cref="HealthOptions.LogRepeatInterval"/>, with its current reason.
/// </summary>
internal sealed class HealthStateLog(IOptions<HealthOptions> options, TimeProvider time, ILogger<HealthStateLog> logger) : IHealthCheckPublisher
{
    // Called by one publisher loop at a time; the dictionary is only touched there.
    private readonly Dictionary<string, LogThrottle> _checks = new(StringComparer.Ordinal);

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        foreach (var (name, entry) in report.Entries)
        {
            if (!_checks.TryGetValue(name, out var throttle))
                _checks[name] = throttle = new LogThrottle(time, options.Value.LogRepeatInterval);
            if (entry.Status == HealthStatus.Healthy)
            {
                if (throttle.Recover())
                    Log.HealthRecovered(logger, name, entry.Description);
            }
            else if (throttle.ShouldLog(entry.Status.ToString()))
            {
                Log.HealthChanged(logger, name, entry.Status.ToString(), entry.Description);
            }
        }
        return Task.CompletedTask;
    }
}
