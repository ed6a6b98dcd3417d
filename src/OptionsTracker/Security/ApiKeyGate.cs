using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace OptionsTracker.Security;

/// <summary>
/// With an API key configured: endpoints carrying <see cref="ApiKeyRequired"/> (the API, the streams, the dashboard and
/// its hub: see <see cref="EndpointAccess"/>) need <c>X-API-Key</c> or the dashboard's sign-in cookie; without either, an
/// API endpoint answers 401 and the dashboard redirects to <c>/login</c>. Endpoints of the open groups (health, metrics,
/// API docs, static files, sign-in) pass. A request matching no endpoint, or one of no group (the router's 405),
/// needs the key too, answered by its path's style: an unknown URL tells a caller without the key nothing.
/// </summary>
internal sealed class ApiKeyGate(RequestDelegate next, IOptions<SecurityOptions> options, FailedKeyThrottle throttle)
{
    public const string HeaderName = "X-API-Key";

    private readonly byte[]? _key = KeyBytes(options.Value.ApiKey);

    public async Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (_key is null || metadata is not null && EndpointAccess.IsOpen(metadata))
        {
            await next(context);
            return;
        }

        var presented = context.Request.Headers[HeaderName].ToString();
        if (presented.Length > 0)
        {
            // A locked-out client's keys are not even compared: guessing gets no answers until the lockout ends.
            var client = ClientAddress.Of(context);
            if (throttle.IsLockedOut(client, out var retryAfter))
            {
                await WriteLockedOutAsync(context, retryAfter);
                return;
            }
            if (Matches(_key, presented))
            {
                throttle.Succeeded(client);
                await next(context);
                return;
            }
            if (throttle.Failed(client) is { Ticks: > 0 } lockout)
            {
                await WriteLockedOutAsync(context, lockout);
                return;
            }
        }
        var signedIn = await context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (signedIn.Succeeded)
        {
            context.User = signedIn.Principal;
            await next(context);
            return;
        }

        var toSignIn = metadata?.GetMetadata<ApiKeyRequired>()?.RedirectsToSignIn ?? !IsApi(context.Request.Path);
        if (!toSignIn)
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

    /// <summary>429 with <c>Retry-After</c> for a client locked out by <see cref="FailedKeyThrottle"/>.</summary>
    internal static Task WriteLockedOutAsync(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds(retryAfter);
        return Results.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many wrong keys",
            detail: $"This client sent too many wrong keys; try again in {RetryAfterSeconds(retryAfter)} s.").ExecuteAsync(context);
    }

    internal static string RetryAfterSeconds(TimeSpan wait) =>
        Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="candidate"/> is the configured key, compared in constant time; never with no key set.</summary>
    public static bool Matches(string? configuredKey, string? candidate) => Matches(KeyBytes(configuredKey), candidate);

    private static bool Matches(byte[]? key, string? candidate) =>
        key is not null && candidate is { Length: > 0 }
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), key);

    private static byte[]? KeyBytes(string? key) => key is { Length: > 0 } ? Encoding.UTF8.GetBytes(key) : null;

    /// <summary>
    /// Only for requests that match no endpoint of a group: whether a refusal is an API one (401 problem, the API's
    /// rate budget) or a browser's (sign-in redirect, the dashboard's). It never opens anything.
    /// </summary>
    internal static bool IsApi(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/ws");
}
