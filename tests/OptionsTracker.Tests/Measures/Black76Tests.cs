using OptionsTracker.Book;
using OptionsTracker.Measures;
using SimulatedModel = OptionsTracker.Simulator.Black76;

namespace OptionsTracker.Tests.Measures;

/// <summary>The tracker's own Black-76 (issue 15's model): known values, parity, Greeks and the implied-vol solver.</summary>
public sealed class Black76Tests
{
    private static readonly double[] Moneyness = [0.5, 0.7, 0.9, 0.97, 1.0, 1.03, 1.1, 1.3, 1.6, 2.0];
    private static readonly double[] Years = [1.0 / 365, 7.0 / 365, 30.0 / 365, 0.25, 1, 2];
    private static readonly double[] Vols = [0.1, 0.3, 0.5, 0.8, 1.5];

    [Fact]
    public void An_at_the_money_call_has_its_closed_form_value()
    {
        // F = K: C = F·(2·N(σ√T/2) − 1); with σ√T = 0.2, N(0.1) = 0.539827837277029.
        Assert.Equal(100 * (2 * 0.539827837277029 - 1), Black76.Price(100, 100, 1, 0.2, OptionType.Call), 12);
        Assert.Equal(Black76.Price(100, 100, 1, 0.2, OptionType.Call), Black76.Price(100, 100, 1, 0.2, OptionType.Put), 12);
    }

    [Fact]
    public void Calls_and_puts_keep_parity_on_the_forward()
    {
        foreach (var (forward, strike, years, vol) in Grid())
        {
            var call = Black76.Price(forward, strike, years, vol, OptionType.Call);
            var put = Black76.Price(forward, strike, years, vol, OptionType.Put);
            Assert.Equal(forward - strike, call - put, 1e-9 * forward);
        }
    }

    [Fact]
    public void Greeks_are_the_price_s_own_derivatives_in_the_exchange_s_units()
    {
        foreach (var (forward, strike, years, vol) in Grid())
        {
            // Differences are taken on the out-of-the-money option's price: an in-the-money price is mostly intrinsic
            // value, whose rounding would drown a small vega. Parity carries them over: the same gamma, vega and theta
            // for both types, a call's delta one above the put's.
            var otm = strike >= forward ? OptionType.Call : OptionType.Put;
            double P(double f, double t, double v) => Black76.Price(f, strike, t, v, otm);
            // Steps small against the price curve's own scale (F·σ·√T, σ, T), large against rounding.
            var h = forward * vol * Math.Sqrt(years) * 1e-3;
            var dv = vol * 1e-6;
            var dt = years * 1e-5;
            var otmDelta = (P(forward + h, years, vol) - P(forward - h, years, vol)) / (2 * h);
            var gamma = (P(forward + h, years, vol) - 2 * P(forward, years, vol) + P(forward - h, years, vol)) / (h * h);
            // Vega per vol point (0.01), theta per calendar day (time running out: minus the derivative in T).
            var vega = (P(forward, years, vol + dv) - P(forward, years, vol - dv)) / (2 * dv) / 100;
            var theta = -(P(forward, years + dt, vol) - P(forward, years - dt, vol)) / (2 * dt) / 365;
            foreach (var type in new[] { OptionType.Call, OptionType.Put })
            {
                var greeks = Black76.Greeks(forward, strike, years, vol, type);
                var delta = type == otm ? otmDelta : type == OptionType.Call ? otmDelta + 1 : otmDelta - 1;
                Assert.Equal(delta, greeks.Delta, 1e-6);
                Assert.Equal(gamma, greeks.Gamma, Math.Max(1e-12, Math.Abs(gamma) * 1e-3));
                Assert.Equal(vega, greeks.Vega, Math.Max(1e-9, Math.Abs(vega) * 1e-5));
                Assert.Equal(theta, greeks.Theta, Math.Max(1e-9, Math.Abs(theta) * 1e-4));
            }
        }
    }

