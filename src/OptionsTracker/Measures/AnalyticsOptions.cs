using System.ComponentModel.DataAnnotations;

namespace OptionsTracker.Measures;

/// <summary>Settings of the analytics (section <c>Analytics</c>).</summary>
public sealed class AnalyticsOptions
{
    public const string Section = "Analytics";

    /// <summary>Shortest time between two computations of a coin's figures: readers in between share the last one.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest a coin's figures are kept when nothing changed (days to expiry move with the clock).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the active collector asks Bybit for every coin's realised volatility (first at start). Bybit's data is
    /// hourly, so asking more often only repeats the same values.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RealisedVolatilityInterval { get; set; } = TimeSpan.FromHours(1);
}
