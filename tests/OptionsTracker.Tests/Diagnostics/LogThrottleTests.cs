using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Diagnostics;

namespace OptionsTracker.Tests.Diagnostics;

/// <summary>The gate behind the log rule: changes of state are logged, a persisting fault at most once per interval.</summary>
public class LogThrottleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    [Fact]
    public void A_persisting_fault_is_logged_when_it_starts_then_once_per_interval()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(time, Interval);
        var logged = new List<TimeSpan>();
        var start = time.GetUtcNow();

        // Tried every 2 s for 12 minutes, as the shared coin set retries a wrong password.
        for (var i = 0; i < 360; i++)
        {
            if (throttle.ShouldLog("connection AuthenticationFailure"))
                logged.Add(time.GetUtcNow() - start);
            time.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10)], logged);
        Assert.Equal(357, throttle.Suppressed);
    }

    [Fact]
    public void A_new_kind_of_fault_is_a_change_of_state_and_logged_at_once()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(time, Interval);

        Assert.True(throttle.ShouldLog("connection UnableToConnect"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(throttle.ShouldLog("connection UnableToConnect"));
        Assert.True(throttle.ShouldLog("server NOAUTH"));
        Assert.False(throttle.ShouldLog("server NOAUTH"));
    }

    [Fact]
    public void Recovery_is_news_only_after_a_logged_fault_and_a_fault_after_it_is_logged_again()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(time, Interval);

        Assert.False(throttle.Recover());
        Assert.True(throttle.ShouldLog("timeout"));
        Assert.True(throttle.Recover());
        Assert.False(throttle.Recover());
        // Back a second later: a new outage, logged although the last line is less than an interval old.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(throttle.ShouldLog("timeout"));
    }
}
