using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Measures;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Measures;

/// <summary>The poller's schedule on a stepped clock: a round at start, paced, then one per interval and none between.</summary>
public class RealisedVolatilityScheduleTests
{
    [Fact]
    public async Task One_paced_round_at_start_then_the_next_only_when_the_interval_has_passed()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC"], TargetInstrumentCount = 60 },
            TestContext.Current.CancellationToken);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TrackerApp.StartAsync(simulator, timeProvider: time);
        var realised = app.Services.GetRequiredService<RealisedVolatility>();
        var start = time.GetUtcNow();

        // Requests go 100 ms apart on the tracker's clock: the round only completes as the clock is stepped.
        await Eventually.Until(() => Step(time, realised.Get("BTC").Count == 8), "the first round, stepped 100 ms at a time");
        var roundTook = time.GetUtcNow() - start;
        TestContext.Current.TestOutputHelper?.WriteLine($"first round: {simulator.HistoricalVolatilityRequestsReceived} requests over {roundTook} of the tracker's clock");
        Assert.Equal(8, simulator.HistoricalVolatilityRequestsReceived);
        Assert.True(roundTook >= TimeSpan.FromMilliseconds(700), $"8 requests 100 ms apart took {roundTook}");

        // 59 minutes on (a /health answer lets the stepped work run): still the one round.
        time.Advance(TimeSpan.FromMinutes(59));
        using (await app.Client.GetAsync("/health", TestContext.Current.CancellationToken))
        {
        }
        Assert.Equal(8, simulator.HistoricalVolatilityRequestsReceived);

        // The hour is up: a second round.
        time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.Until(() => Step(time, simulator.HistoricalVolatilityRequestsReceived == 16), "the second round");
        Assert.Equal(8, realised.Get("BTC").Count);
    }

    /// <summary>Steps the clock 100 ms unless <paramref name="done"/>.</summary>
    private static bool Step(FakeTimeProvider time, bool done)
    {
        if (!done)
            time.Advance(TimeSpan.FromMilliseconds(100));
        return done;
    }
}
