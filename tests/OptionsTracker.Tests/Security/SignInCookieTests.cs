using System.Net;
using static OptionsTracker.Tests.Security.SecurityHost;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Security;

/// <summary>The dashboard's sign-in cookie dies with a sign-out and with the key it was issued for.</summary>
public class SignInCookieTests
{
    [Fact]
    public async Task A_cookie_kept_after_logout_is_refused()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:ApiKey"] = Key });
        var ct = TestContext.Current.CancellationToken;
        var cookie = await SignInAsync(app);
        var otherSession = await SignInAsync(app);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(app, "/api/stats", cookie));

        // The dashboard offers the sign-out.
        using var http = RawClient(app);
        using (var page = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Cookie", cookie } } })
        using (var dashboard = await http.SendAsync(page, ct))
            Assert.Contains("action=\"/logout\"", await dashboard.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        using var logout = new HttpRequestMessage(HttpMethod.Post, "/logout") { Headers = { { "Cookie", cookie } } };
        using var response = await http.SendAsync(logout, ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        // The browser deleted its copy; a copy kept elsewhere (a stolen cookie, another jar) is refused too.
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(app, "/api/stats", cookie));
        Assert.Equal(HttpStatusCode.Redirect, await GetAsync(app, "/", cookie));
        var (socket, _) = await OpenWebSocketAsync(app, "/ws", SiteOrigin(app), cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, socket);
        // Only that session: another sign-in is untouched.
        Assert.Equal(HttpStatusCode.OK, await GetAsync(app, "/api/stats", otherSession));
    }

    [Fact]
    public async Task A_cookie_issued_for_the_old_key_is_refused_after_the_key_changes()
    {
        await using var before = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:ApiKey"] = Key });
        var cookie = await SignInAsync(before);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(before, "/api/stats", cookie));

        // Both hosts read cookies with the same data-protection keys (the user's key ring), so the refusal is the
        // key check's: the same cookie still opens a host that kept the old key.
        await using var rotated = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:ApiKey"] = "a brand new key after rotation" });
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(rotated, "/api/stats", cookie));
        await using var unchanged = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:ApiKey"] = Key });
        Assert.Equal(HttpStatusCode.OK, await GetAsync(unchanged, "/api/stats", cookie));
    }

    [Fact]
    public async Task The_cookie_is_secure_when_the_request_came_over_https()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new()
        {
            ["Security:ApiKey"] = Key,
            ["Security:BehindReverseProxy"] = "true",
            ["Security:KnownProxies"] = "127.0.0.1",
        });
        var ct = TestContext.Current.CancellationToken;
        using var http = RawClient(app);

        using var overHttps = LoginRequest(Key, "/");
        overHttps.Headers.Add("X-Forwarded-Proto", "https");
        using var secure = await http.SendAsync(overHttps, ct);
        Assert.Contains(secure.Headers.GetValues("Set-Cookie"), c => c.StartsWith("optionstracker=", StringComparison.Ordinal) && c.Contains("; secure", StringComparison.OrdinalIgnoreCase));

        using var overHttp = LoginRequest(Key, "/");
        using var plain = await http.SendAsync(overHttp, ct);
        Assert.Contains(plain.Headers.GetValues("Set-Cookie"), c => c.StartsWith("optionstracker=", StringComparison.Ordinal) && !c.Contains("secure", StringComparison.OrdinalIgnoreCase));
        Assert.All(plain.Headers.GetValues("Set-Cookie"), c => Assert.Contains("httponly", c, StringComparison.OrdinalIgnoreCase));
    }
}
