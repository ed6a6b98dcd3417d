using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Store;
using OptionsTracker.Tests.Alerts;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Store;

/// <summary>A fault that persists is logged when it starts, then at most once per <c>Health:LogRepeatInterval</c>.</summary>
public class RedisFaultLogTests
{
    [Fact]
    public async Task A_wrong_redis_password_is_logged_once_then_at_most_once_per_interval()
    {
        await using var redis = await RedisServer.StartAsync("--requirepass", "right");
        // The app's clock is stepped by the test: every retry (each 2 s for the shared coin set) happens on it.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logs = new CapturingLoggerProvider();
        await using var web = await TrackerApp.StartWithoutExchangeAsync(RedisTestSettings.For($"{redis.Endpoint},password=wrong", "web"), timeProvider: time, logs: logs);
        var shared = web.Services.GetServices<IHostedService>().OfType<SharedAssets>().Single();
        await Eventually.Until(() => shared.Failures > 0, "the first failed read of the shared coins");
        var start = time.GetUtcNow();

        // Twelve minutes of retries: step the clock until each next try has failed.
        var interval = TimeSpan.FromMinutes(5);
        while (time.GetUtcNow() - start < TimeSpan.FromMinutes(12))
        {
            var before = shared.Failures;
            await Eventually.Until(() =>
            {
                if (shared.Failures > before)
                    return true;
                time.Advance(TimeSpan.FromSeconds(1));
                return false;
            }, "the next try");
        }

        var elapsed = time.GetUtcNow() - start;
        var allowed = 1 + (int)(elapsed / interval);
        var storeLines = logs.Lines.Where(l => l.Category.StartsWith("OptionsTracker.Store", StringComparison.Ordinal) && l.Level >= LogLevel.Warning).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{shared.Failures} failed reads in {elapsed}; store warnings: {string.Join(", ", storeLines.GroupBy(l => l.EventId).Select(g => $"{g.Key}×{g.Count()}"))}");
        var assetLines = storeLines.Where(l => l.EventId == 4020).ToList();
        Assert.True(shared.Failures > 300, $"only {shared.Failures} tries");
        Assert.NotEmpty(assetLines);
        Assert.Contains(assetLines, l => l.Text.Contains("auth", StringComparison.OrdinalIgnoreCase) || l.Text.Contains("password", StringComparison.OrdinalIgnoreCase)
            || l.Text.Contains("connection", StringComparison.OrdinalIgnoreCase));
        // Not one line per try: at most one per kind of fault per interval, for every part that talks to Redis.
        Assert.All(storeLines.GroupBy(l => (l.EventId, l.Category)), g => Assert.True(g.Count() <= allowed + 1,
            $"event {g.Key.EventId} logged {g.Count()} times in {elapsed}: {g.First().Text}"));
        Assert.InRange(assetLines.Count, 1, allowed);
    }
}
