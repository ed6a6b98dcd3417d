using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace OptionsTracker.Security;

/// <summary>
/// Refuses (403) cross-origin WebSocket upgrades and requests to endpoints marked <see cref="SameOriginRequired"/>: the
/// dashboard's pages and hub (<c>/_blazor</c>: negotiate, the socket, the fallback transports) and sign-in/sign-out posts. Browsers attach cookies to a WebSocket from any page
/// and neither CORS nor SameSite stops it (a page on another port is the same site), so without this a page
/// elsewhere could read <c>/ws</c> with a signed-in user's cookie. Allowed: this site's own origin (scheme, host
/// and port as the request arrived, the scheme after a trusted proxy's <c>X-Forwarded-Proto</c>), the origins
/// in <see cref="SecurityOptions.CorsOrigins"/>, <c>Origin: null</c> with <c>Sec-Fetch-Site: same-origin</c> (a form
/// post from a page of this site), and no <c>Origin</c> at all: browsers always send one on these requests, so its
/// absence means a non-browser client, which still needs the key.
/// </summary>
internal sealed class OriginCheck(RequestDelegate next, IOptions<SecurityOptions> options, ILogger<OriginCheck> logger)
{
    private readonly (string Scheme, string Host, int Port)[] _listed = [.. options.Value.CorsOrigins.Select(Parse).OfType<(string, string, int)>()];
    private int _refusals;

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsChecked(context))
            return next(context);
        var origins = request.Headers.Origin;
        if (origins.Count == 0)
            return next(context);
        var origin = origins.Count == 1 ? origins[0] ?? "" : origins.ToString();
        var site = $"{request.Scheme}://{request.Host}";
        if (origins.Count == 1 && Parse(origin) is { } presented && (IsSite(presented, request) || _listed.Contains(presented)))
            return next(context);
        // Our Referrer-Policy (no-referrer) makes browsers send "Origin: null" on the site's own form posts. The
        // browser's Sec-Fetch-Site, which no page can set, still says where the request came from.
        if (origin == "null" && request.Headers["Sec-Fetch-Site"] == "same-origin")
            return next(context);

        if (Interlocked.Increment(ref _refusals) == 1)
            Log.FirstCrossOriginRefused(logger, request.Path, origin, site);
        else
            Log.CrossOriginRefused(logger, request.Path, origin, site);
        return Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Cross-origin request refused",
            detail: $"Origin {origin} is not this site ({site}) and not listed in Security:CorsOrigins.").ExecuteAsync(context);
    }

    private static bool IsChecked(HttpContext context)
    {
        var request = context.Request;
        // The dashboard and its hub, and the sign-in form's posts, say so in their endpoint metadata (EndpointAccess).
        if (context.GetEndpoint()?.Metadata.GetMetadata<SameOriginRequired>() is not null)
            return true;
        // Every WebSocket upgrade, whatever it matched: a browser sends the cookie along from any page.
        // HTTP/1.1 upgrades name the protocol in Upgrade; HTTP/2 and 3 use an extended CONNECT.
        if (request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase))
            return true;
        return context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true };
    }

    private static bool IsSite((string Scheme, string Host, int Port) origin, HttpRequest request) =>
        string.Equals(origin.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(origin.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase)
        && origin.Port == (request.Host.Port ?? DefaultPort(request.Scheme));

    private static (string Scheme, string Host, int Port)? Parse(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            // Browsers send the ASCII (punycode) form of a name; IPv6 keeps its brackets, as in the Host header.
            ? (uri.Scheme, uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost, uri.Port)
            : null;

    private static int DefaultPort(string scheme) => string.Equals(scheme, "https", StringComparison.OrdinalIgnoreCase) ? 443 : 80;
}
