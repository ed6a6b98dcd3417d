using System.Diagnostics;

namespace OptionsTracker.Tests.Fixtures;

/// <summary>Awaits a condition with a deadline instead of sleeping a guessed time.</summary>
/// <remarks>
/// The deadline is generous on purpose: it only decides how long a broken test takes to fail, never whether a
/// working one passes, and CI runs the suite on a shared 2-core machine that another build may be loading.
/// It is measured on the monotonic clock, so a wall-clock step cannot cut it short.
/// </remarks>
public static class Eventually
{
    public const int DefaultTimeoutSeconds = 60;

    /// <summary>
    /// How long a real failure may take to show: the bound for every wait in the tests (a condition here, a
    /// message a client waits for, an HTTP answer).
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(DefaultTimeoutSeconds);

    public static async Task Until(Func<bool> condition, string what, int timeoutSeconds = DefaultTimeoutSeconds)
    {
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started).TotalSeconds > timeoutSeconds)
                Assert.Fail($"timed out after {timeoutSeconds} s waiting for: {what}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public static async Task Until(Func<Task<bool>> condition, string what, int timeoutSeconds = DefaultTimeoutSeconds)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started).TotalSeconds > timeoutSeconds)
                Assert.Fail($"timed out after {timeoutSeconds} s waiting for: {what}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
