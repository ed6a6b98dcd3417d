using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Security;
using OptionsTracker.Tests.Fixtures;
using static OptionsTracker.Tests.Security.SecurityHost;

namespace OptionsTracker.Tests.Security;

/// <summary>
/// Protection is the endpoint's metadata, put on by the route group that maps it (Security/EndpointAccess), never its
/// URL: every endpoint the host maps is either protected or on the open list below, so a new endpoint cannot be
/// forgotten; an endpoint is protected wherever its path is; and the path tricks of the attacker review (case,
/// doubled slashes, dot segments, trailing dots and slashes, encoded slashes) all stay refused.
/// </summary>
public class EndpointProtectionTests
{
    private const string ListedOrigin = "https://grafana.example.com";

    /// <summary>
    /// Every endpoint open without the key, by route pattern, and why. Adding one here is a decision that it may be
    /// read by anyone who reaches the port; the build's static files are open by their metadata (see below).
    /// </summary>
    private static readonly Dictionary<string, string> OpenEndpoints = new()
    {
        ["/login"] = "the sign-in form: the way to the cookie cannot need it",
        ["/logout"] = "signing out needs nothing; it revokes the caller's own cookie",
        ["/health"] = "probes carry no key; the feed's state, not its data",
        ["/health/live"] = "container and orchestrator liveness probes",
        ["/health/ready"] = "load balancer readiness probes",
        ["/metrics"] = "Prometheus scrapes without a key",
        ["/openapi/{documentName}.json"] = "the API description, open as README says; it holds no data",
        ["/scalar/{documentName?}"] = "the API description's viewer; its calls still need the key",
        ["/scalar/favicon.svg"] = "the viewer's icon",
        ["/scalar/scalar.js"] = "the viewer's script",
        ["/scalar/scalar.aspnetcore.js"] = "the viewer's script",
    };

    [Fact]
    public async Task Every_mapped_endpoint_is_protected_or_on_the_named_open_list()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:ApiKey"] = Key, ["Security:CorsOrigins:0"] = ListedOrigin });
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints;
        var output = TestContext.Current.TestOutputHelper;

        var forgotten = new List<string>();
        var unlimited = new List<string>();
        var withoutCors = new List<string>();
        var open = new HashSet<string>();
        var protectedCount = 0;
        foreach (var endpoint in endpoints)
        {
            var pattern = Pattern(endpoint);
            var name = Describe(endpoint);
            var metadata = endpoint.Metadata;
            var required = metadata.GetMetadata<ApiKeyRequired>();
            if (required is not null)
            {
                protectedCount++;
                output?.WriteLine($"protected ({Style(required)}): {name}");
                if (required == ApiKeyRequired.Api && metadata.GetMetadata<EnableCorsAttribute>() is null)
                    withoutCors.Add(name);
            }
            else if (EndpointAccess.IsOpen(metadata) && (OpenEndpoints.ContainsKey(pattern) || metadata.GetMetadata<StaticAssetDescriptor>() is not null))
            {
                open.Add(pattern);
                output?.WriteLine($"open: {name}");
            }
            else
            {
                forgotten.Add(name);
            }
            // Every endpoint says how it is rate-limited, or that it is not.
            if (metadata.GetMetadata<EnableRateLimitingAttribute>() is null && metadata.GetMetadata<DisableRateLimitingAttribute>() is null)
                unlimited.Add(name);
        }

        Assert.True(forgotten.Count == 0, "Neither protected nor on the open list (map them on a group of Security/EndpointAccess): " + string.Join("; ", forgotten));
        Assert.True(unlimited.Count == 0, "No rate-limit decision: " + string.Join("; ", unlimited));
        Assert.True(withoutCors.Count == 0, "API endpoints without the configured CORS: " + string.Join("; ", withoutCors));
        // The open list names endpoints that exist and are open, so it cannot rot into a list of nothing.
        Assert.Empty(OpenEndpoints.Keys.Except(open));
        output?.WriteLine($"{protectedCount} protected, {open.Count} open patterns");

