using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Tape;

namespace OptionsTracker.Tests.Tape;

public class FlowTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 30, 0, TimeSpan.Zero);

    /// <summary>Varied trades: both sides, both types, three strikes, two expiries, blocks with and without ids, a trade without Greeks.</summary>
    internal static List<Trade> SampleTrades(DateTimeOffset end, int count, int seed)
    {
        var random = new Random(seed);
        var expiries = new[] { new DateTimeOffset(2026, 12, 25, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 3, 26, 8, 0, 0, TimeSpan.Zero) };
        var strikes = new[] { 90_000m, 100_000m, 110_000m };
        var trades = new List<Trade>();
        for (var i = 0; i < count; i++)
        {
            var expiry = expiries[random.Next(expiries.Length)];
            var strike = strikes[random.Next(strikes.Length)];
            var type = random.Next(2) == 0 ? OptionType.Call : OptionType.Put;
            var block = random.Next(5) == 0;
            var trade = new Trade
            {
                Venue = Venue.Bybit,
                Id = $"t{seed}-{i}",
                Symbol = $"BTC-{ExpiryLabel.Format(DateOnly.FromDateTime(expiry.UtcDateTime))}-{strike}-{(type == OptionType.Call ? 'C' : 'P')}-USDT",
                BaseCoin = "BTC",
                ExpiryUtc = expiry,
                Strike = strike,
                Type = type,
                TimeMs = (end - TimeSpan.FromMinutes(count - i)).ToUnixTimeMilliseconds(),
                Side = random.Next(2) == 0 ? TradeSide.Buy : TradeSide.Sell,
                Size = Math.Round(0.1 + random.NextDouble() * 20, 1),
                Price = Math.Round(100 + random.NextDouble() * 5_000, 1),
                Iv = 0.4 + random.NextDouble() * 0.3,
                MarkIv = 0.5,
                IndexPrice = 100_000,
                IsBlock = block,
                BlockId = block && random.Next(2) == 0 ? $"rfq{random.Next(3)}" : null,
            };
            // Every tenth trade without Greeks (no IV, no price to form them from).
            trades.Add(i % 10 == 9 ? trade : TradeGreeks.With(trade, 100_500));
        }
        return trades;
    }

    [Fact]
    public void Every_figure_is_the_sum_its_definition_names()
    {
        var trades = SampleTrades(Now, 200, seed: 1);
        var builder = new FlowBuilder(largest: 5);
        builder.AddRange(trades);
        var set = builder.Build();

        FlowAssert.Equal(FlowAssert.Recompute(trades), set.Total);
        Assert.Equal(trades.Select(t => t.Strike).Distinct().Order(), set.ByStrike.Select(s => s.Strike));
        foreach (var strike in set.ByStrike)
            FlowAssert.Equal(FlowAssert.Recompute(trades.Where(t => t.Strike == strike.Strike)), strike.Figures);
        foreach (var expiry in set.ByExpiry)
            FlowAssert.Equal(FlowAssert.Recompute(trades.Where(t => t.ExpiryUtc == expiry.ExpiryUtc)), expiry.Figures);
        Assert.Equal([OptionType.Call, OptionType.Put], set.ByType.Select(t => t.Type));
        foreach (var type in set.ByType)
            FlowAssert.Equal(FlowAssert.Recompute(trades.Where(t => t.Type == type.Type)), type.Figures);
        Assert.Equal(trades.OrderByDescending(t => t.PremiumUsd).ThenByDescending(t => t.TimeMs).Take(5).Select(t => t.Id), set.Largest.Select(t => t.Id));
        Assert.Equal(20, set.Total.GreeksMissing);
        Assert.True(set.Total.BlockTrades > 0 && set.Total.Blocks > 0);
    }

    [Fact]
    public void No_trades_give_zero_figures_and_no_block_share()
    {
        var set = new FlowBuilder().Build();
        Assert.Equal(0, set.Total.Trades);
        Assert.Null(set.Total.BlockShareVolume);
        Assert.Null(set.Total.BlockSharePremium);
        Assert.Empty(set.ByStrike);
        Assert.Empty(set.Largest);
    }

    [Theory]
    [InlineData("2026-12-01T12:30:00Z", "2026-12-01T08:00:00Z")]
    [InlineData("2026-12-01T08:00:00Z", "2026-12-01T08:00:00Z")]
    [InlineData("2026-12-01T07:59:59Z", "2026-11-30T08:00:00Z")]
    [InlineData("2027-01-01T03:00:00Z", "2026-12-31T08:00:00Z")]
    public void The_day_starts_at_the_last_0800_utc(string now, string start) =>
        Assert.Equal(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture),
            FlowWindow.DayStart(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData(null, "day", 270)]
    [InlineData("day", "day", 270)]
    [InlineData("15m", "15m", 15)]
    [InlineData("4H", "4h", 240)]
    [InlineData("24h", "24h", 1440)]
    [InlineData("7d", "7d", 10080)]
    [InlineData("1w", "1w", 10080)]
    public void Windows_parse(string? text, string name, int minutes)
    {
        Assert.True(FlowWindow.TryParse(text, Now, out var window, out _));
        Assert.Equal(name, window.Name);
        Assert.Equal(TimeSpan.FromMinutes(minutes), window.Span);
        Assert.Equal(Now, window.To);
    }

    [Theory]
    [InlineData("8d")]
    [InlineData("0m")]
    [InlineData("1y")]
    [InlineData("-1h")]
    [InlineData("1.5h")]
    [InlineData("yesterday")]
    public void Bad_windows_are_named_with_what_is_accepted(string text)
    {
        Assert.False(FlowWindow.TryParse(text, Now, out _, out var error));
        Assert.Contains(text, error, StringComparison.Ordinal);
        Assert.Contains("15m", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_reader_adds_up_the_windows_trades_and_says_from_when_they_are_complete()
    {
        var time = new FakeTimeProvider(Now);
        var tape = new TradeTape(Options.Create(new TapeOptions { Keep = 100 }));
        // 150 trades a minute apart ending now: the ring keeps the newest 100, so it reaches back 100 minutes.
        var trades = SampleTrades(Now, 150, seed: 2);
        tape.Append(trades);
        var reader = new FlowReader(tape, time, NullLogger<FlowReader>.Instance);

        FlowWindow.TryParse("1h", Now, out var hour, out _);
        var lastHour = await reader.ReadAsync("BTC", hour, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(lastHour.Complete);
        Assert.Equal(hour.From, lastHour.CompleteFrom);
        var expected = trades.Where(t => t.Time >= hour.From && t.Time <= hour.To).ToList();
        Assert.Equal(60, expected.Count);
        FlowAssert.Equal(FlowAssert.Recompute(expected), lastHour.Figures.Total);

        FlowWindow.TryParse("4h", Now, out var fourHours, out _);
        var longer = await reader.ReadAsync("BTC", fourHours, cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(longer.Complete);
        Assert.Equal(trades[50].Time, longer.CompleteFrom);
        Assert.Equal(100, longer.Figures.Total.Trades);
        Assert.Equal(0, longer.HistoryTrades);
    }

    [Fact]
    public async Task The_reader_adds_up_one_venues_trades_when_asked_for_one()
    {
        var time = new FakeTimeProvider(Now);
        var tape = new TradeTape(Options.Create(new TapeOptions { Keep = 1_000 }));
        var deribit = Venue.Parse("deribit");
        // The same coin's trades on two venues, interleaved in time: one tape per coin holds both.
        var bybit = SampleTrades(Now, 60, seed: 3);
        var other = SampleTrades(Now.AddSeconds(-30), 60, seed: 4).Select(t => t with { Venue = deribit, Id = "d-" + t.Id }).ToList();
        tape.Append([.. bybit.Concat(other).OrderBy(t => t.TimeMs)]);
        var reader = new FlowReader(tape, time, NullLogger<FlowReader>.Instance);
        FlowWindow.TryParse("1h", Now, out var hour, out _);

        var onlyDeribit = await reader.ReadAsync("BTC", hour, cancellationToken: TestContext.Current.CancellationToken, venue: deribit);
        var all = await reader.ReadAsync("BTC", hour, cancellationToken: TestContext.Current.CancellationToken);

        FlowAssert.Equal(FlowAssert.Recompute(other.Where(t => t.Time >= hour.From && t.Time <= hour.To)), onlyDeribit.Figures.Total);
        FlowAssert.Equal(FlowAssert.Recompute(bybit.Concat(other).Where(t => t.Time >= hour.From && t.Time <= hour.To)), all.Figures.Total);
        Assert.True(onlyDeribit.Figures.Total.Trades > 0);
    }
}

/// <summary>The flow figures recomputed from trades directly (LINQ over the definitions in docs/tape.md), and a comparison.</summary>
internal static class FlowAssert
{
    public static FlowFigures Recompute(IEnumerable<Trade> source)
    {
        var trades = source.ToList();
        var buys = trades.Where(t => t.Side == TradeSide.Buy).ToList();
        var sells = trades.Where(t => t.Side == TradeSide.Sell).ToList();
        var blocks = trades.Where(t => t.IsBlock).ToList();
        double volume = trades.Sum(t => t.Size), premium = trades.Sum(t => t.Price * t.Size);
        double blockVolume = blocks.Sum(t => t.Size), blockPremium = blocks.Sum(t => t.Price * t.Size);
        double Net(Func<Trade, double> greek) => trades.Where(t => double.IsFinite(greek(t))).Sum(t => (t.Side == TradeSide.Buy ? 1 : -1) * t.Size * greek(t));
        return new FlowFigures
        {
            Trades = trades.Count,
            BuyTrades = buys.Count,
            SellTrades = sells.Count,
            BlockTrades = blocks.Count,
            Blocks = blocks.Where(t => t.BlockId is not null).Select(t => t.BlockId).Distinct().Count() + blocks.Count(t => t.BlockId is null),
            Volume = volume,
            BuyVolume = buys.Sum(t => t.Size),
            SellVolume = sells.Sum(t => t.Size),
            NetVolume = buys.Sum(t => t.Size) - sells.Sum(t => t.Size),
            CallVolume = trades.Where(t => t.Type == OptionType.Call).Sum(t => t.Size),
            PutVolume = trades.Where(t => t.Type == OptionType.Put).Sum(t => t.Size),
            PremiumUsd = premium,
            BuyPremiumUsd = buys.Sum(t => t.Price * t.Size),
            SellPremiumUsd = sells.Sum(t => t.Price * t.Size),
            NetPremiumUsd = buys.Sum(t => t.Price * t.Size) - sells.Sum(t => t.Price * t.Size),
            CallPremiumUsd = trades.Where(t => t.Type == OptionType.Call).Sum(t => t.Price * t.Size),
            PutPremiumUsd = trades.Where(t => t.Type == OptionType.Put).Sum(t => t.Price * t.Size),
            BlockVolume = blockVolume,
            BlockPremiumUsd = blockPremium,
            BlockShareVolume = volume > 0 ? blockVolume / volume : null,
            BlockSharePremium = premium > 0 ? blockPremium / premium : null,
            NetDelta = Net(t => t.Delta),
            NetGamma = Net(t => t.Gamma),
            NetVega = Net(t => t.Vega),
            GreeksMissing = trades.Count(t => !double.IsFinite(t.Delta) || !double.IsFinite(t.Gamma) || !double.IsFinite(t.Vega)),
        };
    }

    /// <summary>Counts exactly; sums to 1e-9 relative (the order of additions may differ).</summary>
    public static void Equal(FlowFigures expected, FlowFigures actual)
    {
        Assert.Equal(expected.Trades, actual.Trades);
        Assert.Equal(expected.BuyTrades, actual.BuyTrades);
        Assert.Equal(expected.SellTrades, actual.SellTrades);
        Assert.Equal(expected.BlockTrades, actual.BlockTrades);
        Assert.Equal(expected.Blocks, actual.Blocks);
        Assert.Equal(expected.GreeksMissing, actual.GreeksMissing);
        Close(expected.Volume, actual.Volume, "volume");
        Close(expected.BuyVolume, actual.BuyVolume, "buy_volume");
        Close(expected.SellVolume, actual.SellVolume, "sell_volume");
        Close(expected.NetVolume, actual.NetVolume, "net_volume", scale: expected.Volume);
        Close(expected.CallVolume, actual.CallVolume, "call_volume");
        Close(expected.PutVolume, actual.PutVolume, "put_volume");
        Close(expected.PremiumUsd, actual.PremiumUsd, "premium_usd");
        Close(expected.BuyPremiumUsd, actual.BuyPremiumUsd, "buy_premium_usd");
        Close(expected.SellPremiumUsd, actual.SellPremiumUsd, "sell_premium_usd");
        Close(expected.NetPremiumUsd, actual.NetPremiumUsd, "net_premium_usd", scale: expected.PremiumUsd);
        Close(expected.CallPremiumUsd, actual.CallPremiumUsd, "call_premium_usd");
        Close(expected.PutPremiumUsd, actual.PutPremiumUsd, "put_premium_usd");
        Close(expected.BlockVolume, actual.BlockVolume, "block_volume");
        Close(expected.BlockPremiumUsd, actual.BlockPremiumUsd, "block_premium_usd");
        Close(expected.BlockShareVolume ?? double.NaN, actual.BlockShareVolume ?? double.NaN, "block_share_volume");
        Close(expected.BlockSharePremium ?? double.NaN, actual.BlockSharePremium ?? double.NaN, "block_share_premium");
        Close(expected.NetDelta, actual.NetDelta, "net_delta", scale: expected.Volume);
        Close(expected.NetGamma, actual.NetGamma, "net_gamma", scale: Math.Abs(expected.NetGamma) + 1e-9);
        Close(expected.NetVega, actual.NetVega, "net_vega", scale: Math.Abs(expected.NetVega) + expected.Volume);
    }

    private static void Close(double expected, double actual, string name, double? scale = null)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"{name}: expected none, got {actual}");
            return;
        }
        var tolerance = 1e-9 * Math.Max(1, Math.Abs(scale ?? expected));
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{name}: expected {expected}, got {actual}");
    }
}
