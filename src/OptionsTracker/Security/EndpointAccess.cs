using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Cors;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.Options;

namespace OptionsTracker.Security;

/// <summary>
/// Who may call an endpoint, put on the route group that maps it: the key, the rate-limit budget and CORS are the
/// group's metadata, never a list of URLs, so an endpoint is protected because of where it is mapped, whatever its
/// path. Every endpoint the host maps is either protected (<see cref="RequireApiKey"/>, <see cref="RequireSignIn"/>)
/// or on a named open group (the rest, each saying why it is open);
/// tests/OptionsTracker.Tests/Security/EndpointProtectionTests.cs fails, naming it, for an endpoint that is neither.
/// Requests that match no endpoint (an unknown path, a method the path does not serve) are treated as protected by
/// <see cref="ApiKeyGate"/>: without the key they learn nothing, not even a 404.
/// </summary>
internal static class EndpointAccess
{
    /// <summary>Rate-limit policy: the API's per-client budget (<see cref="SecurityOptions.RateLimitPerSecond"/>).</summary>
    public const string ApiBudget = "api";

    /// <summary>Rate-limit policy: the dashboard's per-client budget of page loads and new hub connections (<see cref="SecurityOptions.DashboardRateLimitPerMinute"/>).</summary>
    public const string DashboardBudget = "dashboard";

    /// <summary>CORS policy: the origins of <see cref="SecurityOptions.CorsOrigins"/>.</summary>
    public const string CorsPolicy = "configured-origins";

    /// <summary>
    /// Data and state changes for programs: <c>/api</c>, the streams, <c>/ws</c>. The key (or the sign-in cookie,
    /// so the dashboard's own calls work), else 401; the API budget; CORS for the configured origins.
    /// </summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ApiKeyRequired.Api).RequireRateLimiting(ApiBudget).WithConfiguredCors();

    /// <summary>
    /// The dashboard: its pages and its Blazor hub (<c>/_blazor</c>), which serve the same data. The sign-in cookie
    /// (or the key), else a redirect to <c>/login</c>; the dashboard budget; same origin only, since the hub's
    /// socket carries the cookie from any page. No CORS: no other site has a use for them.
    /// </summary>
    public static TBuilder RequireSignIn<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ApiKeyRequired.Dashboard, SameOriginRequired.Instance).RequireRateLimiting(DashboardBudget);

    /// <summary>
    /// Open: <c>/health*</c> and <c>/metrics</c>. Probes and scrapers (a load balancer, Docker, Prometheus) carry no
    /// key, and what they read is the feed's state, not the data. Never rate-limited: a limited probe would take
    /// the instance for dead. CORS for the configured origins (a dashboard elsewhere may show the state).
    /// </summary>
    public static TBuilder OpenToProbes<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AllowAnonymous().DisableRateLimiting().WithConfiguredCors();

    /// <summary>
    /// Open: the API description (<c>/openapi</c>) and its viewer (<c>/scalar</c>), as README promises. They describe
    /// the endpoints and hold no data; every call made from the viewer still needs the key. The API budget.
    /// </summary>
    public static TBuilder OpenApiDescription<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AllowAnonymous().RequireRateLimiting(ApiBudget).WithConfiguredCors();

    /// <summary>
    /// Open: the build's static files (the dashboard's CSS, blazor.web.js, the chart library). The same for everyone
    /// and public in the repository; the sign-in page needs none of them (its style is inline), but a browser may
    /// cache them before it signs in. Not rate-limited: one page load fetches a dozen.
    /// </summary>
    /// <remarks>
    /// Only the files the build's manifest lists: in Development the group also gets a fallback,
    /// <c>{**path:file}</c>, for files added since, which matches any URL ending in a file name (<c>/api/x.json</c>
    /// too); it needs the key, refused as a request matching nothing would be.
    /// </remarks>
    public static TBuilder OpenStaticFiles<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.DisableRateLimiting();
        // Finally: the descriptor is the endpoint's own metadata, not there yet when a group's conventions run.
        builder.Finally(endpoint => endpoint.Metadata.Add(endpoint.Metadata.OfType<StaticAssetDescriptor>().Any()
            ? new AllowAnonymousAttribute()
            : ApiKeyRequired.AsUnmatched));
        return builder;
    }

    /// <summary>
    /// Open: the sign-in form and sign-out (<c>/login</c>, <c>/logout</c>): the way to the cookie must not need it.
    /// The dashboard budget, and wrong keys lock the client out (<see cref="FailedKeyThrottle"/>).
    /// </summary>
    public static TBuilder OpenForSignIn<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AllowAnonymous().RequireRateLimiting(DashboardBudget);

    /// <summary>
    /// Whether the endpoint carries an open group's metadata and not the key's (the key wins: a library marking one
    /// of its endpoints anonymous cannot open a protected group).
    /// </summary>
    public static bool IsOpen(EndpointMetadataCollection metadata) =>
        metadata.GetMetadata<ApiKeyRequired>() is null && metadata.GetMetadata<IAllowAnonymous>() is not null;

    /// <summary>CORS headers for <see cref="SecurityOptions.CorsOrigins"/>; with none configured, no CORS at all (as before).</summary>
    private static TBuilder WithConfiguredCors<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (endpoint.ApplicationServices.GetRequiredService<IOptions<SecurityOptions>>().Value.CorsOrigins.Length > 0)
                endpoint.Metadata.Add(new EnableCorsAttribute(CorsPolicy));
        });
        return builder;
    }
}
