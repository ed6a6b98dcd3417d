using System.Net;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Security;

public class SecurityTests
{
    private const string Key = "correct horse battery staple";


    [Fact]
    public async Task Api_requests_need_the_key_when_one_is_set()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:ApiKey"] = Key });
        var ct = TestContext.Current.CancellationToken;

        using var without = await app.Client.GetAsync("/api/stats", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal("application/problem+json", without.Content.Headers.ContentType?.MediaType);
        Assert.Contains("X-API-Key", await without.Content.ReadAsStringAsync(ct));

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/stats") { Headers = { { "X-API-Key", "nope nope nope" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(wrong, ct)).StatusCode);

        using var right = new HttpRequestMessage(HttpMethod.Get, "/api/stats") { Headers = { { "X-API-Key", Key } } };
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(right, ct)).StatusCode);

        // Probes and scrapers stay open.
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/health/live", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/metrics", ct)).StatusCode);
    }

    [Fact]
    public async Task Without_a_key_the_api_is_open()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync([]);
        using var response = await app.Client.GetAsync("/api/stats", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_dashboard_signs_in_with_the_key_and_its_cookie_opens_the_api()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:ApiKey"] = Key });
        var ct = TestContext.Current.CancellationToken;
        using var browser = app.CreateClient(allowAutoRedirect: false);

        using var page = await browser.GetAsync("/?asset=BTC", ct);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/login?returnUrl=%2F%3Fasset%3DBTC", page.Headers.Location?.OriginalString);

        using var failed = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = "wrong key!", ["returnUrl"] = "/" }), ct);
        Assert.StartsWith("/login?failed=1", failed.Headers.Location?.OriginalString);

        using var open = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = Key, ["returnUrl"] = "https://evil.example/" }), ct);
        Assert.Equal("/", open.Headers.Location?.OriginalString);

        using var signedIn = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = Key, ["returnUrl"] = "/?asset=BTC" }), ct);
        Assert.Equal("/?asset=BTC", signedIn.Headers.Location?.OriginalString);
        using var api = await browser.GetAsync("/api/stats", ct);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
    }

    [Fact]
    public async Task Too_many_requests_get_429_with_retry_after()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:RateLimitPerSecond"] = "2", ["Security:RateLimitBurst"] = "5" });
        var ct = TestContext.Current.CancellationToken;

        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 12; i++)
            statuses.Add(await app.Client.GetAsync("/api/stats", ct));

        var rejected = statuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(rejected);
        Assert.All(rejected, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        // Health is never rate-limited.
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/health/live", ct)).StatusCode);
    }

    [Fact]
    public async Task Only_listed_origins_get_cors_headers()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:CorsOrigins:0"] = "https://grafana.example.com" });
        var ct = TestContext.Current.CancellationToken;

        using var allowed = new HttpRequestMessage(HttpMethod.Get, "/api/stats") { Headers = { { "Origin", "https://grafana.example.com" } } };
        using var allowedResponse = await app.Client.SendAsync(allowed, ct);
        Assert.Equal("https://grafana.example.com", allowedResponse.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(allowedResponse.Headers.Contains("Access-Control-Allow-Credentials"));

        using var other = new HttpRequestMessage(HttpMethod.Get, "/api/stats") { Headers = { { "Origin", "https://evil.example" } } };
        using var otherResponse = await app.Client.SendAsync(other, ct);
        Assert.False(otherResponse.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Responses_carry_security_headers()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync([]);
        using var response = await app.Client.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
    }
}
