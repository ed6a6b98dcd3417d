using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Simulator;

namespace OptionsTracker.Tests.Simulator;

/// <summary>
/// The simulator's <c>/v5/market/historical-volatility</c> answers in the shape of bybit-exchange/docs' example
/// (docs/v5/market/iv.mdx) with the coverage docs/v5/enum.mdx gives (optionPeriod).
/// </summary>
public class HistoricalVolatilityRestTests
{
    [Fact]
    public async Task The_latest_hour_in_the_documented_shape_for_every_period_bybit_lists_and_nothing_else()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 41, 7, TimeSpan.Zero));
        await using var simulator = await TestSimulator.StartAsync(o =>
        {
            o.BaseCoins = ["BTC", "ETH", "SOL", "XRP"];
            o.TimeProvider = time;
        });

        using (var json = await simulator.GetJsonAsync("/v5/market/historical-volatility?category=option&baseCoin=ETH&period=30"))
        {
            Assert.Equal(["retCode", "retMsg", "category", "result"], json.RootElement.PropertyNames());
            Assert.Equal("SUCCESS", json.RootElement.GetProperty("retMsg").GetString());
            Assert.Equal("option", json.RootElement.GetProperty("category").GetString());
            var item = Assert.Single(json.RootElement.GetProperty("result").EnumerateArray());
            Assert.Equal(["period", "value", "time"], item.PropertyNames());
            Assert.Equal(JsonValueKind.Number, item.GetProperty("period").ValueKind);
            Assert.Equal(30, item.GetProperty("period").GetInt32());
            // The hour it belongs to, in ms as a string; the value a fraction as a string, below ETH's simulated 65 % ATM vol.
            Assert.Equal("1772442000000", item.GetProperty("time").GetString());
            var value = double.Parse(item.GetProperty("value").GetString()!, CultureInfo.InvariantCulture);
            Assert.InRange(value, 0.3, 0.65);
        }

        // Without baseCoin and period: BTC over 7 days.
        using (var json = await simulator.GetJsonAsync("/v5/market/historical-volatility?category=option"))
            Assert.Equal(7, json.RootElement.GetProperty("result")[0].GetProperty("period").GetInt32());

        int[] periods = [7, 14, 21, 30, 60, 90, 180, 270];
        foreach (var (coin, served) in new[] { ("BTC", 8), ("ETH", 8), ("SOL", 6), ("XRP", 0) })
        {
            var count = 0;
            foreach (var period in periods)
            {
                using var json = await simulator.GetJsonAsync($"/v5/market/historical-volatility?category=option&baseCoin={coin}&period={period}");
                Assert.Equal(0, json.RootElement.GetProperty("retCode").GetInt32());
                count += json.RootElement.GetProperty("result").GetArrayLength();
            }
            Assert.Equal(served, count);
        }
    }

    [Fact]
    public async Task A_time_range_gives_every_hour_in_it_and_bad_parameters_are_refused_with_10001()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 41, 7, TimeSpan.Zero));
        await using var simulator = await TestSimulator.StartAsync(o =>
        {
            o.BaseCoins = ["BTC"];
            o.TimeProvider = time;
        });
        var end = time.GetUtcNow().ToUnixTimeMilliseconds();
        var start = end - (24 * 3_600_000L);

        using (var json = await simulator.GetJsonAsync($"/v5/market/historical-volatility?category=option&period=14&startTime={start}&endTime={end}"))
        {
            var hours = json.RootElement.GetProperty("result").EnumerateArray().Select(i => long.Parse(i.GetProperty("time").GetString()!, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(24, hours.Count);
            Assert.All(hours, h => Assert.Equal(0, h % 3_600_000));
            Assert.Equal(hours.Order(), hours);
        }

        foreach (var query in new[]
        {
            "period=5",
            $"startTime={start}",
            $"startTime={start - (31 * 24 * 3_600_000L)}&endTime={end}",
            "quoteCoin=EUR",
        })
        {
            using var json = await simulator.GetJsonAsync($"/v5/market/historical-volatility?category=option&{query}");
            Assert.Equal(10001, json.RootElement.GetProperty("retCode").GetInt32());
        }
    }
}