    [Fact]
    public void Model_agrees_with_the_simulator_s_exchange_units()
    {
        // The simulator publishes Greeks in Bybit's units; the tracker's model must read them the same way.
        foreach (var (forward, strike, years, vol) in Grid())
        {
            foreach (var isCall in new[] { true, false })
            {
                var type = isCall ? OptionType.Call : OptionType.Put;
                var exchange = SimulatedModel.Value(forward, strike, years, vol, isCall);
                var model = Black76.Greeks(forward, strike, years, vol, type);
                Assert.Equal(exchange.Price, Math.Max(Black76.Price(forward, strike, years, vol, type), 0), 1e-9 * forward);
                Assert.Equal(exchange.Delta, model.Delta, 1e-12);
                Assert.Equal(exchange.Gamma, model.Gamma, Math.Abs(exchange.Gamma) * 1e-9 + 1e-15);
                Assert.Equal(exchange.VegaPerPoint, model.Vega, Math.Abs(exchange.VegaPerPoint) * 1e-9 + 1e-12);
                Assert.Equal(exchange.ThetaPerDay, model.Theta, Math.Abs(exchange.ThetaPerDay) * 1e-9 + 1e-12);
            }
        }
    }

    [Fact]
    public void Implied_vol_inverts_the_price_to_1e_8_across_strikes_and_expiries()
    {
        var solved = 0;
        foreach (var (forward, strike, years, vol) in Grid())
        {
            foreach (var type in new[] { OptionType.Call, OptionType.Put })
            {
                var price = Black76.Price(forward, strike, years, vol, type);
                var intrinsic = type == OptionType.Call ? Math.Max(forward - strike, 0) : Math.Max(strike - forward, 0);
                // Where the time value is below double precision of the price, no solver can tell vols apart.
                if (price - intrinsic < 1e-9 * forward)
                    continue;
                Assert.Equal(vol, Black76.ImpliedVol(price, forward, strike, years, type), 1e-8);
                solved++;
            }
        }
        Assert.True(solved > 500, $"{solved} prices inverted");
    }

    [Theory]
    [InlineData(4.9, OptionType.Call)]    // below intrinsic (F − K = 5)
    [InlineData(5.0, OptionType.Call)]    // at intrinsic: no time value, no vol
    [InlineData(105.0, OptionType.Call)]  // at the forward: a call is never worth the forward
    [InlineData(-1.0, OptionType.Put)]
    [InlineData(100.0, OptionType.Put)]   // at the strike
    [InlineData(double.NaN, OptionType.Put)]
    public void A_price_outside_the_no_arbitrage_bounds_has_no_implied_vol(double price, OptionType type) =>
        Assert.True(double.IsNaN(Black76.ImpliedVol(price, forward: 105, strike: 100, years: 0.1, type)));

    [Fact]
    public void Bad_inputs_give_missing_values_not_exceptions()
    {
        Assert.True(double.IsNaN(Black76.Price(0, 100, 1, 0.5, OptionType.Call)));
        Assert.True(double.IsNaN(Black76.Price(100, 100, 0, 0.5, OptionType.Call)));
        Assert.True(double.IsNaN(Black76.Price(100, 100, 1, double.NaN, OptionType.Call)));
        Assert.True(double.IsNaN(Black76.Greeks(100, -1, 1, 0.5, OptionType.Put).Gamma));
        Assert.True(double.IsNaN(Black76.ImpliedVol(5, 100, 100, -1, OptionType.Put)));
    }

    private static IEnumerable<(double Forward, double Strike, double Years, double Vol)> Grid()
    {
        foreach (var forward in new[] { 95_000.0, 3_400, 1.5 })
            foreach (var m in Moneyness)
                foreach (var years in Years)
                    foreach (var vol in Vols)
                        yield return (forward, forward * m, years, vol);
    }
}
