namespace OptionsTracker.Simulator.Deribit;

/// <summary>
/// Deribit's credit bucket: each request takes its cost, credits drip back at a fixed rate up to the pool's size, and a
/// request finding too few is refused (10028). Thread-safe; on the simulator's clock.
/// </summary>
internal sealed class CreditPool(int max, int perSecond, TimeProvider time)
{
    private readonly Lock _gate = new();
    private double _credits = max;
    private long _lastTicks = time.GetTimestamp();

    public bool TryTake(int cost)
    {
        lock (_gate)
        {
            long now = time.GetTimestamp();
            _credits = Math.Min(max, _credits + time.GetElapsedTime(_lastTicks, now).TotalSeconds * perSecond);
            _lastTicks = now;
            if (_credits < cost)
                return false;
            _credits -= cost;
            return true;
        }
    }

    public double Available
    {
        get
        {
            lock (_gate)
                return Math.Min(max, _credits + time.GetElapsedTime(_lastTicks).TotalSeconds * perSecond);
        }
    }
}
