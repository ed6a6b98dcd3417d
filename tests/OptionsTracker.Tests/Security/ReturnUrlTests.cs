using System.Net;
using OptionsTracker.Security;
using static OptionsTracker.Tests.Security.SecurityHost;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Security;

/// <summary>The sign-in form's returnUrl never sends the browser to another site.</summary>
public class ReturnUrlTests
{
    /// <summary>Each would leave the site in some browser: tabs and newlines are dropped from URLs, <c>\</c> reads as <c>/</c>.</summary>
    private static readonly string[] HostileUrls =
    [
        "/\t/example.invalid/phish",
        "/\n/example.invalid",
        "/\r\n/example.invalid",
        "/\0/example.invalid",
        "//example.invalid",
        "///example.invalid",
        "/\\example.invalid",
        "\\\\example.invalid",
        "\\/example.invalid",
        "/x/\\..\\\\example.invalid",
        "//\texample.invalid",
        "\t//example.invalid",
        " //example.invalid",
        "https://example.invalid/",
        "http:example.invalid",
        "HTTPS://example.invalid",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "example.invalid",
        "/\u007f/example.invalid",
        "/\u0085/example.invalid",
        "",
    ];

    public static readonly TheoryData<string> Hostile = [.. HostileUrls];

    public static readonly TheoryData<string> Local = ["/", "/?asset=BTC", "/api/stats", "/a/b?c=d#e", "/%2F%2Fexample.invalid", "/%09/stays/here"];

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Hostile_return_urls_are_not_local(string url) => Assert.False(ReturnUrl.IsLocal(url));

    [Theory]
    [MemberData(nameof(Local))]
    public void Paths_on_this_site_are_local(string url) => Assert.Equal(url, ReturnUrl.Safe(url));

    [Fact]
    public async Task Signing_in_with_a_hostile_return_url_lands_on_the_dashboard()
    {
        // Every hostile URL is tried with a wrong key too: room for that many failures and page loads.
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new()
        {
            ["Security:ApiKey"] = Key,
            ["Security:FailedKeyAttempts"] = "1000",
            ["Security:DashboardRateLimitBurst"] = "1000",
        });
        var ct = TestContext.Current.CancellationToken;
        using var http = RawClient(app);

        // The reported attack, as the browser sent it.
        using var page = await http.GetAsync("/login?returnUrl=/%09/example.invalid/phish", ct);
        Assert.Contains("name=\"returnUrl\" value=\"/\"", await page.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);

        foreach (var url in HostileUrls)
        {
            using var request = LoginRequest(Key, url);
            using var response = await http.SendAsync(request, ct);
            using var wrong = LoginRequest("not the key at all", url);
            using var failed = await http.SendAsync(wrong, ct);
            if (url.Contains('\0', StringComparison.Ordinal))
            {
                // The form reader refuses a NUL outright: no sign-in, no redirect.
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
                continue;
            }
            Assert.True(HttpStatusCode.Redirect == response.StatusCode, $"{response.StatusCode} for {Uri.EscapeDataString(url)}");
            Assert.Equal("/", response.Headers.Location?.OriginalString);
            Assert.Equal("/login?failed=1&returnUrl=%2F", failed.Headers.Location?.OriginalString);
        }

        using var local = LoginRequest(Key, "/?asset=ETH");
        using var kept = await http.SendAsync(local, ct);
        Assert.Equal("/?asset=ETH", kept.Headers.Location?.OriginalString);
    }
}
