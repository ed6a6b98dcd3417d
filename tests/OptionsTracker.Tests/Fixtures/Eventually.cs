namespace OptionsTracker.Tests.Fixtures;

/// <summary>Awaits a condition with a deadline instead of sleeping a guessed time.</summary>
public static class Eventually
{
    public static async Task Until(Func<bool> condition, string what, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out after {timeoutSeconds} s waiting for: {what}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public static async Task Until(Func<Task<bool>> condition, string what, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out after {timeoutSeconds} s waiting for: {what}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
