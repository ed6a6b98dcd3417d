using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Store;
using OptionsTracker.Tests.Fixtures;
using OptionsTracker.Tests.Store;
using static OptionsTracker.Tests.Security.SecurityHost;

namespace OptionsTracker.Tests.Security;

/// <summary>
/// The Data Protection key ring that seals the sign-in cookie: shared through Redis by instances that do not share a
/// disk (two containers), and kept on disk across a restart without Redis.
/// </summary>
public sealed class KeyRingTests : IDisposable
{
    private readonly List<string> _folders = [];

    [Fact]
    public async Task With_Redis_a_cookie_signed_in_at_one_instance_is_accepted_by_another_with_its_own_disk()
    {
        await using var redis = await RedisServer.StartAsync();
        var shared = RedisTestSettings.For(redis.Endpoint, "web").With(new Dictionary<string, string?>
        {
            ["Security:ApiKey"] = Key,
            ["Store:KeyPrefix"] = "ot1:",
        });
        // Each instance its own keys folder and assets file, as each container has its own file system.
        var firstFolder = NewFolder();
        var secondFolder = NewFolder();
        await using var first = await StartAsync(shared.With(new Dictionary<string, string?> { ["Security:KeysDirectory"] = firstFolder }));
        await using var second = await StartAsync(shared.With(new Dictionary<string, string?> { ["Security:KeysDirectory"] = secondFolder }));

        var cookie = await SignInAsync(first);

        Assert.Equal(HttpStatusCode.OK, await GetAsync(second, "/api/stats", cookie));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(first, "/api/stats", cookie));
        // The ring is in Redis under the prefixed key, and on neither disk.
        var database = await redis.DatabaseAsync();
        Assert.True(await database.ListLengthAsync("ot1:dataprotection:keys") >= 1);
        Assert.False(await database.KeyExistsAsync("dataprotection:keys"));
        Assert.Empty(Directory.EnumerateFiles(firstFolder, "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(secondFolder, "*", SearchOption.AllDirectories));

        // A tampered cookie is still refused: the shared ring does not make any cookie valid.
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(second, "/api/stats", cookie[..^4] + "AAAA"));
    }

    [Fact]
    public async Task Without_Redis_a_cookie_survives_a_restart_with_the_same_keys_folder()
    {
        var folder = NewFolder();
        var settings = new Dictionary<string, string?> { ["Security:ApiKey"] = Key, ["Security:KeysDirectory"] = folder };
        string cookie;
        await using (var before = await StartAsync(settings))
        {
            cookie = await SignInAsync(before);
            Assert.Equal(HttpStatusCode.OK, await GetAsync(before, "/api/stats", cookie));
        }
        Assert.NotEmpty(Directory.EnumerateFiles(folder, "key-*.xml"));

        await using var after = await StartAsync(settings);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(after, "/api/stats", cookie));

        // The folder is what carries it: an instance with another (empty) folder cannot read the cookie.
        await using var elsewhere = await StartAsync(new Dictionary<string, string?> { ["Security:ApiKey"] = Key, ["Security:KeysDirectory"] = NewFolder() });
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(elsewhere, "/api/stats", cookie));
    }

    [Fact]
    public async Task Without_a_keys_folder_set_the_keys_go_next_to_the_assets_file()
    {
        var state = NewFolder();
        var settings = new Dictionary<string, string?> { ["Security:ApiKey"] = Key, ["Tracker:AssetsFile"] = Path.Combine(state, "assets.json") };
        string cookie;
        await using (var before = await StartAsync(settings))
            cookie = await SignInAsync(before);

        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(state, "dataprotection-keys"), "key-*.xml"));
        await using var after = await StartAsync(settings);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(after, "/api/stats", cookie));
    }

    [Fact]
    public async Task With_Redis_down_at_start_the_API_serves_and_sign_in_works_once_Redis_answers()
    {
        var redis = RedisServer.NotStarted();
        await using var _ = redis;
        await using var app = await StartAsync(RedisTestSettings.For(redis.Endpoint, "web").With(new Dictionary<string, string?>
        {
            ["Security:ApiKey"] = Key,
            ["Security:KeysDirectory"] = NewFolder(),
        }));

        Assert.Equal(HttpStatusCode.OK, await GetAsync(app, "/api/stats", apiKey: Key));
        // Meanwhile the ring cannot be read: a sign-in sets no cookie (the instance has no key to seal one with) and
        // says so, rather than a 500.
        using (var http = RawClient(app))
        using (var login = LoginRequest(Key, "/"))
        using (var response = await http.SendAsync(login, TestContext.Current.CancellationToken))
        {
            TestContext.Current.SendDiagnosticMessage($"sign-in with Redis down: {(int)response.StatusCode}");
            Assert.Null(Cookie(response));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Contains("unavailable", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }

        await redis.StartAgainAsync();
        await Eventually.Until(() => app.Services.GetRequiredService<RedisConnection>().IsConnected, "the instance connected to Redis");
        var cookie = await SignInAsync(app);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(app, "/api/stats", cookie));
        Assert.True(await (await redis.DatabaseAsync()).ListLengthAsync("dataprotection:keys") >= 1);
    }

    private string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ot-keys-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        _folders.Add(folder);
        return folder;
    }

    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }
}
