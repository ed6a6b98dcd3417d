using System.ComponentModel.DataAnnotations;
using OptionsTracker.Diagnostics;

namespace OptionsTracker.Health;

/// <summary>How health and faults are reported.</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>
    /// A fault that persists (health not healthy; Redis unreachable, refusing the password or writes) is logged when it
    /// starts, when it changes, when it ends, and in between at most this often. The exchange and alert loops repeat
    /// theirs every <see cref="LogThrottle.DefaultInterval"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan LogRepeatInterval { get; set; } = LogThrottle.DefaultInterval;
}
