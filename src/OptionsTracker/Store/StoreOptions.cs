using System.ComponentModel.DataAnnotations;

namespace OptionsTracker.Store;

/// <summary>Where the option state is kept besides the process's own book.</summary>
public sealed class StoreOptions
{
    public const string Section = "Store";

    /// <summary>
    /// A StackExchange.Redis connection string (<c>redis:6379,password=…,defaultDatabase=0</c>; several
    /// endpoints for a Redis Cluster). Empty = the embedded in-memory store. Legacy: <c>REDIS_HOST</c>,
    /// <c>REDIS_PORT</c>, <c>REDIS_DB</c>, <c>REDIS_PASSWORD</c>.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// The Redis password, when not in <see cref="Redis"/> (a connection string cannot hold one with a comma).
    /// Legacy: <c>REDIS_PASSWORD</c>.
    /// </summary>
    public string? Password { get; set; }

    /// <summary>Lifetime of an option's hash, refreshed on every write (the original tool's 86,400 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the collector writes the options changed since its last write, coalesced.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// The active collector's lease. It is renewed every third of this; a standby takes over at most this
    /// long (plus one renewal period) after the active collector dies.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.300", "00:10:00")]
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A web instance re-reads the whole board this often, healing any change message it missed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one write or read round may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Prepended to every key and the change channel, to share one Redis between trackers. Empty by default.</summary>
    [RegularExpression("^[A-Za-z0-9:_.-]*$", ErrorMessage = "Store:KeyPrefix may hold letters, digits and : _ . - only")]
    public string KeyPrefix { get; set; } = "";
}
