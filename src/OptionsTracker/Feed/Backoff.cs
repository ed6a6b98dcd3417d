namespace OptionsTracker.Feed;

/// <summary>
/// Exponential backoff with "equal jitter": each delay is half the current step plus a random half, so
/// connections that died together do not come back in lockstep.
/// </summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max)
{
    private int _failures;

    public int Failures => _failures;

    public TimeSpan Next()
    {
        var step = initial.TotalMilliseconds * Math.Pow(2, Math.Min(_failures, 20));
        _failures++;
        step = Math.Min(step, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(step / 2 + Random.Shared.NextDouble() * step / 2);
    }

    public void Reset() => _failures = 0;
}
