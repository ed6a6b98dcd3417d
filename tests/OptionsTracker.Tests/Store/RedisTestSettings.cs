namespace OptionsTracker.Tests.Store;

/// <summary>Settings for a tracker using a test's Redis, with short lease and flush times so failover tests finish in seconds.</summary>
public static class RedisTestSettings
{
    public static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(2);

    public static Dictionary<string, string?> For(string connectionString, string role) => new()
    {
        // Each test runs several hosts in one process; without this every host after the first falls back to port 5000.
        ["urls"] = "http://127.0.0.1:0",
        ["Store:Redis"] = connectionString,
        ["Tracker:Role"] = role,
        ["Store:FlushInterval"] = "00:00:00.100",
        ["Store:LeaseTtl"] = LeaseTtl.ToString("c"),
        ["Store:CommandTimeout"] = "00:00:02",
    };

    /// <summary>These settings with <paramref name="more"/> on top.</summary>
    public static Dictionary<string, string?> With(this Dictionary<string, string?> settings, IDictionary<string, string?> more)
    {
        var all = new Dictionary<string, string?>(settings);
        foreach (var (key, value) in more)
            all[key] = value;
        return all;
    }
}
