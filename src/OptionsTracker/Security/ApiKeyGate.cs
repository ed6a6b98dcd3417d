using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace OptionsTracker.Security;

/// <summary>
/// With an API key configured: API and stream requests need <c>X-API-Key</c> (or the dashboard's sign-in
/// cookie, so the dashboard's own calls work), the dashboard redirects to <c>/login</c>, and health,
/// metrics, API docs and static files stay open for probes and scrapers.
/// </summary>
internal sealed class ApiKeyGate(RequestDelegate next, IOptions<SecurityOptions> options)
{
    public const string HeaderName = "X-API-Key";

    private readonly byte[]? _key = options.Value.ApiKey is { Length: > 0 } key ? Encoding.UTF8.GetBytes(key) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        if (_key is null || IsOpen(context.Request.Path))
        {
            await next(context);
            return;
        }

        if (Matches(context.Request.Headers[HeaderName].ToString()))
        {
            await next(context);
            return;
        }
        var signedIn = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (signedIn.Succeeded)
        {
            context.User = signedIn.Principal;
            await next(context);
            return;
        }

        if (IsApi(context.Request.Path))
        {
            await Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "API key required",
                detail: $"Send the key in the {HeaderName} header.").ExecuteAsync(context);
            return;
        }
        var returnUrl = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
        context.Response.Redirect("/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
    }

    public bool Matches(string? candidate) =>
        _key is not null && candidate is { Length: > 0 }
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _key);

    internal static bool IsApi(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/ws");

    private static bool IsOpen(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/login")
        || path.StartsWithSegments("/logout") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/scalar")
        || path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content") || path.StartsWithSegments("/favicon.ico")
        || Path.HasExtension(path.Value) && !IsApi(path);
}
