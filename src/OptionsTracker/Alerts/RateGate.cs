namespace OptionsTracker.Alerts;

/// <summary>
/// A token bucket on <see cref="TimeProvider"/>: bursts of up to <c>permits</c>, then one permit every
/// <c>per / permits</c>. Used by the dispatcher's single reader only, so not thread-safe.
/// </summary>
internal sealed class RateGate(int permits, TimeSpan per, TimeProvider time)
{
    private readonly double _permitsPerTick = permits / (double)per.Ticks;
    private double _available = permits;
    private DateTimeOffset _refilledAt = time.GetUtcNow();

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = time.GetUtcNow();
            _available = Math.Min(permits, _available + (now - _refilledAt).Ticks * _permitsPerTick);
            _refilledAt = now;
            if (_available >= 1)
            {
                _available -= 1;
                return;
            }
            var wait = TimeSpan.FromTicks((long)Math.Ceiling((1 - _available) / _permitsPerTick));
            await Task.Delay(wait, time, cancellationToken);
        }
    }
}
