using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Measures;

/// <summary>
/// Positioning by strike (../shared/ANALYTICS.md, "Positioning by strike"; docs/analytics.md) on synthetic books, each
/// figure against a brute-force recomputation written out here: per-strike OI, volume and GEX, their total, max pain over
/// all expiries, and the gamma flip against scans of total GEX with Black-76 gammas.
/// </summary>
public sealed class PositioningTests
{
    private const double Index = 100_000;
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>One option of a synthetic book as the test knows it (NaN = not sent).</summary>
    private sealed record Option(OptionInstrument Instrument, double Forward, double MarkIv, double Gamma, double OpenInterest, double Volume)
    {
        public double Sign => Instrument.Type == OptionType.Call ? 1 : -1;
        public double Years => (Instrument.ExpiryUtc - T0).TotalDays / 365;
    }

    /// <summary>
    /// Three expiries with their own forwards, strikes 60k to 140k (the third expiry on a coarser grid, so "all" has
    /// strikes some expiries lack), a smile, the exchange's gamma a little off the model's, open interest heavier in puts
    /// below the money and calls above (as on a real board); some options without gamma, OI, volume or mark IV.
    /// </summary>
    private static (OptionBook Book, List<Option> Options) Board(int seed = 3, Func<OptionInstrument, double, double>? openInterest = null)
    {
        var book = new OptionBook(new FakeTimeProvider(T0));
        var random = new Random(seed);
        var expiries = new (DateOnly Date, double Forward, decimal Step)[]
        {
            (new DateOnly(2030, 1, 8), 100_150, 2_500m), (new DateOnly(2030, 1, 31), 100_600, 2_500m), (new DateOnly(2030, 4, 1), 101_900, 5_000m),
        };
        var instruments = new List<(OptionInstrument, double)>();
        foreach (var (date, forward, step) in expiries)
        {
            for (var strike = 60_000m; strike <= 140_000m; strike += step)
            {
                instruments.Add((BookBuilder.Create("BTC", date, strike, 'C'), forward));
                instruments.Add((BookBuilder.Create("BTC", date, strike, 'P'), forward));
            }
        }
        book.AddInstruments(instruments.Select(i => i.Item1));
        var options = new List<Option>();
        var time = T0.ToUnixTimeMilliseconds();
        foreach (var (instrument, forward) in instruments)
        {
            var years = (instrument.ExpiryUtc - T0).TotalDays / 365;
            var k = Math.Log(instrument.StrikeValue / forward);
            var iv = random.Next(0, 15) == 0 ? double.NaN : 0.5 + (0.6 * k * k) - (0.1 * k);
            var gamma = random.Next(0, 15) == 0 ? double.NaN : Black76.Greeks(forward, instrument.StrikeValue, years, 0.5 + (0.6 * k * k), instrument.Type).Gamma * (1 + (0.02 * (random.NextDouble() - 0.5)));
            var heavy = instrument.Type == OptionType.Put ? instrument.StrikeValue < forward : instrument.StrikeValue > forward;
            var oi = random.Next(0, 12) == 0 ? double.NaN
                : openInterest?.Invoke(instrument, forward) ?? Math.Round(random.NextDouble() * (heavy ? 400 : 80), 2);
            var volume = random.Next(0, 10) == 0 ? double.NaN : Math.Round(random.NextDouble() * 40, 2);
            var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = ++time };
            update.Set(QuoteField.MarkIv, iv);
            update.Set(QuoteField.Gamma, gamma);
            update.Set(QuoteField.OpenInterest, oi);
            update.Set(QuoteField.Volume24h, volume);
            update.Set(QuoteField.UnderlyingPrice, forward);
            update.Set(QuoteField.IndexPrice, Index);
            Assert.True(book.Index.TryGetSlot(Venue.Bybit, instrument.Symbol, out var slot));
            book.Apply(slot, update);
            options.Add(new Option(instrument, forward, iv, gamma, oi, volume));
        }
        return (book, options);
    }

    private static CoinAnalytics Snapshot(OptionBook book)
    {
        Assert.True(book.Index.TryGetCoin("BTC", out var coin));
        return CoinAnalytics.Build(coin, book.Sequence, T0, new RealisedVolatility());
    }

    /// <summary>Σ of the values that are present; NaN when none is.</summary>
    private static double SumPresent(IEnumerable<double> values)
    {
        var present = values.Where(double.IsFinite).ToList();
        return present.Count == 0 ? double.NaN : present.Sum();
    }

    private static double Gex(Option o) =>
        double.IsFinite(o.Gamma) && double.IsFinite(o.OpenInterest) ? o.Sign * o.Gamma * o.OpenInterest * o.Forward * o.Forward * 0.01 : double.NaN;

    private static void Close(double expected, double actual, string what)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"{what}: expected none, got {actual}");
            return;
        }
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");
    }

    [Fact]
    public void Per_strike_open_interest_volume_and_gex_and_their_total_equal_a_brute_force_sum_over_all_expiries_and_one()
    {
        var (book, options) = Board();
        var figures = Snapshot(book);

        foreach (var (positioning, selection) in new[]
        {
            (figures.Positioning, options),
            (Positioning.Of(figures, new DateOnly(2030, 1, 31))!, options.Where(o => o.Instrument.ExpiryDate == new DateOnly(2030, 1, 31)).ToList()),
        })
        {
            var strikes = selection.Select(o => o.Instrument.Strike).Distinct().Order().ToList();
            Assert.Equal(strikes, positioning.Strikes.Select(s => s.Strike));
            foreach (var row in positioning.Strikes)
            {
                var at = selection.Where(o => o.Instrument.Strike == row.Strike).ToList();
                var calls = at.Where(o => o.Instrument.Type == OptionType.Call).ToList();
                var puts = at.Where(o => o.Instrument.Type == OptionType.Put).ToList();
                Close(SumPresent(calls.Select(o => o.OpenInterest)), row.CallOi, $"call OI at {row.Strike}");
                Close(SumPresent(puts.Select(o => o.OpenInterest)), row.PutOi, $"put OI at {row.Strike}");
                Close(SumPresent(calls.Select(o => o.Volume)), row.CallVolume, $"call volume at {row.Strike}");
                Close(SumPresent(puts.Select(o => o.Volume)), row.PutVolume, $"put volume at {row.Strike}");
                Close(SumPresent(calls.Select(Gex)), row.CallGex, $"call GEX at {row.Strike}");
                Close(SumPresent(puts.Select(Gex)), row.PutGex, $"put GEX at {row.Strike}");
                Close(SumPresent(at.Select(Gex)), row.NetGex, $"net GEX at {row.Strike}");
                Assert.True(row.CallGex is double.NaN or >= 0 && row.PutGex is double.NaN or <= 0, "calls +, puts −");
            }
            Close(SumPresent(selection.Select(Gex)), positioning.TotalGex, "total GEX");
            Assert.Equal(selection.Where(o => o.Instrument.Type == OptionType.Put && double.IsFinite(o.OpenInterest)).Sum(o => o.OpenInterest)
                / selection.Where(o => o.Instrument.Type == OptionType.Call && double.IsFinite(o.OpenInterest)).Sum(o => o.OpenInterest),
                positioning.PutCall.OiRatio!.Value, 9);
            Assert.Equal(Index, positioning.IndexPrice);
        }
    }

    [Fact]
    public void Max_pain_of_all_expiries_is_the_listed_strike_where_holders_of_every_expiry_receive_least_and_of_one_the_expirys_own()
    {
        foreach (var seed in new[] { 1, 2, 3, 4, 5 })
        {
            var (book, options) = Board(seed);
            var figures = Snapshot(book);
            var strikes = options.Select(o => o.Instrument.StrikeValue).Distinct().Order().ToList();
            var held = options.Where(o => double.IsFinite(o.OpenInterest) && o.OpenInterest > 0).ToList();
            double Payout(double settle) => held.Sum(o => o.OpenInterest * (o.Instrument.Type == OptionType.Call
                ? Math.Max(0, settle - o.Instrument.StrikeValue) : Math.Max(0, o.Instrument.StrikeValue - settle)));
            var payouts = strikes.Select(Payout).ToList();
            var expected = strikes[payouts.IndexOf(payouts.Min())]; // the first, so the lower on a tie

            Assert.Equal((decimal)expected, figures.Positioning.MaxPain);
            foreach (var expiry in figures.Expiries)
                Assert.Equal(MarketMeasures.MaxPain(expiry.Expiry.Slots), Positioning.Of(figures, expiry.Expiry.Date)!.MaxPain);
        }
    }

    /// <summary>
    /// Total GEX at a hypothetical index <paramref name="spot"/>, written out: each option's forward scaled by spot/index,
    /// Black-76 gamma at its mark IV and T (sticky strike), times sign · OI · forward² · 0.01.
    /// </summary>
    private static double TotalGexAt(IEnumerable<Option> options, double spot)
    {
        var total = 0.0;
        foreach (var o in options)
        {
            if (!(o.OpenInterest > 0) || !(o.MarkIv > 0))
                continue;
            var forward = o.Forward * spot / Index;
            var gamma = Black76.Greeks(forward, o.Instrument.StrikeValue, o.Years, o.MarkIv, o.Instrument.Type).Gamma;
            total += o.Sign * gamma * o.OpenInterest * forward * forward * 0.01;
        }
        return total;
    }

    /// <summary>Every zero crossing of total GEX between neighbouring points of a grid of S/index, linearly interpolated.</summary>
    private static List<double> Crossings(List<Option> options, IReadOnlyList<double> grid)
    {
        var values = grid.Select(s => TotalGexAt(options, s * Index)).ToList();
        var crossings = new List<double>();
        for (var i = 0; i + 1 < grid.Count; i++)
        {
            if (values[i] == 0)
                crossings.Add(grid[i] * Index);
            else if (Math.Sign(values[i]) != Math.Sign(values[i + 1]) && values[i + 1] != 0)
                crossings.Add((grid[i] + ((grid[i + 1] - grid[i]) * values[i] / (values[i] - values[i + 1]))) * Index);
        }
        return crossings;
    }

    [Fact]
    public void Gamma_flip_is_the_crossing_of_total_gex_nearest_the_index_on_the_half_percent_grid_and_close_to_a_fine_scan()
    {
        foreach (var seed in new[] { 3, 11, 17 })
        {
            var (book, options) = Board(seed);
            var flip = Snapshot(book).Positioning.GexFlip;

            // The same grid as the definition: ±30 % of the index in 0.5 % steps.
            var coarse = Crossings(options, [.. Enumerable.Range(-60, 121).Select(j => 1 + (j * 0.005))]);
            Assert.NotEmpty(coarse);
            var expected = coarse.MinBy(s => Math.Abs(s - Index));
            Assert.True(Math.Abs(flip - expected) < 1e-6 * Index, $"seed {seed}: flip {flip}, brute force {expected}");

            // A grid fifty times finer finds the true crossing: the half-percent grid's interpolation stays within a step of it.
            var fine = Crossings(options, [.. Enumerable.Range(-3000, 6001).Select(j => 1 + (j * 0.0001))]).MinBy(s => Math.Abs(s - Index));
            Assert.True(Math.Abs(flip - fine) < 0.005 * Index, $"seed {seed}: flip {flip}, fine scan {fine}");
            TestContext.Current.TestOutputHelper?.WriteLine($"seed {seed}: flip {flip:0.##}, coarse brute force {expected:0.##}, fine scan {fine:0.##}");
        }
    }

    [Fact]
    public void Gamma_flip_is_none_when_total_gex_keeps_its_sign_over_the_grid()
    {
        // Calls only: every option's GEX is positive at any spot, so the total never changes sign.
        var (book, options) = Board(5, (instrument, _) => instrument.Type == OptionType.Call ? 100 : 0);
        var positioning = Snapshot(book).Positioning;

        Assert.True(double.IsNaN(positioning.GexFlip));
        Assert.Empty(Crossings(options, [.. Enumerable.Range(-60, 121).Select(j => 1 + (j * 0.005))]));
        Assert.True(positioning.TotalGex > 0);
    }

    [Fact]
    public void Gamma_flip_is_found_even_far_from_the_index()
    {
        // Puts everywhere, calls only far above the money but many: negative near the index, where the puts near the
        // money weigh most; positive far out, where the calls' wide long-dated gamma outweighs the thin puts'.
        var (book, options) = Board(7, (instrument, forward) =>
            instrument.Type == OptionType.Put ? 20 : instrument.StrikeValue >= 125_000 ? 2_000 : 0);
        var flip = Snapshot(book).Positioning.GexFlip;

        var coarse = Crossings(options, [.. Enumerable.Range(-60, 121).Select(j => 1 + (j * 0.005))]);
        TestContext.Current.TestOutputHelper?.WriteLine($"flip {flip:0.##}; crossings {string.Join(", ", coarse.Select(c => c.ToString("0.##")))}");
        Assert.NotEmpty(coarse);
        Assert.True(Math.Abs(flip - Index) > Index * 0.05, $"flip {flip} far from the index");
        Assert.True(Math.Abs(flip - coarse.MinBy(s => Math.Abs(s - Index))) < 1e-6 * Index);
    }

    [Fact]
    public void Nothing_quoted_gives_strikes_without_figures_and_no_max_pain_total_or_flip()
    {
        var book = new OptionBook(new FakeTimeProvider(T0));
        book.AddInstruments([BookBuilder.Create("BTC", new DateOnly(2030, 1, 31), 90_000m, 'C'), BookBuilder.Create("BTC", new DateOnly(2030, 1, 31), 90_000m, 'P')]);
        var positioning = Snapshot(book).Positioning;

        var row = Assert.Single(positioning.Strikes);
        Assert.Equal(90_000m, row.Strike);
        Assert.True(double.IsNaN(row.CallOi) && double.IsNaN(row.PutGex) && double.IsNaN(row.NetGex));
        Assert.Null(positioning.MaxPain);
        Assert.True(double.IsNaN(positioning.TotalGex));
        Assert.True(double.IsNaN(positioning.GexFlip));
        Assert.Null(Positioning.Of(Snapshot(book), new DateOnly(2030, 2, 1)));
    }
}
