namespace OptionsTracker.Tests.Store;

/// <summary>Settings for a tracker using a test's Redis, with a short flush time and a lease short enough for failover tests to finish in seconds.</summary>
public static class RedisTestSettings
{
    /// <summary>
    /// 10 s, renewed every 3.3 s. It was 2 s: at a CI load average of 70–120 a renewal late by more than the TTL handed
    /// the feed to a standby (or briefly to nobody) in tests about something else ("the collector to subscribe SOL",
    /// "SOL to reach the web instance"). A takeover test waits this long plus a renewal period (deadline 30 s).
    /// </summary>
    public static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(10);

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
