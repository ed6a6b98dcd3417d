using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Store;
using OptionsTracker.Tests.Store;
using static OptionsTracker.Tests.Security.SecurityHost;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Security;

/// <summary>With Redis, a sign-out on one web instance holds on every instance sharing it.</summary>
public class SharedSignOutTests
{
    [Fact]
    public async Task A_cookie_signed_out_on_one_web_instance_is_refused_by_the_other()
    {
        await using var redis = await RedisServer.StartAsync();
        var settings = RedisTestSettings.For(redis.Endpoint, "web").With(new Dictionary<string, string?> { ["Security:ApiKey"] = Key });
        await using var first = await TrackerApp.StartWithoutExchangeAsync(settings);
        await using var second = await TrackerApp.StartWithoutExchangeAsync(settings);
        var cookie = await SignInAsync(first);
        // Both instances read the cookie (same data-protection key ring), so a refusal below is the sign-out's.
        Assert.Equal(HttpStatusCode.OK, await GetAsync(second, "/api/stats", cookie));
        await ConnectedAsync(first);
        await ConnectedAsync(second);

        using var http = RawClient(first);
        using var logout = new HttpRequestMessage(HttpMethod.Post, "/logout") { Headers = { { "Cookie", cookie } } };
        using var response = await http.SendAsync(logout, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(first, "/api/stats", cookie));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(second, "/api/stats", cookie));
        // A third instance started afterwards knows it too.
        await using var third = await TrackerApp.StartWithoutExchangeAsync(settings);
        await ConnectedAsync(third);
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(third, "/api/stats", cookie));
    }

    private static Task ConnectedAsync(Fixtures.TrackerApp app) =>
        Fixtures.Eventually.Until(() => app.Services.GetRequiredService<RedisConnection>().IsConnected, "the instance connected to Redis");
}
