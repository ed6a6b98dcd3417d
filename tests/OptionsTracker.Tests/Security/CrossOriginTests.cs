using System.Net;
using System.Net.WebSockets;
using System.Text;
using static OptionsTracker.Tests.Security.SecurityHost;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Security;

/// <summary>
/// Cross-origin WebSocket hijacking: a page on another origin (here another port of the same host, which is the
/// same site, so SameSite=Strict does not stop the browser sending the cookie) opens the tracker's sockets with
/// a signed-in user's cookie.
/// </summary>
public class CrossOriginTests
{
    [Fact]
    public async Task A_cross_origin_page_with_a_valid_cookie_cannot_open_the_options_websocket()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:ApiKey"] = Key });
        var cookie = await SignInAsync(app);
        var site = SiteOrigin(app);
        var otherPort = $"http://127.0.0.1:{app.Client.BaseAddress!.Port + 1}";

        var (refused, _) = await OpenWebSocketAsync(app, "/ws", otherPort, cookie);
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        var (evil, _) = await OpenWebSocketAsync(app, "/ws", "https://evil.example", cookie);
        Assert.Equal(HttpStatusCode.Forbidden, evil);
        var (sandboxed, _) = await OpenWebSocketAsync(app, "/ws", "null", cookie);
        Assert.Equal(HttpStatusCode.Forbidden, sandboxed);

        // The dashboard's own page and a non-browser client (no Origin) with the cookie still get through.
        var (status, socket) = await OpenWebSocketAsync(app, "/ws", site, cookie);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, status);
        using (socket)
            Assert.NotEmpty(await AskAsync(socket!));
        var (noOrigin, plain) = await OpenWebSocketAsync(app, "/ws", null, cookie);
        plain?.Dispose();
        Assert.Equal(HttpStatusCode.SwitchingProtocols, noOrigin);
    }

    [Fact]
    public async Task A_cross_origin_page_cannot_start_or_open_a_dashboard_connection()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:ApiKey"] = Key });
        var cookie = await SignInAsync(app);
        var otherPort = $"http://127.0.0.1:{app.Client.BaseAddress!.Port + 1}";

        Assert.Equal(HttpStatusCode.Forbidden, await NegotiateAsync(app, otherPort, cookie));
        Assert.Equal(HttpStatusCode.OK, await NegotiateAsync(app, SiteOrigin(app), cookie));

        // A socket without negotiating (SignalR's skipNegotiation) is refused too.
        var (status, _) = await OpenWebSocketAsync(app, "/_blazor", otherPort, cookie);
        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task The_sign_in_form_accepts_its_own_pages_posts_only()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:ApiKey"] = Key });
        var otherPort = $"http://127.0.0.1:{app.Client.BaseAddress!.Port + 1}";

        Assert.Equal(HttpStatusCode.Redirect, await PostLoginAsync(app, SiteOrigin(app), fetchSite: "same-origin"));
        // Referrer-Policy: no-referrer makes a browser send "Origin: null" on the site's own form posts.
        Assert.Equal(HttpStatusCode.Redirect, await PostLoginAsync(app, "null", fetchSite: "same-origin"));
        Assert.Equal(HttpStatusCode.Forbidden, await PostLoginAsync(app, "null", fetchSite: "same-site"));
        Assert.Equal(HttpStatusCode.Forbidden, await PostLoginAsync(app, "null", fetchSite: null));
        Assert.Equal(HttpStatusCode.Forbidden, await PostLoginAsync(app, otherPort, fetchSite: "same-site"));
        // A script (curl, a test) sends no Origin.
        Assert.Equal(HttpStatusCode.Redirect, await PostLoginAsync(app, null, fetchSite: null));
    }

    [Fact]
    public async Task Origins_listed_for_cors_may_open_the_websocket()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:CorsOrigins:0"] = "https://grafana.example.com" });

        var (listed, socket) = await OpenWebSocketAsync(app, "/ws", "https://grafana.example.com", null);
        socket?.Dispose();
        Assert.Equal(HttpStatusCode.SwitchingProtocols, listed);
        var (other, _) = await OpenWebSocketAsync(app, "/ws", "https://grafana.example.com:8443", null);
        Assert.Equal(HttpStatusCode.Forbidden, other);
    }

    private static async Task<HttpStatusCode> PostLoginAsync(Fixtures.TrackerApp app, string? origin, string? fetchSite)
    {
        using var http = RawClient(app);
        using var request = LoginRequest(Key, "/");
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        if (fetchSite is not null)
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> NegotiateAsync(Fixtures.TrackerApp app, string origin, string cookie)
    {
        using var http = RawClient(app);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1") { Content = new StringContent("") };
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Cookie", cookie);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    /// <summary>Sends a subscribe and returns the first reply: the socket is live and answering.</summary>
    private static async Task<string> AskAsync(ClientWebSocket socket)
    {
        var ct = TestContext.Current.CancellationToken;
        await socket.SendAsync("""{"op":"subscribe","asset":"BTC"}"""u8.ToArray(), WebSocketMessageType.Text, true, ct);
        var buffer = new byte[64 * 1024];
        var result = await socket.ReceiveAsync(buffer, ct);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
