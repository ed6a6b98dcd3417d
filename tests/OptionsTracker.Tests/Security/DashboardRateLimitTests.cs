using System.Net;
using static OptionsTracker.Tests.Security.SecurityHost;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Security;

/// <summary>Page loads and new dashboard connections are limited per client, on a budget apart from the API's.</summary>
public class DashboardRateLimitTests
{
    [Fact]
    public async Task A_flood_of_page_loads_and_negotiates_gets_429_while_the_api_still_answers()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new()
        {
            ["Security:DashboardRateLimitPerMinute"] = "1",
            ["Security:DashboardRateLimitBurst"] = "5",
        });
        var ct = TestContext.Current.CancellationToken;
        using var http = RawClient(app);

        var pages = new List<HttpResponseMessage>();
        for (var i = 0; i < 20; i++)
            pages.Add(await http.GetAsync("/", ct));
        var negotiates = new List<HttpResponseMessage>();
        for (var i = 0; i < 20; i++)
        {
            using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1") { Content = new StringContent("") };
            negotiates.Add(await http.SendAsync(negotiate, ct));
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"20 page loads: {pages.Count(r => r.StatusCode == HttpStatusCode.OK)} x 200, {pages.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests)} x 429; "
            + $"20 negotiates: {negotiates.Count(r => r.StatusCode == HttpStatusCode.OK)} x 200, {negotiates.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests)} x 429");

        // A burst of 5 refilled at one a minute: most of the 40 are refused, each saying when to come back.
        Assert.Equal(HttpStatusCode.OK, pages[0].StatusCode);
        var refused = pages.Concat(negotiates).Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(refused.Count >= 30, $"{refused.Count} of 40 refused");
        Assert.Contains(negotiates, r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.All(refused, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        Assert.All(pages.Concat(negotiates).Where(r => r.StatusCode != HttpStatusCode.TooManyRequests), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        // The API, health and the dashboard's static files are on other budgets.
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.OK, await GetAsync(app, "/api/stats"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(app, "/health/live"));
        foreach (var response in pages.Concat(negotiates))
            response.Dispose();
    }
}