        // What must be protected is among what was checked: the API, the streams, the dashboard and its hub.
        foreach (var (pattern, style) in new[]
        {
            ("/api/options/{asset}", ApiKeyRequired.Api), ("/api/query", ApiKeyRequired.Api), ("/api/stream/{asset}", ApiKeyRequired.Api),
            ("/ws", ApiKeyRequired.Api), ("/", ApiKeyRequired.Dashboard), ("/_blazor", ApiKeyRequired.Dashboard),
            ("/_blazor/negotiate", ApiKeyRequired.Dashboard),
        })
        {
            var endpoint = Assert.Single(endpoints, e => Pattern(e) == pattern);
            Assert.Same(style, endpoint.Metadata.GetMetadata<ApiKeyRequired>());
        }
        // The dashboard and its hub refuse other origins' pages (a socket carries the cookie from any page).
        Assert.All(endpoints.Where(e => e.Metadata.GetMetadata<ApiKeyRequired>() == ApiKeyRequired.Dashboard),
            e => Assert.NotNull(e.Metadata.GetMetadata<SameOriginRequired>()));
    }

    [Fact]
    public async Task An_endpoint_is_protected_by_its_group_not_by_its_path()
    {
        // A host of its own with the tracker's security and endpoints at paths the old prefix lists never named.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Security:ApiKey"] = Key,
            ["Security:KeysDirectory"] = Path.Combine(Path.GetTempPath(), $"optionstracker-test-keys-{Guid.NewGuid():N}"),
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.AddSecurity();
        await using var app = builder.Build();
        app.UseSecurity();
        app.MapSecurity();
        app.MapGroup("/reports").RequireApiKey().MapGet("/latest", () => "data");
        app.MapGroup("/board").RequireSignIn().MapGet("", () => "page");
        // Under /api, which the old gate protected by its prefix: open here because its group says so.
        app.MapGroup("/api").OpenToProbes().MapGet("/ping", () => "pong");
        // On no group at all: refused like an unknown path, since it is not on an open group.
        app.MapGet("/unmarked", () => "data");
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Urls.First();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(address) };
        var ct = TestContext.Current.CancellationToken;

        using (var refused = await http.GetAsync("/reports/latest", ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("X-API-Key", await refused.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }
        using (var withKey = new HttpRequestMessage(HttpMethod.Get, "/reports/latest") { Headers = { { "X-API-Key", Key } } })
        using (var served = await http.SendAsync(withKey, ct))
            Assert.Equal("data", await served.Content.ReadAsStringAsync(ct));

        using (var page = await http.GetAsync("/board", ct))
        {
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.Equal("/login?returnUrl=%2Fboard", page.Headers.Location?.OriginalString);
        }
        using (var ping = await http.GetAsync("/api/ping", ct))
            Assert.Equal("pong", await ping.Content.ReadAsStringAsync(ct));
        using (var unmarked = await http.GetAsync("/unmarked", ct))
            Assert.Equal(HttpStatusCode.Redirect, unmarked.StatusCode);
        using (var unknown = await http.GetAsync("/api/nothing-here", ct))
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        using (var unknownWithKey = new HttpRequestMessage(HttpMethod.Get, "/api/nothing-here") { Headers = { { "X-API-Key", Key } } })
        using (var notFound = await http.SendAsync(unknownWithKey, ct))
            Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        await app.StopAsync(ct);
    }

    [Fact]
    public async Task Listed_origins_get_cors_on_the_data_and_probe_groups_and_preflights_need_no_key()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:ApiKey"] = Key, ["Security:CorsOrigins:0"] = ListedOrigin });
        using var http = RawClient(app);
        var ct = TestContext.Current.CancellationToken;

        // A browser asks before sending the key; the preflight itself carries none and must not be refused for it.
        using (var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/options/BTC"))
        {
            preflight.Headers.Add("Origin", ListedOrigin);
            preflight.Headers.Add("Access-Control-Request-Method", "GET");
            preflight.Headers.Add("Access-Control-Request-Headers", "X-API-Key");
            using var response = await http.SendAsync(preflight, ct);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal(ListedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }
        foreach (var path in new[] { "/api/stats", "/health/live" })
        {
            using var listed = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Origin", ListedOrigin }, { "X-API-Key", Key } } };
            using var listedResponse = await http.SendAsync(listed, ct);
            Assert.Equal(HttpStatusCode.OK, listedResponse.StatusCode);
            Assert.Equal(ListedOrigin, listedResponse.Headers.GetValues("Access-Control-Allow-Origin").Single());
            using var other = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "Origin", "https://evil.example" }, { "X-API-Key", Key } } };
            using var otherResponse = await http.SendAsync(other, ct);
            Assert.False(otherResponse.Headers.Contains("Access-Control-Allow-Origin"), path);
        }
    }

    /// <summary>Spellings of protected URLs, sent as written (no client-side normalising).</summary>
    private static readonly (string Method, string Path)[] Spellings =
    [
        ("GET", "/api/stats"), ("GET", "/API/STATS"), ("GET", "//api/stats"), ("GET", "/api//stats"), ("GET", "/api/stats/"),
        ("GET", "/api/stats."), ("GET", "/api/stats./"), ("GET", "/api/./stats"), ("GET", "/api/../api/stats"),
        ("GET", "/x/../api/stats"), ("GET", "/health/../api/stats"), ("GET", "/api/stats%2F"), ("GET", "/api%2Fstats"),
        ("GET", "/%61pi/stats"), ("GET", "/api/stats;x=1"), ("GET", "/api/stats?x=/health"), ("GET", "/api/nothing-here"),
        ("GET", "/api/x.json"), ("GET", "/api/options/BTC.json"), ("GET", "/api/export/csv"), ("GET", "/api/stream/BTC"),
        ("GET", "/ws"), ("GET", "/WS"), ("GET", "//ws"), ("POST", "/api/stats"), ("POST", "/api/query"), ("DELETE", "/api/options/BTC"),
        ("GET", "/"), ("GET", "//"), ("GET", "/?asset=BTC"), ("POST", "/"), ("POST", "/_blazor/negotiate?negotiateVersion=1"),
        ("GET", "/_blazor"), ("GET", "/_blazor/initializers"), ("GET", "/_framework/opaque-redirect"), ("GET", "/nothing-here"),
    ];

    [Fact]
    public async Task Spellings_of_protected_urls_are_refused_without_the_key()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:ApiKey"] = Key });
        using var http = RawClient(app);
        var ct = TestContext.Current.CancellationToken;
        var served = new List<string>();
        foreach (var (method, path) in Spellings)
        {
            var uri = new Uri(app.Client.BaseAddress! + path.TrimStart('/'), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
            using var request = new HttpRequestMessage(new HttpMethod(method), uri);
            if (method != "GET")
                request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            var location = response.Headers.Location?.OriginalString;
            TestContext.Current.TestOutputHelper?.WriteLine($"{method} {path}: {(int)response.StatusCode} {location}");
            // Refused as the endpoint's group says (401 with a problem body naming the header, or the sign-in
            // redirect), or rejected by the server before the app (400); never served, never a 404 or 405 telling
            // a caller without the key what exists.
            var refused = response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => body.Contains("X-API-Key", StringComparison.Ordinal),
                HttpStatusCode.Redirect => location?.StartsWith("/login?returnUrl=", StringComparison.Ordinal) == true,
                HttpStatusCode.BadRequest => true,
                _ => false,
            };
            if (!refused)
                served.Add($"{method} {path} answered {(int)response.StatusCode} {location}: {body[..Math.Min(body.Length, 200)]}");
        }
        Assert.True(served.Count == 0, string.Join("\n", served));
    }

    private static string Pattern(Endpoint endpoint) => (endpoint as RouteEndpoint)?.RoutePattern.RawText is { } raw
        ? (raw.StartsWith('/') || raw.StartsWith('{') ? raw : "/" + raw).TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/"
        : endpoint.DisplayName ?? "?";

    private static string Describe(Endpoint endpoint)
    {
        var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
        return $"{(methods is { Count: > 0 } ? string.Join(",", methods) : "any method")} {Pattern(endpoint)} ({endpoint.DisplayName})";
    }

    private static string Style(ApiKeyRequired required) => required.RedirectsToSignIn switch
    {
        true => "sign-in",
        false => "key",
        null => "as unmatched",
    };
}
