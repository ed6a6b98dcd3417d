using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using OptionsTracker.Configuration;

namespace OptionsTracker.Security;

public static class SecurityFeature
{
    public static void AddSecurity(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SecurityOptions>()
            .BindConfiguration(SecurityOptions.Section)
            .ValidateSection(SecurityOptions.Section)
            .Validate(o => o.CorsOrigins.All(origin => Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.AbsolutePath == "/"),
                "Security:CorsOrigins must be origins like https://example.com (scheme, host, optional port; no path)")
            .Validate(o => KnownProxies.TryParse(o.KnownProxies, out _, out _), "Security:KnownProxies must be " + KnownProxies.Expected)
            .Validate(o => o.MaxFailedKeyLockout >= o.FailedKeyLockout, "Security:MaxFailedKeyLockout must not be shorter than Security:FailedKeyLockout")
            .ValidateOnStart();
        builder.Services.AddSingleton<FailedKeyThrottle>();
        builder.Services.AddSingleton<DashboardSessions>();
        builder.AddKeyRing();

        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.Cookie.Name = "optionstracker";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                // Secure whenever the request came over HTTPS (behind a trusted proxy: X-Forwarded-Proto https).
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromDays(30);
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = context => context.HttpContext.RequestServices.GetRequiredService<DashboardSessions>().ValidateAsync(context);
            });

        var security = builder.Configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        builder.Services.AddCors(o => o.AddPolicy(EndpointAccess.CorsPolicy, policy => policy
            .WithOrigins(security.CorsOrigins)
            .WithMethods("GET", "POST")
            .WithHeaders("Content-Type", ApiKeyGate.HeaderName)));

        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Two budgets per client, chosen by the endpoint's group (EndpointAccess): the API's (with the API docs)
            // and the dashboard's (page loads, sign-in and new hub connections), so a flood of one never starves the
            // other. Health, metrics and static files opt out; so do an established hub connection's requests.
            o.AddPolicy(EndpointAccess.ApiBudget, context => ApiBucket(context, EndpointAccess.ApiBudget));
            o.AddPolicy(EndpointAccess.DashboardBudget, context => IsNewVisit(context)
                ? DashboardBucket(context, EndpointAccess.DashboardBudget)
                : RateLimitPartition.GetNoLimiter((EndpointAccess.DashboardBudget, IPAddress.None)));
            // A request that matches no endpoint of a group (an unknown path, a method the path does not serve) is
            // still counted, on a budget of the same size as its path's style (see ApiKeyGate.IsApi): probing for
            // URLs is not free either.
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, (string, IPAddress)>(context =>
                context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null
                    ? RateLimitPartition.GetNoLimiter(("", IPAddress.None))
                    : ApiKeyGate.IsApi(context.Request.Path) ? ApiBucket(context, "unmatched-api") : DashboardBucket(context, "unmatched"));
            o.OnRejected = (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
        });
    }

    private static RateLimitPartition<(string, IPAddress)> ApiBucket(HttpContext context, string budget)
    {
        var limits = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
        return RateLimitPartition.GetTokenBucketLimiter((budget, ClientAddress.Of(context)), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.RateLimitBurst,
            TokensPerPeriod = limits.RateLimitPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static RateLimitPartition<(string, IPAddress)> DashboardBucket(HttpContext context, string budget)
    {
        var limits = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
        return RateLimitPartition.GetTokenBucketLimiter((budget, ClientAddress.Of(context)), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.DashboardRateLimitBurst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / limits.DashboardRateLimitPerMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <summary>
    /// Whether a dashboard request is a visit (a page load, a sign-in, a new hub connection: negotiate, or a socket
    /// opened without one) rather than traffic of a page already loaded: the requests of an established hub
    /// connection (they carry its id) and Blazor's per-circuit endpoints (initializers, disconnect).
    /// </summary>
    private static bool IsNewVisit(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata is null || metadata.GetMetadata<NegotiateMetadata>() is not null)
            return true;
        if (metadata.GetMetadata<HubMetadata>() is not null)
            return !context.Request.Query.ContainsKey("id");
        return metadata.GetMetadata<RootComponentMetadata>() is null || metadata.GetMetadata<ComponentTypeMetadata>() is not null;
    }

    /// <summary>
    /// Forwarded headers, security headers, CORS, the origin check, the rate limiter and the API key gate, in that
    /// order: limits apply before the key is checked, so a flood of wrong keys is refused cheaply.
    /// </summary>
    public static void UseSecurity(this WebApplication app)
    {
        var security = app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value;
        if (security.BehindReverseProxy)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            // Only the configured proxies: anyone else's X-Forwarded-For would let a client choose the address its
            // rate limits and lockouts count under. ForwardLimit stays 1: the proxy's own entry, the rightmost.
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            // Validated at start-up (AddSecurity), so the list parses.
            _ = KnownProxies.TryParse(security.KnownProxies, out var addresses, out var networks);
            foreach (var address in addresses)
                forwarded.KnownProxies.Add(address);
            foreach (var network in networks)
                forwarded.KnownIPNetworks.Add(network);
            Log.ForwardedHeadersTrusted(app.Logger, security.KnownProxies);
            app.UseForwardedHeaders(forwarded);
        }
        app.Use(static (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            return next(context);
        });
        // CORS by endpoint metadata (EndpointAccess), present only with origins configured.
        if (security.CorsOrigins.Length > 0)
            app.UseCors();
        app.UseMiddleware<OriginCheck>();
        app.UseRateLimiter();
        app.UseMiddleware<ApiKeyGate>();
    }

    /// <summary><c>/login</c> and <c>/logout</c> for the dashboard when an API key is set.</summary>
    public static void MapSecurity(this WebApplication app)
    {
        app.MapGet("/login", (string? returnUrl, string? failed) => Results.Content(LoginPage(returnUrl, failed is not null), "text/html; charset=utf-8"))
            .OpenForSignIn().ExcludeFromDescription();
        app.MapPost("/login", async (HttpContext context, IOptions<SecurityOptions> options, FailedKeyThrottle throttle, DashboardSessions sessions) =>
        {
            IFormCollection form;
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (InvalidDataException)
            {
                // A NUL (%00) or an oversized form: the reader refuses it, and so does the sign-in.
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unreadable sign-in form");
            }
            var returnUrl = ReturnUrl.Safe(form["returnUrl"]);
            var client = ClientAddress.Of(context);
            if (throttle.IsLockedOut(client, out var retryAfter))
                return LockedOut(context, returnUrl, retryAfter);
            if (!ApiKeyGate.Matches(options.Value.ApiKey, form["key"]))
            {
                var lockout = throttle.Failed(client);
                return lockout > TimeSpan.Zero
                    ? LockedOut(context, returnUrl, lockout)
                    : Results.Redirect("/login?failed=1&returnUrl=" + Uri.EscapeDataString(returnUrl));
            }
            throttle.Succeeded(client);
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, sessions.NewPrincipal());
            return Results.Redirect(returnUrl);
        }).OpenForSignIn().WithMetadata(SameOriginRequired.Instance).DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/logout", async (HttpContext context, DashboardSessions sessions) =>
        {
            // Revoked, not only deleted: a copy of the cookie (another tab's jar, a stolen one) stops working too.
            var signedIn = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            if (signedIn.Succeeded)
                await sessions.RevokeAsync(signedIn.Principal, context.RequestAborted);
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        }).OpenForSignIn().WithMetadata(SameOriginRequired.Instance).DisableAntiforgery().ExcludeFromDescription();
    }

    private static IResult LockedOut(HttpContext context, string returnUrl, TimeSpan retryAfter)
    {
        var seconds = ApiKeyGate.RetryAfterSeconds(retryAfter);
        context.Response.Headers.RetryAfter = seconds;
        return Results.Content(LoginPage(returnUrl, failed: false, $"Too many wrong keys: try again in {seconds} s."),
            "text/html; charset=utf-8", statusCode: StatusCodes.Status429TooManyRequests);
    }

    private static string LoginPage(string? returnUrl, bool failed, string? lockedOut = null) => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>OptionsTracker: sign in</title>
        <style>body{background:#0d1117;color:#e6edf3;font:16px system-ui,sans-serif;display:grid;place-items:center;min-height:100vh;margin:0}
        form{background:#161b22;padding:2rem;border-radius:8px;display:grid;gap:.75rem;min-width:18rem}
        input,button{font:inherit;padding:.5rem;border-radius:4px;border:1px solid #30363d;background:#0d1117;color:inherit}
        button{background:#238636;border:0;cursor:pointer}.error{color:#f85149}</style></head>
        <body><form method="post" action="/login">
        <h1>OptionsTracker</h1>
        <label for="key">API key</label>
        <input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
        <input type="hidden" name="returnUrl" value="{{System.Net.WebUtility.HtmlEncode(ReturnUrl.Safe(returnUrl))}}">
        {{(failed ? "<p class=\"error\" role=\"alert\">That key is not right.</p>" : "")}}
        {{(lockedOut is null ? "" : $"<p class=\"error\" role=\"alert\">{System.Net.WebUtility.HtmlEncode(lockedOut)}</p>")}}
        <button type="submit">Sign in</button>
        </form></body></html>
        """;
}
