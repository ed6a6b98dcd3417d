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

    /// <summary>
    /// Trust <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> from a reverse proxy in front of the tracker, but only
    /// when the connection comes from one of <see cref="KnownProxies"/>.
    /// </summary>
    public bool BehindReverseProxy { get; set; }

    /// <summary>
    /// Addresses and networks of the reverse proxies whose forwarded headers are believed, as a comma list
    /// (<c>10.0.0.0/8,127.0.0.1</c>). Anyone else's <c>X-Forwarded-For</c> is ignored, so a client cannot pick
    /// the address the rate limits count it under. Default: loopback only.
    /// </summary>
    [Required]
    public string KnownProxies { get; set; } = "127.0.0.0/8,::1";

    /// <summary>Wrong keys (header <c>X-API-Key</c> or the sign-in form) one client may send within <see cref="FailedKeyWindow"/> before it is locked out.</summary>
    [Range(1, 10_000)]
    public int FailedKeyAttempts { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailedKeyWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The first lockout; each further lockout of the same client doubles it, up to <see cref="MaxFailedKeyLockout"/>. Locked out: 429 with <c>Retry-After</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailedKeyLockout { get; set; } = TimeSpan.FromMinutes(1);

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxFailedKeyLockout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Dashboard page loads and new dashboard connections (<c>/_blazor/negotiate</c>) per client and minute; bursts up to <see cref="DashboardRateLimitBurst"/>.</summary>
    [Range(1, 1_000_000)]
    public int DashboardRateLimitPerMinute { get; set; } = 60;

    [Range(1, 1_000_000)]
    public int DashboardRateLimitBurst { get; set; } = 60;

    /// <summary>
    /// The folder holding the keys that seal the sign-in cookie, so a restart keeps everyone signed in; instances
    /// behind one load balancer need the same folder (compose shares its state volume). Empty:
    /// <c>dataprotection-keys</c> next to <c>Tracker:AssetsFile</c> (<c>state/</c>).
    /// </summary>
    public string? KeysDirectory { get; set; }
}
