using Microsoft.AspNetCore.DataProtection;
using OptionsTracker.Feed;

namespace OptionsTracker.Security;

/// <summary>
/// Where the Data Protection key ring that seals the sign-in cookie lives. The default (a folder in the user's
/// home, or memory in a container without one) is per container: a cookie issued by one web instance would be
/// unreadable by the next behind a load balancer, and a restart would sign everyone out. So the ring is kept in a
/// folder next to the assets file (<c>state/</c>, the volume compose shares between its instances), or in
/// <see cref="SecurityOptions.KeysDirectory"/>. A folder, not Redis: reading the ring is then never I/O that a dead
/// Redis could fail, so sign-in and the dashboard (Blazor seals its page state with the same keys) work through a
/// Redis outage like everything else that serves from memory.
/// </summary>
internal static class KeyRing
{
    /// <summary>The same on every instance: Data Protection isolates rings by application name.</summary>
    public const string ApplicationName = "OptionsTracker";

    /// <summary>The folder's name next to the assets file, when <see cref="SecurityOptions.KeysDirectory"/> is not set.</summary>
    public const string DefaultFolder = "dataprotection-keys";

    public static void AddKeyRing(this WebApplicationBuilder builder)
    {
        builder.Services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToFileSystem(new DirectoryInfo(Folder(builder.Configuration, builder.Environment.ContentRootPath)));
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
