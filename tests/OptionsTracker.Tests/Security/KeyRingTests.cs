using System.Net;
using OptionsTracker.Tests.Fixtures;
using OptionsTracker.Tests.Store;
using static OptionsTracker.Tests.Security.SecurityHost;

namespace OptionsTracker.Tests.Security;

/// <summary>
/// The Data Protection key ring that seals the sign-in cookie: kept in a folder, so it survives a restart and is shared
/// by the instances that share the folder (compose's state volume), with or without a Redis that answers.
/// </summary>
public sealed class KeyRingTests : IDisposable
{
    private readonly List<string> _folders = [];

    [Fact]
    public async Task Instances_sharing_a_keys_folder_accept_each_others_cookies_and_keep_them_through_a_dead_redis()
    {
        // Two web instances behind one load balancer, sharing the keys folder as compose's instances share the state
        // volume, each with its own assets file; their Redis is not there at all. A ring read from Redis would leave
        // both without keys; a folder needs no Redis.
        await using var redis = RedisServer.NotStarted();
        var folder = NewFolder();
        var shared = RedisTestSettings.For(redis.Endpoint, "web").With(new Dictionary<string, string?>
        {
            ["Security:ApiKey"] = Key,
            ["Security:KeysDirectory"] = folder,
        });
        await using var first = await TrackerApp.StartWithoutExchangeAsync(shared);
        await using var second = await TrackerApp.StartWithoutExchangeAsync(shared);

        var cookie = await SignInAsync(first);

        Assert.Equal(HttpStatusCode.OK, await GetAsync(second, "/api/stats", cookie));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(first, "/api/stats", cookie));
        Assert.NotEmpty(Directory.EnumerateFiles(folder, "key-*.xml"));
        // A tampered cookie is still refused: a shared ring does not make any cookie valid.
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(second, "/api/stats", cookie[..^4] + "AAAA"));
    }

    [Fact]
    public async Task Without_Redis_a_cookie_survives_a_restart_with_the_same_keys_folder()
    {
        var folder = NewFolder();
        var settings = new Dictionary<string, string?> { ["Security:ApiKey"] = Key, ["Security:KeysDirectory"] = folder };
        string cookie;
        await using (var before = await TrackerApp.StartWithoutExchangeAsync(settings))
        {
            cookie = await SignInAsync(before);
            Assert.Equal(HttpStatusCode.OK, await GetAsync(before, "/api/stats", cookie));
        }
        Assert.NotEmpty(Directory.EnumerateFiles(folder, "key-*.xml"));

        await using var after = await TrackerApp.StartWithoutExchangeAsync(settings);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(after, "/api/stats", cookie));

        // The folder is what carries it: an instance with another (empty) folder cannot read the cookie.
        await using var elsewhere = await TrackerApp.StartWithoutExchangeAsync(new Dictionary<string, string?> { ["Security:ApiKey"] = Key, ["Security:KeysDirectory"] = NewFolder() });
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(elsewhere, "/api/stats", cookie));
    }

    [Fact]
    public async Task Without_a_keys_folder_set_the_keys_go_next_to_the_assets_file()
    {
        var state = NewFolder();
        var settings = new Dictionary<string, string?> { ["Security:ApiKey"] = Key, ["Tracker:AssetsFile"] = Path.Combine(state, "assets.json") };
        string cookie;
        await using (var before = await TrackerApp.StartWithoutExchangeAsync(settings))
            cookie = await SignInAsync(before);

        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(state, "dataprotection-keys"), "key-*.xml"));
        await using var after = await TrackerApp.StartWithoutExchangeAsync(settings);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(after, "/api/stats", cookie));
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
