using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Tape;

namespace OptionsTracker.Tests.Tape;

public class TradeTapeTests
{
    private static TradeTape TapeKeeping(int keep) => new(Options.Create(new TapeOptions { Keep = keep }));

    private static Trade TradeOf(string id, long timeMs, string coin = "BTC", double size = 1) => new()
    {
        Venue = Venue.Bybit,
        Id = id,
        Symbol = $"{coin}-25DEC26-100000-C-USDT",
        BaseCoin = coin,
        ExpiryUtc = new DateTimeOffset(2026, 12, 25, 8, 0, 0, TimeSpan.Zero),
        Strike = 100_000,
        Type = OptionType.Call,
        TimeMs = timeMs,
        Side = TradeSide.Buy,
        Size = size,
        Price = 1_000,
    };

    [Theory]
    [InlineData(587.1, 2, 1174.2)] // 587.1 * 2.0 as doubles is 1174.1999999999998
    [InlineData(0.1, 3, 0.3)] // 0.30000000000000004
    [InlineData(1_234.5, 0.01, 12.345)]
    [InlineData(1_000, 1.5, 1_500)]
    public void The_premium_is_the_product_of_the_venue_s_decimals(double price, double size, double premium)
    {
        var trade = TradeOf("a", 1, size: size) with { Price = price };

        Assert.Equal(premium, trade.PremiumUsd);
        Assert.Equal(premium.ToString(System.Globalization.CultureInfo.InvariantCulture),
            trade.PremiumUsd.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_premium_outside_decimal_s_range_or_of_a_missing_price_is_the_double_product()
    {
        Assert.True(double.IsNaN((TradeOf("a", 1) with { Price = double.NaN }).PremiumUsd));
        Assert.Equal(1e300 * 2, (TradeOf("a", 1, size: 2) with { Price = 1e300 }).PremiumUsd);
    }

    [Fact]
    public void Appended_trades_get_increasing_sequences_per_coin_and_a_repeated_id_is_dropped()
    {
        var tape = TapeKeeping(100);

        var first = tape.Append([TradeOf("a", 1), TradeOf("b", 2), TradeOf("x", 2, coin: "ETH")]);
        var second = tape.Append([TradeOf("b", 2), TradeOf("c", 3)]);

        Assert.Equal([1L, 2L, 1L], first.Select(t => t.Sequence));
        Assert.Equal(["c"], second.Select(t => t.Id));
        Assert.Equal(3, second[0].Sequence);
        Assert.Equal(1, tape.Duplicates);
        Assert.Equal(["a", "b", "c"], tape.After("btc", 0).Select(t => t.Id));
        Assert.Equal(["c", "b"], tape.Newest("BTC", 2).Select(t => t.Id));
        Assert.Equal(["ETH", "BTC"], tape.Coins.Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public void A_full_ring_forgets_the_oldest_and_refuses_a_trade_older_than_what_it_holds()
    {
        var tape = TapeKeeping(100);
        tape.Append(Enumerable.Range(1, 150).Select(i => TradeOf($"t{i}", i)));

        Assert.Equal(100, tape.After("BTC", 0).Count);
        Assert.Equal("t51", tape.After("BTC", 0)[0].Id);
        Assert.Equal(["t101", "t102"], tape.After("BTC", 100, max: 2).Select(t => t.Id));
        // t10 was forgotten with its id: refused as older than the oldest held, never taken again as new.
        Assert.Empty(tape.Append([TradeOf("t10", 10)]));
        Assert.Equal(1, tape.TooOld);
        // An evicted id may come back only if it is newer than what is held (a venue never reuses an id, so it would be new).
        Assert.Single(tape.Append([TradeOf("t1", 151)]));
    }

    [Fact]
    public void A_mirror_keeps_the_collectors_sequences_and_skips_what_it_has()
    {
        var collector = TapeKeeping(100);
        var appended = collector.Append(Enumerable.Range(1, 5).Select(i => TradeOf($"t{i}", i)));
        var mirror = TapeKeeping(100);

        Assert.Equal(3, mirror.Mirror("BTC", [.. appended.Take(3)]));
        Assert.Equal(2, mirror.Mirror("BTC", appended));

        Assert.Equal(appended.Select(t => t.Sequence), mirror.After("BTC", 0).Select(t => t.Sequence));
        Assert.Equal(5, mirror.LastSequence("BTC"));
    }

    [Fact]
    public async Task A_waiting_reader_wakes_on_the_next_trade_of_its_coin()
    {
        var tape = TapeKeeping(100);
        tape.Append([TradeOf("a", 1)]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // Already after: at once.
        await tape.WaitAsync("BTC", 0, timeout.Token);
        var waiting = tape.WaitAsync("BTC", 1, timeout.Token);
        Assert.False(waiting.IsCompleted);
        tape.Append([TradeOf("x", 2, coin: "ETH")]);
        Assert.False(waiting.IsCompleted);
        tape.Append([TradeOf("b", 2)]);
        await waiting;
    }

    [Fact]
    public void Greeks_at_trade_time_are_black76_at_the_trades_iv_and_the_underlying()
    {
        var trade = TradeOf("a", new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds()) with
        {
            Iv = 0.5,
            MarkIv = 0.45,
            IndexPrice = 99_000,
        };

        var withGreeks = TradeGreeks.With(trade, underlyingPrice: 100_000);

        var expected = OptionsTracker.Measures.Black76.Greeks(100_000, 100_000, 24d / 365, 0.5, OptionType.Call);
        Assert.Equal(expected.Delta, withGreeks.Delta, 12);
        Assert.Equal(expected.Gamma, withGreeks.Gamma, 15);
        Assert.Equal(expected.Vega, withGreeks.Vega, 12);
        // At the money, a call's delta is a little over one half.
        Assert.InRange(withGreeks.Delta, 0.5, 0.56);
    }
}
