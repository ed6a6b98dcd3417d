using System.ComponentModel.DataAnnotations;

namespace OptionsTracker.Security;

/// <summary>
/// Access control. The defaults suit a home machine: no key, a generous per-client rate limit, no
/// cross-origin access. Put a key on anything reachable from a network you do not trust.
/// </summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>When set, API and stream requests need the header <c>X-API-Key</c>, and the dashboard a sign-in with the same key. Legacy: <c>API_KEY</c>.</summary>
    [MinLength(8)]
    public string? ApiKey { get; set; }

    /// <summary>Requests per second each client (IP address) may make to the API; bursts up to <see cref="RateLimitBurst"/>.</summary>
    [Range(1, 1_000_000)]
    public int RateLimitPerSecond { get; set; } = 200;

    [Range(1, 1_000_000)]
    public int RateLimitBurst { get; set; } = 400;

    /// <summary>Origins allowed to call the API from a browser (CORS), e.g. <c>https://grafana.example.com</c>. Empty: same origin only.</summary>
    public string[] CorsOrigins { get; set; } = [];

    /// <summary>Trust <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> from a reverse proxy in front of the tracker.</summary>
    public bool BehindReverseProxy { get; set; }
}
