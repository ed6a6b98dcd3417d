using System.Net;
using Microsoft.AspNetCore.Http;
using OptionsTracker.Security;
using static OptionsTracker.Tests.Security.SecurityHost;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Security;

/// <summary>Behind a reverse proxy, only the configured proxies' X-Forwarded-For names the client.</summary>
public class ForwardedHeadersTests
{
    private static Dictionary<string, string?> BehindProxy(string knownProxies) => new()
    {
        ["Security:BehindReverseProxy"] = "true",
        ["Security:KnownProxies"] = knownProxies,
        ["Security:RateLimitPerSecond"] = "1",
        ["Security:RateLimitBurst"] = "2",
    };

    [Fact]
    public async Task A_spoofed_forwarded_address_from_an_untrusted_sender_does_not_escape_the_rate_limit()
    {
        // The test client (127.0.0.1) is not the trusted proxy network.
        await using var app = await TrackerApp.StartWithoutExchangeAsync(BehindProxy("10.0.0.0/8"));
        // All at once, so the bucket (1 a second) cannot refill between them however slow the machine.
        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => GetAsync(app, "/api/stats", forwardedFor: $"198.51.100.{i + 1}")));
        TestContext.Current.TestOutputHelper?.WriteLine($"untrusted sender, 20 addresses: {statuses.Count(s => s == HttpStatusCode.TooManyRequests)} x 429");
        Assert.True(statuses.Count(s => s == HttpStatusCode.TooManyRequests) >= 10, string.Join(",", statuses));
    }

    [Fact]
    public async Task A_trusted_proxy_names_each_client_and_each_gets_its_own_limit()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(BehindProxy("127.0.0.0/8,192.0.2.1"));
        var distinct = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
            distinct.Add(await GetAsync(app, "/api/stats", forwardedFor: $"198.51.100.{i + 1}"));
        Assert.All(distinct, s => Assert.Equal(HttpStatusCode.OK, s));

        // A client behind the proxy cannot escape by adding its own X-Forwarded-For: the proxy appends the real
        // address and only that rightmost entry is read.
        var spoofing = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => GetAsync(app, "/api/stats", forwardedFor: $"203.0.113.{i + 1}, 198.51.100.200")));
        TestContext.Current.TestOutputHelper?.WriteLine($"trusted proxy: 20 clients all 200; one client spoofing 20 addresses: {spoofing.Count(s => s == HttpStatusCode.TooManyRequests)} x 429");
        Assert.True(spoofing.Count(s => s == HttpStatusCode.TooManyRequests) >= 10, string.Join(",", spoofing));
    }

    [Fact]
    public void Clients_are_counted_by_ipv4_address_and_by_ipv6_network()
    {
        static IPAddress Of(string address) =>
            ClientAddress.Of(new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse(address) } });

        Assert.Equal(IPAddress.Parse("198.51.100.7"), Of("198.51.100.7"));
        Assert.Equal(IPAddress.Parse("198.51.100.7"), Of("::ffff:198.51.100.7"));
        Assert.Equal(Of("2001:db8:1:2::1"), Of("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        Assert.NotEqual(Of("2001:db8:1:2::1"), Of("2001:db8:1:3::1"));
    }

    [Theory]
    [InlineData("10.0.0.0/8,127.0.0.1", true)]
    [InlineData("::1, fd00::/8", true)]
    [InlineData("10.0.0.0/40", false)]
    [InlineData("10", false)]
    [InlineData("proxy.example", false)]
    [InlineData("10.0.0.0/33", false)]
    [InlineData(" , ", false)]
    public void Known_proxies_are_addresses_and_networks(string list, bool valid) =>
        Assert.Equal(valid, KnownProxies.TryParse(list, out _, out _));
}
