using Microsoft.Extensions.Time.Testing;

namespace OptionsTracker.Tests.Simulator;

public class ClockTests
{
    private static readonly DateTimeOffset Monday0900 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Boards_timestamps_and_deliveries_follow_the_injected_clock()
    {
        var clock = new FakeTimeProvider(Monday0900);
        await using var simulator = await TestSimulator.StartAsync(o => o.TimeProvider = clock);
        var first = simulator.GetInstruments("BTC").Min(i => i.DeliveryTime);
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 8, 0, 0, TimeSpan.Zero), first);
        string symbol = simulator.GetInstruments("BTC").First(i => i.DeliveryTime == first).Symbol;
        Assert.StartsWith("BTC-3MAR26-", symbol, StringComparison.Ordinal);

        using (var json = await simulator.GetJsonAsync("/v5/market/instruments-info?category=option&limit=1"))
            Assert.Equal(Monday0900.ToUnixTimeMilliseconds(), json.RootElement.GetProperty("time").GetInt64());

        // In the last 30 minutes the predicted delivery price appears.
        clock.Advance(first - clock.GetUtcNow() - TimeSpan.FromMinutes(20));
        Assert.True(simulator.TryGetTicker(symbol, out var ticker));
        Assert.True(ticker.PredictedDeliveryPrice > 0);

        // At 08:00 the expiry delivers on its own.
        clock.Advance(TimeSpan.FromMinutes(21));
        Assert.False(simulator.TryGetTicker(symbol, out _));
        Assert.DoesNotContain(simulator.GetInstruments("BTC"), i => i.DeliveryTime == first);
    }

    [Fact]
    public async Task Pushes_are_timed_and_stamped_by_the_injected_clock()
    {
        var clock = new FakeTimeProvider(Monday0900);
        await using var simulator = await TestSimulator.StartAsync(o => o.TimeProvider = clock);
        string symbol = simulator.GetInstruments("ETH")[0].Symbol;
        await using var ws = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await ws.SubscribeAsync("tickers." + symbol);
        await ws.ReceiveAckAsync();

        clock.Advance(TimeSpan.FromMilliseconds(100));
        var push = await ws.ReceivePushAsync(symbol);
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), push.GetProperty("ts").GetInt64());
    }
}
