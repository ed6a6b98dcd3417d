using Microsoft.Extensions.Time.Testing;

namespace OptionsTracker.Tests.Simulator;

/// <summary>
/// The simulator's ranged historical-volatility requests keep Bybit's limits (docs/v5/market/iv.mdx: "the last 2 years
/// worth of data", "[endTime - startTime] &lt;= 30 days") and list what was asked, for the history's backfill tests.
/// </summary>
public class HistoricalVolatilityDepthTests
{
    [Fact]
    public async Task A_range_within_two_years_is_served_hourly_and_one_starting_earlier_is_refused_with_10001()
    {
        var now = new DateTimeOffset(2026, 3, 2, 9, 41, 7, TimeSpan.Zero);
        await using var simulator = await TestSimulator.StartAsync(o =>
        {
            o.BaseCoins = ["BTC"];
            o.TimeProvider = new FakeTimeProvider(now);
        });

        var start = now.AddDays(-729);
        var end = start.AddDays(30);
        using (var json = await simulator.GetJsonAsync(
            $"/v5/market/historical-volatility?category=option&baseCoin=BTC&period=30&startTime={start.ToUnixTimeMilliseconds()}&endTime={end.ToUnixTimeMilliseconds()}"))
        {
            Assert.Equal(0, json.RootElement.GetProperty("retCode").GetInt32());
            Assert.Equal(30 * 24, json.RootElement.GetProperty("result").GetArrayLength());
        }
        var asked = Assert.Single(simulator.HistoricalVolatilityRanges);
        Assert.Equal(("BTC", 30, start.ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds()),
            (asked.BaseCoin, asked.Period, asked.Start.ToUnixTimeMilliseconds(), asked.End.ToUnixTimeMilliseconds()));

        var tooEarly = now.AddDays(-731);
        using (var json = await simulator.GetJsonAsync(
            $"/v5/market/historical-volatility?category=option&baseCoin=BTC&period=30&startTime={tooEarly.ToUnixTimeMilliseconds()}&endTime={tooEarly.AddDays(10).ToUnixTimeMilliseconds()}"))
        {
            Assert.Equal(10001, json.RootElement.GetProperty("retCode").GetInt32());
            Assert.Contains("2 years", json.RootElement.GetProperty("retMsg").GetString(), StringComparison.Ordinal);
        }
        Assert.Single(simulator.HistoricalVolatilityRanges);
    }
}
