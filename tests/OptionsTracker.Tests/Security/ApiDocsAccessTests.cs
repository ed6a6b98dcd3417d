using System.Net;
using static OptionsTracker.Tests.Security.SecurityHost;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Security;

/// <summary>
/// The API description and its viewer stay open with a key set (README says so): they describe the public
/// endpoints, hold no data, and every call made from the viewer still needs the key. They are rate-limited with the API.
/// </summary>
public class ApiDocsAccessTests
{
    [Fact]
    public async Task Api_docs_are_open_without_the_key_but_rate_limited_while_the_data_needs_it()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new()
        {
            ["Security:ApiKey"] = Key,
            ["Security:RateLimitPerSecond"] = "1",
            ["Security:RateLimitBurst"] = "3",
        });
        Assert.Equal(HttpStatusCode.OK, await GetAsync(app, "/openapi/v1.json"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(app, "/scalar/"));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(app, "/api/stats"));

        // All at once: one after another, a loaded machine (CI) took over a second per document, long enough for the
        // bucket's 1 a second to refill between them, and none was refused.
        var flood = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => GetAsync(app, "/openapi/v1.json")));
        TestContext.Current.TestOutputHelper?.WriteLine($"20 document loads: {flood.Count(s => s == HttpStatusCode.TooManyRequests)} x 429");
        Assert.Contains(HttpStatusCode.TooManyRequests, flood);
    }
}
