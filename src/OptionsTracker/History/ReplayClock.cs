namespace OptionsTracker.History;

/// <summary>
/// The time of a replay: from <see cref="Start"/>, recorded time runs <see cref="Speed"/> times faster than the wall clock
/// once <see cref="Run"/> is called, and stops at <see cref="End"/> (the last recorded snapshot stays on show). Both the
/// simulator (its pushes' timestamps, deliveries) and the tracker (days to expiry, ages, which options are still listed)
/// read it, so a history recorded months ago replays as the present it was.
/// <para>
/// Only "now" is scaled: timers and timestamps stay the system's, so the dashboard renders, streams send and heartbeats
/// run at their usual wall-clock pace. An age measured in "now" (a pong's, the last message's) grows
/// <see cref="Speed"/> times faster: the replay raises the feed's timeouts to match (<see cref="HistoryReplay.FeedSettings"/>).
/// </para>
/// </summary>
public sealed class ReplayClock(DateTimeOffset start, DateTimeOffset end, double speed) : TimeProvider
{
    private long _runningSince;

    public DateTimeOffset Start { get; } = start;

    public DateTimeOffset End { get; } = end;

    /// <summary>Recorded seconds per wall-clock second.</summary>
    public double Speed { get; } = speed > 0 && double.IsFinite(speed) ? speed : throw new ArgumentOutOfRangeException(nameof(speed), speed, "The speed must be positive.");

    /// <summary>Starts the recorded time running (until then it reads <see cref="Start"/>).</summary>
    public void Run() => Interlocked.CompareExchange(ref _runningSince, System.GetTimestamp(), 0);

    public override DateTimeOffset GetUtcNow()
    {
        var since = Interlocked.Read(ref _runningSince);
        if (since == 0)
            return Start;
        var recorded = Start + System.GetElapsedTime(since) * Speed;
        return recorded < End ? recorded : End;
    }
}
