using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OptionsTracker.Diagnostics;
using OptionsTracker.Security;
using Prometheus;

namespace OptionsTracker.Health;

public static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    public static void AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FeedMonitor>();
        builder.Services.AddSingleton<Feed.ICollectorStatsSource, LocalCollectorStats>();
        builder.Services.AddSingleton<MetricsRegistry>();
        builder.Services.AddSingleton<FeedMetrics>();
        builder.Services.AddHealthChecks()
            .AddCheck<FeedHealthCheck>("feed", tags: [ReadyTag])
            .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag]);

        // Log changes of state, not checks: the framework writes a warning per check per probe while anything is
        // not healthy (an open /health polled during an outage floods the log), so its lines are dropped and
        // HealthStateLog logs each change instead, on its own period.
        builder.Services.AddOptions<HealthOptions>()
            .BindConfiguration(HealthOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.None);
        builder.Services.AddSingleton<IHealthCheckPublisher, HealthStateLog>();
        builder.Services.Configure<HealthCheckPublisherOptions>(o =>
        {
            o.Delay = TimeSpan.FromSeconds(1);
            o.Period = TimeSpan.FromSeconds(5);
        });
        // One gate per repeating condition (see LogThrottle): each component asking for one gets its own.
        builder.Services.AddTransient(s => new LogThrottle(
            s.GetRequiredService<TimeProvider>(), s.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthOptions>>().Value.LogRepeatInterval));
    }

    /// <summary>
    /// <c>/health</c>: every check, Healthy / Degraded / Unhealthy with reasons (503 when unhealthy).
    /// <c>/health/live</c>: the process answers (for restarts). <c>/health/ready</c>: the checks that say
    /// whether to send traffic here (for load balancers). <c>/metrics</c>: Prometheus.
    /// </summary>
    public static void MapHealth(this WebApplication app)
    {
        // Resolved here so the feed's gauges are in the registry (they update when /metrics is scraped).
        app.Services.GetRequiredService<FeedMetrics>();
        var metrics = app.Services.GetRequiredService<MetricsRegistry>();
        app.UseHttpMetrics(o => o.SetMetricFactory(metrics.Factory));
        // Open by design (Security/EndpointAccess.OpenToProbes): probes and scrapers carry no key.
        var probes = app.MapGroup("").OpenToProbes();
        probes.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteAsync });
        probes.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        probes.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag),
            ResponseWriter = WriteAsync,
            // Degraded (stale, reconnecting) still serves the last known data: ready, but say so.
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        probes.MapMetrics("/metrics", metrics.Registry);
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            // The first reason of the worst check: what an operator should read first.
            var worst = report.Entries.Values.OrderBy(e => e.Status).Select(e => e.Description).FirstOrDefault(d => d is not null);
            json.WriteString("reason", worst ?? (report.Entries.Count == 0 ? "the process is running" : null));
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteStartObject(name);
                json.WriteString("status", entry.Status.ToString());
                json.WriteString("reason", entry.Description);
                foreach (var (key, value) in entry.Data)
                    json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return context.Response.Body.WriteAsync(buffer.ToArray()).AsTask();
    }
}
