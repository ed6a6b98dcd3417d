namespace OptionsTracker.Diagnostics;

/// <summary>
/// The log rule (STYLE.md): log changes of state, not checks. One gate per condition a loop or probe looks at again
/// and again (a Redis read, a reconnect, a health check): <see cref="ShouldLog"/> lets a line through when a fault
/// starts or changes kind, and while one kind persists, at most once per <see cref="Interval"/>;
/// <see cref="Recover"/> says whether the recovery is news (a fault was logged since the last recovery). A kind is
/// what an operator would call the same fault (the Redis failure type, a health status), not the message text,
/// which may carry counters or command names that differ each time. Thread-safe: callbacks and loops may share one.
/// </summary>
public sealed class LogThrottle(TimeProvider time, TimeSpan interval)
{
    /// <summary>How often a persisting fault is logged again unless <c>Health:LogRepeatInterval</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(5);

    private readonly Lock _lock = new();
    private string? _kind;
    private long _loggedAt;

    public TimeSpan Interval { get; } = interval;

    /// <summary>True from a logged fault until <see cref="Recover"/>.</summary>
    public bool IsFaulted
    {
        get
        {
            lock (_lock)
                return _kind is not null;
        }
    }

    /// <summary>Occurrences not logged because the same fault had been logged less than an interval before.</summary>
    public long Suppressed { get; private set; }

    /// <summary>Records one occurrence of fault <paramref name="kind"/>; true when a line should be written for it.</summary>
    public bool ShouldLog(string kind)
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            if (string.Equals(_kind, kind, StringComparison.Ordinal) && time.GetElapsedTime(_loggedAt, now) < Interval)
            {
                Suppressed++;
                return false;
            }
            _kind = kind;
            _loggedAt = now;
            return true;
        }
    }

    /// <summary>Records that the condition is fine; true when a fault had been logged, so the recovery deserves a line.</summary>
    public bool Recover()
    {
        lock (_lock)
        {
            if (_kind is null)
                return false;
            _kind = null;
            return true;
        }
    }
}
