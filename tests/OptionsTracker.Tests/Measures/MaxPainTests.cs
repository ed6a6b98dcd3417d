using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Measures;

/// <summary>
/// Max pain and the put/call totals as docs/measures.md defines them, on hand-built books: the one definition the
/// summary API and the dashboard's chain both call.
/// </summary>
public sealed class MaxPainTests
{
    private static readonly DateTimeOffset T0 = new(2025, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);

    private static readonly string[] Symbols =
    [
        "BTC-26DEC25-90000-C-USDT", "BTC-26DEC25-90000-P-USDT", "BTC-26DEC25-100000-C-USDT", "BTC-26DEC25-100000-P-USDT",
        "BTC-26DEC25-110000-C-USDT", "BTC-26DEC25-110000-P-USDT",
    ];

    private static IReadOnlyList<OptionSlot> Slots(OptionBook book)
    {
        Assert.True(book.Index.TryGetCoin("BTC", out var coin));
        return coin.Expiries[0].Slots;
    }

    private static void Set(OptionBook book, string symbol, double openInterest, double volume = double.NaN)
    {
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot), symbol);
        var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = 1_000 };
        update.Set(QuoteField.OpenInterest, openInterest);
        if (!double.IsNaN(volume))
            update.Set(QuoteField.Volume24h, volume);
        book.Apply(slot, update);
    }

    [Fact]
    public void Max_pain_is_the_listed_strike_where_holders_receive_least()
    {
        var book = BookBuilder.WithSymbols(_time, Symbols);
        // Payouts if settled at 90k: 10 puts 110k → 200k, 1 put 100k → 10k: 210k; at 100k: 10 calls 90k → 100k,
        // 10 puts 110k → 100k: 200k; at 110k: 10 calls 90k → 200k, 1 call 100k → 10k: 210k.
        Set(book, "BTC-26DEC25-90000-C-USDT", 10);
        Set(book, "BTC-26DEC25-110000-P-USDT", 10);
        Set(book, "BTC-26DEC25-100000-C-USDT", 1);
        Set(book, "BTC-26DEC25-100000-P-USDT", 1);

        Assert.Equal(100_000m, MarketMeasures.MaxPain(Slots(book)));
    }

    [Fact]
    public void Max_pain_takes_the_lower_strike_on_a_tie_and_is_missing_without_open_interest()
    {
        var book = BookBuilder.WithSymbols(_time, Symbols);
        Assert.Null(MarketMeasures.MaxPain(Slots(book))); // never quoted: no open interest, no max pain

        Set(book, "BTC-26DEC25-90000-C-USDT", 0);
        Assert.Null(MarketMeasures.MaxPain(Slots(book))); // zero open interest takes no part

        // 5 calls at 90k and 5 puts at 110k pay 100k wherever it settles between them: the lowest strike is kept.
        Set(book, "BTC-26DEC25-90000-C-USDT", 5);
        Set(book, "BTC-26DEC25-110000-P-USDT", 5);
        Assert.Equal(90_000m, MarketMeasures.MaxPain(Slots(book)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Max_pain_equals_the_brute_force_minimum_on_random_boards(int seed)
    {
        // A Bybit-like grid (60 strikes, 500 apart) with random fractional OI, a third of the options without any: the
        // sweep of running sums must pick the strike the direct sum per candidate picks, the lower one on a tie.
        var random = new Random(seed);
        var strikes = Enumerable.Range(0, 60).Select(i => 80_000 + (i * 500)).ToArray();
        var symbols = strikes.SelectMany(k => new[] { $"BTC-26DEC25-{k}-C-USDT", $"BTC-26DEC25-{k}-P-USDT" }).ToArray();
        var book = BookBuilder.WithSymbols(_time, symbols);
        var interest = new Dictionary<string, double>();
        foreach (var symbol in symbols)
        {
            var oi = random.Next(3) == 0 ? 0 : Math.Round(random.NextDouble() * 400, 2);
            interest[symbol] = oi;
            Set(book, symbol, oi);
        }

        decimal? expected = null;
        var best = double.PositiveInfinity;
        foreach (var settle in strikes)
        {
            var payout = 0.0;
            foreach (var (symbol, oi) in interest)
            {
                var parts = symbol.Split('-');
                var strike = double.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
                payout += oi * (parts[3] == "C" ? Math.Max(0, settle - strike) : Math.Max(0, strike - settle));
            }
            if (payout < best)
                (best, expected) = (payout, settle);
        }
        Assert.Equal(expected, MarketMeasures.MaxPain(Slots(book)));
    }

    [Fact]
    public void Put_call_ratios_are_puts_over_calls_and_missing_without_calls()
    {
        var book = BookBuilder.WithSymbols(_time, Symbols);
        Set(book, "BTC-26DEC25-90000-P-USDT", 30, volume: 6);
        Set(book, "BTC-26DEC25-100000-P-USDT", double.NaN, volume: 2); // missing OI counts as none
        var putsOnly = MarketMeasures.PutCall(Slots(book));
        Assert.Null(putsOnly.OiRatio);
        Assert.Null(putsOnly.VolumeRatio);

        Set(book, "BTC-26DEC25-90000-C-USDT", 10, volume: 4);
        Set(book, "BTC-26DEC25-110000-C-USDT", 10, volume: 4);
        var totals = MarketMeasures.PutCall(Slots(book));

        Assert.Equal(20, totals.CallOi);
        Assert.Equal(30, totals.PutOi);
        Assert.Equal(1.5, totals.OiRatio);
        Assert.Equal(1.0, totals.VolumeRatio);
        Assert.True(book.Index.TryGetCoin("BTC", out var coin));
        Assert.Equal(totals.OiRatio, MarketMeasures.PutCallOiRatio(coin, null));
    }
}
