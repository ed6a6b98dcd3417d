namespace OptionsTracker.Load;

/// <summary>
/// Wall-clock milliseconds since the Unix epoch with sub-millisecond resolution. The simulator stamps each frame's
/// <c>ts</c> with the same machine clock, truncated to whole milliseconds, so a latency computed against it reads up to
/// 1 ms high (never low).
/// </summary>
internal static class Clock
{
    public static double NowUnixMs() => (TimeProvider.System.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalMilliseconds;
}
