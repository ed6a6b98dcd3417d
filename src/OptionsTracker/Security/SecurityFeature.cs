using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using OptionsTracker.Configuration;

namespace OptionsTracker.Security;

public static class SecurityFeature
{
    private const string CorsPolicy = "configured-origins";

    public static void AddSecurity(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SecurityOptions>()
            .BindConfiguration(SecurityOptions.Section)
            .ValidateSection(SecurityOptions.Section)
            .Validate(o => o.CorsOrigins.All(origin => Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.AbsolutePath == "/"),
                "Security:CorsOrigins must be origins like https://example.com (scheme, host, optional port; no path)")
            .ValidateOnStart();

        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.Cookie.Name = "optionstracker";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.ExpireTimeSpan = TimeSpan.FromDays(30);
                o.SlidingExpiration = true;
            });

        var security = builder.Configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        builder.Services.AddCors(o => o.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(security.CorsOrigins)
            .WithMethods("GET", "POST")
            .WithHeaders("Content-Type", ApiKeyGate.HeaderName)));

        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, IPAddress>(context =>
            {
                if (!ApiKeyGate.IsApi(context.Request.Path))
                    return RateLimitPartition.GetNoLimiter(IPAddress.None);
                var limits = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
                return RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress ?? IPAddress.None, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.RateLimitBurst,
                    TokensPerPeriod = limits.RateLimitPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.OnRejected = (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
        });
    }

    /// <summary>Forwarded headers, security headers, CORS, the API key gate and the rate limiter, in that order.</summary>
    public static void UseSecurity(this WebApplication app)
    {
        var security = app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value;
        if (security.BehindReverseProxy)
        {
            var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
            // The proxy is wherever the operator put it (another container, another host): trust its headers.
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
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
        if (security.CorsOrigins.Length > 0)
            app.UseCors(CorsPolicy);
        app.UseMiddleware<ApiKeyGate>();
        app.UseRateLimiter();
    }

    /// <summary><c>/login</c> and <c>/logout</c> for the dashboard when an API key is set.</summary>
    public static void MapSecurity(this WebApplication app)
    {
        app.MapGet("/login", (string? returnUrl, string? failed) => Results.Content(LoginPage(returnUrl, failed is not null), "text/html; charset=utf-8"))
            .ExcludeFromDescription();
        app.MapPost("/login", async (HttpContext context, IOptions<SecurityOptions> options) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var returnUrl = SafeReturnUrl(form["returnUrl"]);
            if (!ApiKeyGate.Matches(options.Value.ApiKey, form["key"]))
                return Results.Redirect("/login?failed=1&returnUrl=" + Uri.EscapeDataString(returnUrl));
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "dashboard")], CookieAuthenticationDefaults.AuthenticationScheme);
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.Redirect(returnUrl);
        }).DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        }).DisableAntiforgery().ExcludeFromDescription();
    }

    // Only local paths: a login form must not become an open redirect.
    private static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl[0] == '/' && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";

    private static string LoginPage(string? returnUrl, bool failed) => $$"""
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
        <input type="hidden" name="returnUrl" value="{{System.Net.WebUtility.HtmlEncode(SafeReturnUrl(returnUrl))}}">
        {{(failed ? "<p class=\"error\" role=\"alert\">That key is not right.</p>" : "")}}
        <button type="submit">Sign in</button>
        </form></body></html>
        """;
}
