using CsCheck;
using MathNet.Numerics.Distributions;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Strategies;

namespace OptionsTracker.Tests.Strategies;

public class StrategyEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Expiry = new(2026, 12, 25, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LaterExpiry = new(2027, 3, 26, 8, 0, 0, TimeSpan.Zero);
    private const double Forward = 100_000;
    private static readonly EvaluationSettings Settings = new() { Now = Now };

    /// <summary>
    /// An option leg whose mark is its Black-76 price at <paramref name="iv"/> on <paramref name="forward"/>, quoted one
    /// percent either side of it with ten contracts each, and the model's Greeks as the exchange's.
    /// </summary>
    private static StrategyLeg Leg(LegSide side, double quantity, double strike, OptionType type, double iv = 0.5,
        DateTimeOffset? expiry = null, double forward = Forward)
    {
        var at = expiry ?? Expiry;
        var years = (at - Now).TotalDays / 365;
        var mark = Black76.Price(forward, strike, years, iv, type);
        var greeks = Black76.Greeks(forward, strike, years, iv, type);
        return new StrategyLeg
        {
            Symbol = $"BTC-{at:ddMMMyy}-{strike}-{(type == OptionType.Call ? 'C' : 'P')}-USDT".ToUpperInvariant(),
            Side = side,
            Quantity = quantity,
            ExpiryUtc = at,
            Strike = strike,
            Type = type,
            Market = new LegMarket
            {
                Bid = mark * 0.99,
                Ask = mark * 1.01,
                BidSize = 10,
                AskSize = 10,
                Mark = mark,
                MarkIv = iv,
                Forward = forward,
                Delta = greeks.Delta,
                Gamma = greeks.Gamma,
                Vega = greeks.Vega,
                Theta = greeks.Theta,
            },
        };
    }

    private static double Intrinsic(StrategyLeg leg, double spot) => leg.Type == OptionType.Call
        ? Math.Max(spot - leg.Strike, 0)
        : Math.Max(leg.Strike - spot, 0);

    private static readonly Gen<StrategyLeg> Legs = Gen.Select(
        Gen.OneOf(Gen.Const(LegSide.Buy), Gen.Const(LegSide.Sell)),
        Gen.Int[1, 40].Select(q => q / 4.0),
        Gen.Int[12, 36].Select(k => k * 5_000.0),
        Gen.OneOf(Gen.Const(OptionType.Call), Gen.Const(OptionType.Put)),
        Gen.Int[25, 120].Select(v => v / 100.0))
        .Select((side, quantity, strike, type, iv) => Leg(side, quantity, strike, type, iv));

    [Fact]
    public void The_payoff_at_expiry_of_any_structure_is_the_sum_of_its_legs_intrinsic_values_minus_the_premium()
    {
        Gen.Select(Legs.Array[1, 6], Gen.Int[20_000, 250_000].Select(s => (double)s))
            .Sample((legs, spot) =>
            {
                var evaluation = StrategyEvaluator.Evaluate(legs, Settings with { SpotPoints = [spot] });

                var premium = legs.Sum(l => l.SignedQuantity * (l.Side == LegSide.Buy ? l.Market.Ask : l.Market.Bid));
                var expected = legs.Sum(l => l.SignedQuantity * Intrinsic(l, spot)) - premium;
                Assert.Equal(premium, evaluation.Touch.Premium, 6);
                Assert.Equal(expected, evaluation.PayoffAtExpiry[0], 6);
            }, iter: 300);
    }

    [Fact]
    public void Greeks_add_up_over_the_legs()
    {
        Legs.Array[1, 6].Sample(legs =>
        {
            var whole = StrategyEvaluator.Evaluate(legs, Settings);
            var parts = legs.Select(l => StrategyEvaluator.Evaluate([l], Settings)).ToList();

            Assert.Equal(parts.Sum(p => p.ModelGreeks.Delta), whole.ModelGreeks.Delta, 9);
            Assert.Equal(parts.Sum(p => p.ModelGreeks.Gamma), whole.ModelGreeks.Gamma, 12);
            Assert.Equal(parts.Sum(p => p.ModelGreeks.Vega), whole.ModelGreeks.Vega, 9);
            Assert.Equal(parts.Sum(p => p.ModelGreeks.Theta), whole.ModelGreeks.Theta, 9);
            Assert.Equal(parts.Sum(p => p.ExchangeGreeks.Delta), whole.ExchangeGreeks.Delta, 9);
            // The exchange's Greeks here are the model's own, so both sums agree.
            Assert.Equal(whole.ModelGreeks.Delta, whole.ExchangeGreeks.Delta, 9);
        }, iter: 200);
    }

    [Fact]
    public void A_long_call_verticals_maximum_profit_is_the_width_less_the_debit_its_loss_the_debit_and_it_breaks_even_at_the_lower_strike_plus_the_debit()
    {
        // Near the money, where the debit at the marks is neither nothing nor the whole width.
        Gen.Select(Gen.Int[17, 22], Gen.Int[1, 4], Gen.Int[1, 20]).Sample((lower, width, quantity) =>
        {
            var (low, high) = (lower * 5_000.0, (lower + width) * 5_000.0);
            StrategyLeg[] legs = [Leg(LegSide.Buy, quantity, low, OptionType.Call), Leg(LegSide.Sell, quantity, high, OptionType.Call)];

            var evaluation = StrategyEvaluator.Evaluate(legs, Settings with { Entry = EntryBasis.Mark });

            var debit = evaluation.Mark.Premium;
            Assert.True(debit > 0);
            Assert.Equal((high - low) * quantity - debit, evaluation.MaxProfit!.Value, 4);
            Assert.Equal(debit, evaluation.MaxLoss!.Value, 4);
            var breakeven = Assert.Single(evaluation.Breakevens);
            Assert.Equal(low + debit / quantity, breakeven, 4);
        }, iter: 100);
    }

    [Fact]
    public void A_straddles_payoff_at_its_strike_is_minus_its_premium()
    {
        Gen.Int[14, 26].Sample(k =>
        {
            var strike = k * 5_000.0;
            StrategyLeg[] legs = [Leg(LegSide.Buy, 1, strike, OptionType.Call), Leg(LegSide.Buy, 1, strike, OptionType.Put)];

            var evaluation = StrategyEvaluator.Evaluate(legs, Settings with { SpotPoints = [strike] });

            Assert.Equal(-evaluation.Touch.Premium, evaluation.PayoffAtExpiry[0], 6);
            Assert.Equal(2, evaluation.Breakevens.Count);
            Assert.Null(evaluation.MaxProfit);
            Assert.Equal(evaluation.Touch.Premium, evaluation.MaxLoss!.Value, 4);
        });
    }

    [Fact]
    public void Put_call_parity_makes_a_synthetic_forward_a_delta_of_one_and_a_gamma_of_zero()
    {
        Gen.Select(Gen.Int[14, 26], Gen.Int[25, 120]).Sample((k, v) =>
        {
            var strike = k * 5_000.0;
            StrategyLeg[] legs = [Leg(LegSide.Buy, 1, strike, OptionType.Call, v / 100.0), Leg(LegSide.Sell, 1, strike, OptionType.Put, v / 100.0)];

            var evaluation = StrategyEvaluator.Evaluate(legs, Settings);

            Assert.Equal(1, evaluation.ModelGreeks.Delta, 9);
            Assert.Equal(0, evaluation.ModelGreeks.Gamma, 12);
            Assert.Equal(0, evaluation.ModelGreeks.Vega, 6);
            // Unbounded above like the forward it replicates; below, the most it loses is at zero: the strike and the premium.
            Assert.Null(evaluation.MaxProfit);
            Assert.Equal(strike + evaluation.Touch.Premium, evaluation.MaxLoss!.Value, 4);
        });
    }

    [Fact]
    public void Now_with_the_model_ivs_equal_to_the_marks_the_value_is_the_marks()
    {
        Gen.Select(Legs.Array[1, 6], Gen.Bool).Sample((legs, later) =>
        {
            // Legs of two expiries: the later ones are priced by the model too.
            var mixed = legs.Select((l, i) => later && i % 2 == 1 ? Leg(l.Side, l.Quantity, l.Strike, l.Type!.Value, l.Market.MarkIv, LaterExpiry, 101_000) : l).ToArray();

            var evaluation = StrategyEvaluator.Evaluate(mixed, Settings with { Entry = EntryBasis.Mark, SpotPoints = [Forward] });

            Assert.Equal(0, evaluation.PayoffNow[0], 6);
            Assert.Equal(mixed.Sum(l => l.SignedQuantity * l.Market.Mark), evaluation.Mark.Premium, 6);
        }, iter: 200);
    }

    [Fact]
    public void A_short_put_risks_its_strike_less_the_credit_and_a_short_call_an_unbounded_loss()
    {
        var shortPut = StrategyEvaluator.Evaluate([Leg(LegSide.Sell, 2, 90_000, OptionType.Put)], Settings);
        var shortCall = StrategyEvaluator.Evaluate([Leg(LegSide.Sell, 2, 110_000, OptionType.Call)], Settings);

        var credit = -shortPut.Touch.Premium;
        Assert.Equal(credit, shortPut.MaxProfit!.Value, 4);
        Assert.Equal(2 * 90_000 - credit, shortPut.MaxLoss!.Value, 4);
        Assert.Null(shortCall.MaxLoss);
        Assert.Equal(-shortCall.Touch.Premium, shortCall.MaxProfit!.Value, 4);
    }

    [Fact]
    public void A_long_calls_probability_of_profit_is_the_lognormal_probability_of_ending_above_its_breakeven()
    {
        var call = StrategyEvaluator.Evaluate([Leg(LegSide.Buy, 1, 110_000, OptionType.Call, 0.6)], Settings with { FirstExpiryAtmIv = 0.55 });

        var breakeven = Assert.Single(call.Breakevens);
        var sd = 0.55 * Math.Sqrt((Expiry - Now).TotalDays / 365);
        var expected = Normal.CDF(0, 1, (Math.Log(Forward / breakeven) - sd * sd / 2) / sd);
        Assert.Equal(expected, call.Pop.Probability, 9);
        Assert.Equal("atm_iv", call.Pop.IvSource);
        Assert.Equal(110_000 + call.Touch.Premium, breakeven, 4);
    }

    [Fact]
    public void Entry_warns_about_a_leg_without_a_touch_or_larger_than_its_size()
    {
        var noAsk = Leg(LegSide.Buy, 1, 100_000, OptionType.Call) is var l ? l with { Market = l.Market with { Ask = double.NaN } } : null!;
        var tooLarge = Leg(LegSide.Sell, 25, 100_000, OptionType.Put);

        var evaluation = StrategyEvaluator.Evaluate([noAsk, tooLarge], Settings);

        Assert.False(evaluation.Touch.Complete);
        Assert.True(evaluation.Mark.Complete);
        Assert.Contains(evaluation.Warnings, w => w.Contains(noAsk.Symbol, StringComparison.Ordinal) && w.Contains("no ask", StringComparison.Ordinal));
        Assert.Contains(evaluation.Warnings, w => w.Contains(tooLarge.Symbol, StringComparison.Ordinal) && w.Contains("more than", StringComparison.Ordinal));
    }

    [Fact]
    public void Sticky_delta_on_a_flat_smile_is_sticky_strike_and_on_a_skewed_one_it_is_not()
    {
        var call = Leg(LegSide.Buy, 1, 110_000, OptionType.Call, 0.5);
        var flat = call with { Smile = ExpirySmile.Of(Forward, [(80_000, 0.5), (120_000, 0.5)]) };
        var skewed = call with { Smile = ExpirySmile.Of(Forward, [(80_000, 0.7), (110_000, 0.5), (120_000, 0.45)]) };
        var moved = Settings with { SpotPoints = [90_000, 120_000] };

        var strike = StrategyEvaluator.Evaluate([call], moved);
        var deltaFlat = StrategyEvaluator.Evaluate([flat], moved with { VolModel = VolModel.StickyDelta });
        var deltaSkewed = StrategyEvaluator.Evaluate([skewed], moved with { VolModel = VolModel.StickyDelta });

        Assert.Equal(strike.PayoffNow, deltaFlat.PayoffNow);
        // Down 10 %, the 110,000 call sits where this smile is 45 %; up 20 %, it is in the money, where the smile is
        // about 59 %: worth less, then more, than at its own 50 %.
        Assert.True(deltaSkewed.PayoffNow[0] < strike.PayoffNow[0]);
        Assert.True(deltaSkewed.PayoffNow[1] > strike.PayoffNow[1]);
    }

    [Fact]
    public void The_scenario_grid_at_no_shift_is_the_curve_now_at_the_forward()
    {
        StrategyLeg[] legs = [Leg(LegSide.Buy, 1, 100_000, OptionType.Call), Leg(LegSide.Sell, 1, 90_000, OptionType.Put, expiry: LaterExpiry, forward: 101_000)];
        var at = Now.AddDays(10);

        var evaluation = StrategyEvaluator.Evaluate(legs, Settings with { SpotPoints = [Forward], At = at });

        Assert.Equal(2, evaluation.Grids.Count);
        var now = evaluation.Grids[0];
        Assert.Equal(21, now.PnL.Length);
        Assert.Equal(21, now.PnL[10].Length);
        Assert.Equal(evaluation.PayoffNow[0], now.PnL[10][10], 9);
        Assert.Equal(evaluation.PayoffAt![0], evaluation.Grids[1].PnL[10][10], 9);
        // More volatility is worth more to a long call and costs the short put: the sign of the net vega decides.
        Assert.Equal(Math.Sign(evaluation.ModelGreeks.Vega), Math.Sign(now.PnL[20][10] - now.PnL[0][10]));
    }
}
