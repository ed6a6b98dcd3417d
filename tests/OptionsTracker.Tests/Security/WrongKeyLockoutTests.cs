using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Security;
using static OptionsTracker.Tests.Security.SecurityHost;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Security;

/// <summary>Guessing the key: wrong keys, by header or by the sign-in form, lock the guessing client out.</summary>
public class WrongKeyLockoutTests
{
    // The test client is the trusted proxy, so X-Forwarded-For names each simulated client.
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Security:ApiKey"] = Key,
        ["Security:FailedKeyAttempts"] = "5",
        ["Security:BehindReverseProxy"] = "true",
        ["Security:KnownProxies"] = "127.0.0.1",
    };

    [Fact]
    public async Task A_flood_of_wrong_keys_and_wrong_logins_gets_429s_while_another_client_with_the_right_key_gets_in()
    {
        await using var app = await TrackerApp.StartWithoutExchangeAsync(Settings);
        var ct = TestContext.Current.CancellationToken;
        using var http = RawClient(app);

        var statuses = new List<HttpStatusCode>();
        TimeSpan? retryAfter = null;
        for (var i = 0; i < 200; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stats") { Headers = { { "X-API-Key", $"guess number {i}" }, { "X-Forwarded-For", "203.0.113.7" } } };
            using var response = await http.SendAsync(request, ct);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                retryAfter ??= response.Headers.RetryAfter?.Delta;
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"200 wrong keys: {statuses.Count(s => s == HttpStatusCode.Unauthorized)} x 401, {statuses.Count(s => s == HttpStatusCode.TooManyRequests)} x 429, first Retry-After {retryAfter}");
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 4), statuses.Take(4));
        Assert.All(statuses.Skip(4), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.True(retryAfter > TimeSpan.FromSeconds(30), $"Retry-After {retryAfter} should be about the 1-minute lockout");

        // Locked out: even the right key is not looked at, and the sign-in form refuses too.
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(app, "/api/stats", apiKey: Key, forwardedFor: "203.0.113.7"));
        using (var login = await http.SendAsync(LoginRequest("another guess", "/", "203.0.113.7"), ct))
            Assert.Equal(HttpStatusCode.TooManyRequests, login.StatusCode);

        // The form alone locks a client out too.
        var logins = new List<HttpStatusCode>();
        for (var i = 0; i < 50; i++)
        {
            using var login = await http.SendAsync(LoginRequest($"guess {i}", "/", "203.0.113.8"), ct);
            logins.Add(login.StatusCode);
            if (login.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(login.Headers.RetryAfter?.Delta > TimeSpan.FromSeconds(30));
                Assert.Contains("Too many wrong keys", await login.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"50 wrong logins: {logins.Count(s => s == HttpStatusCode.Redirect)} x 302, {logins.Count(s => s == HttpStatusCode.TooManyRequests)} x 429");
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Redirect, 4), logins.Take(4));
        Assert.All(logins.Skip(4), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));

        // Another client with the right key is not affected, by header or by the form.
        Assert.Equal(HttpStatusCode.OK, await GetAsync(app, "/api/stats", apiKey: Key, forwardedFor: "203.0.113.9"));
        Assert.NotEmpty(await SignInAsync(app, Key, "203.0.113.10"));
    }

    [Fact]
    public void Each_further_lockout_doubles_up_to_the_limit_and_a_right_key_or_a_quiet_spell_forgives()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
        var throttle = new FailedKeyThrottle(Options.Create(new SecurityOptions
        {
            FailedKeyAttempts = 3,
            FailedKeyWindow = TimeSpan.FromMinutes(5),
            FailedKeyLockout = TimeSpan.FromMinutes(1),
            MaxFailedKeyLockout = TimeSpan.FromMinutes(4),
        }), time, NullLogger<FailedKeyThrottle>.Instance);
        var client = IPAddress.Parse("198.51.100.4");
        var other = IPAddress.Parse("198.51.100.5");

        TimeSpan Fail(int times)
        {
            var lockout = TimeSpan.Zero;
            for (var i = 0; i < times; i++)
            {
                Assert.False(throttle.IsLockedOut(client, out _));
                lockout = throttle.Failed(client);
            }
            return lockout;
        }

        Assert.Equal(TimeSpan.Zero, Fail(2));
        Assert.Equal(TimeSpan.FromMinutes(1), Fail(1));
        Assert.True(throttle.IsLockedOut(client, out var wait));
        Assert.Equal(TimeSpan.FromMinutes(1), wait);
        Assert.False(throttle.IsLockedOut(other, out _));

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromMinutes(2), Fail(3));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(TimeSpan.FromMinutes(4), Fail(3));
        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(TimeSpan.FromMinutes(4), Fail(3));

        // A right key forgives.
        time.Advance(TimeSpan.FromMinutes(4));
        throttle.Succeeded(client);
        Assert.Equal(TimeSpan.FromMinutes(1), Fail(3));

        // So does a quiet spell as long as the longest lockout.
        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromMinutes(4));
        Assert.Equal(TimeSpan.FromMinutes(1), Fail(3));

        // Failures further apart than the window never add up to a lockout.
        time.Advance(TimeSpan.FromMinutes(10));
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(TimeSpan.Zero, Fail(2));
            time.Advance(TimeSpan.FromMinutes(5));
        }
    }
}
