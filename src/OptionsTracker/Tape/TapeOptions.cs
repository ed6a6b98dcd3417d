using System.ComponentModel.DataAnnotations;

namespace OptionsTracker.Tape;

/// <summary>Settings of the trade tape (section <c>Tape</c>).</summary>
public sealed class TapeOptions
{
    public const string Section = "Tape";

    /// <summary>Collects the trade topics and serves the tape. On by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Trades kept in memory per coin (the newest; older ones stay in the history and, for web instances, in the Redis
    /// stream up to the same length). Bounds the tape's memory: about 300 bytes a trade.
    /// </summary>
    [Range(100, 5_000_000)]
    public int Keep { get; set; } = 50_000;

    /// <summary>
    /// With Redis: how often a web instance (or a standby collector) reads the collector's trade streams for new trades
    /// (StackExchange.Redis has no blocking read, so it polls): the most a trade waits in Redis before a web instance
    /// serves it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan RedisPoll { get; set; } = TimeSpan.FromMilliseconds(100);
}
