using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OptionsTracker.Health;

public static class HealthEndpoints
{
    public static void AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FeedMonitor>();
        builder.Services.AddHealthChecks().AddCheck<FeedHealthCheck>("feed");
    }

    /// <summary><c>GET /health</c>: status (Healthy, Degraded, Unhealthy) with the reason; 503 when unhealthy.</summary>
    public static void MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteAsync })
            .WithTags("Health");
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            var reason = report.Entries.Values.Select(e => e.Description).FirstOrDefault(d => d is not null);
            json.WriteString("reason", reason);
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
