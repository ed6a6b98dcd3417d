using System.Net;
using System.Net.WebSockets;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Security;

/// <summary>
/// What the attack tests share, on a host started with <see cref="TrackerApp.StartWithoutExchangeAsync"/> (access
/// control needs no exchange): a raw client that neither keeps cookies nor follows redirects (so each request
/// carries exactly what the test gives it), sign-in, and a WebSocket opened with a chosen Origin and cookie, as a
/// browser page would.
/// </summary>
internal static class SecurityHost
{
    public const string Key = "correct horse battery staple";

    public static HttpClient RawClient(TrackerApp app) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.Client.BaseAddress };

    /// <summary>This site's own origin as a browser on it would send it.</summary>
    public static string SiteOrigin(TrackerApp app) => app.Client.BaseAddress!.GetLeftPart(UriPartial.Authority);

    /// <summary>Signs in through the form; returns the cookie (<c>name=value</c>) to send back.</summary>
    public static async Task<string> SignInAsync(TrackerApp app, string key = Key, string? forwardedFor = null)
    {
        using var http = RawClient(app);
        using var request = LoginRequest(key, "/", forwardedFor);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return Cookie(response) ?? throw new InvalidOperationException("signing in set no cookie");
    }

    public static HttpRequestMessage LoginRequest(string key, string returnUrl, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = key, ["returnUrl"] = returnUrl }),
        };
        if (forwardedFor is not null)
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        return request;
    }

    /// <summary>The sign-in cookie a response sets (<c>name=value</c>), or null.</summary>
    public static string? Cookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Where(c => c.StartsWith("optionstracker=", StringComparison.Ordinal)).Select(c => c.Split(';')[0]).FirstOrDefault()
            : null;

    public static async Task<HttpStatusCode> GetAsync(TrackerApp app, string path, string? cookie = null, string? apiKey = null, string? forwardedFor = null)
    {
        using var http = RawClient(app);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null)
            request.Headers.Add("Cookie", cookie);
        if (apiKey is not null)
            request.Headers.Add("X-API-Key", apiKey);
        if (forwardedFor is not null)
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    /// <summary>
    /// Opens a WebSocket to <paramref name="path"/> as a page at <paramref name="origin"/> would; returns the HTTP
    /// status of the handshake (101 when it opened) and the socket if it did.
    /// </summary>
    public static async Task<(HttpStatusCode Status, ClientWebSocket? Socket)> OpenWebSocketAsync(TrackerApp app, string path, string? origin, string? cookie)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
            socket.Options.SetRequestHeader("Origin", origin);
        if (cookie is not null)
            socket.Options.SetRequestHeader("Cookie", cookie);
        var uri = new UriBuilder(app.Client.BaseAddress!) { Scheme = "ws", Path = path }.Uri;
        try
        {
            await socket.ConnectAsync(uri, TestContext.Current.CancellationToken);
            return (socket.HttpStatusCode, socket);
        }
        catch (WebSocketException)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            return (status, null);
        }
    }
}
