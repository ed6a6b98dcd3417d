using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using OptionsTracker.Collector;
using OptionsTracker.Store;

namespace OptionsTracker.Security;

/// <summary>
/// Where the Data Protection key ring that seals the sign-in cookie lives. The default (a folder in the user's
/// home, or memory in a container without one) is per container: a cookie issued by one web instance would be
/// unreadable by the next behind a load balancer, and a restart would sign everyone out. So: with Redis, one ring
/// in Redis for every instance; without, a folder next to the assets file (the state volume in compose).
/// </summary>
internal static class KeyRing
{
    /// <summary>The same on every instance: Data Protection isolates rings by application name.</summary>
    public const string ApplicationName = "OptionsTracker";

    /// <summary>The folder's name next to the assets file, when <see cref="SecurityOptions.KeysDirectory"/> is not set.</summary>
    public const string DefaultFolder = "dataprotection-keys";

    public static void AddKeyRing(this WebApplicationBuilder builder)
    {
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{StoreOptions.Section}:{nameof(StoreOptions.Redis)}"]))
        {
            // The store's own multiplexer: it connects in the background and fails fast while Redis is away. The
            // repository asks for the database on every read and write of the ring, so it is never held across a
            // reconnect. While Redis cannot be reached the ring cannot be loaded: the API and health answer as
            // usual, a sign-in fails and a cookie is not accepted until Redis answers (an instance that had loaded
            // the ring keeps using it meanwhile).
            builder.Services.AddOptions<KeyManagementOptions>().Configure<RedisConnection>((options, redis) =>
                options.XmlRepository = new RedisXmlRepository(
                    () => redis.GetAsync(CancellationToken.None).GetAwaiter().GetResult().GetDatabase(),
                    redis.Keys.DataProtectionKeys));
        }
        else
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(Folder(builder.Configuration, builder.Environment.ContentRootPath)));
        }
    }

    /// <summary>
    /// <c>Security:KeysDirectory</c>, or <see cref="DefaultFolder"/> in the assets file's folder; relative paths
    /// against the content root, as the assets file's.
    /// </summary>
    internal static string Folder(IConfiguration configuration, string contentRoot)
    {
        var configured = configuration[$"{SecurityOptions.Section}:{nameof(SecurityOptions.KeysDirectory)}"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            var assetsFile = configuration[$"{TrackerOptions.Section}:{nameof(TrackerOptions.AssetsFile)}"];
            if (string.IsNullOrWhiteSpace(assetsFile))
                assetsFile = new TrackerOptions().AssetsFile;
            configured = Path.Combine(Path.GetDirectoryName(Path.Combine(contentRoot, assetsFile)) ?? contentRoot, DefaultFolder);
        }
        return Path.GetFullPath(Path.Combine(contentRoot, configured));
    }
}
