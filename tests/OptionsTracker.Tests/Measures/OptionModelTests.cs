using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Measures;

/// <summary>
/// The model per option (docs/analytics.md, "The model against the exchange") on synthetic quotes: a quote made the way
/// Bybit makes it (Black-76 at its mark IV, numbers rounded to its published decimals) agrees within tolerance; one
/// whose price, delta or vega does not fit is flagged; missing inputs give missing figures.
/// </summary>
public sealed class OptionModelTests
{
    private static readonly DateOnly Expiry = new(2026, 3, 27);
    private static readonly DateTimeOffset QuotedAt = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private const double Forward = 101_234.5;

    private static double Years(OptionInstrument instrument) => (instrument.ExpiryUtc - QuotedAt).TotalDays / 365;

    /// <summary>An exchange's quote: mark price, IV and Greeks from Black-76 at <paramref name="iv"/>, rounded as Bybit publishes them.</summary>
    private static OptionQuote ExchangeQuote(OptionInstrument instrument, double iv)
    {
        var years = Years(instrument);
        var greeks = Black76.Greeks(Forward, instrument.StrikeValue, years, iv, instrument.Type);
        var quote = OptionQuote.Empty;
        quote.ExchangeTimeMs = QuotedAt.ToUnixTimeMilliseconds();
        quote.Values[(int)QuoteField.UnderlyingPrice] = Forward;
        quote.Values[(int)QuoteField.MarkPrice] = Math.Round(Black76.Price(Forward, instrument.StrikeValue, years, iv, instrument.Type), 8);
        quote.Values[(int)QuoteField.MarkIv] = Math.Round(iv, 4);
        quote.Values[(int)QuoteField.Delta] = Math.Round(greeks.Delta, 8);
        quote.Values[(int)QuoteField.Gamma] = Math.Round(greeks.Gamma, 8);
        quote.Values[(int)QuoteField.Vega] = Math.Round(greeks.Vega, 8);
        quote.Values[(int)QuoteField.Theta] = Math.Round(greeks.Theta, 8);
        return quote;
    }

    [Theory]
    [InlineData(60_000, 'P', 0.71234)]
    [InlineData(95_000, 'P', 0.52345)]
    [InlineData(100_000, 'C', 0.50011)]
    [InlineData(125_000, 'C', 0.55559)]
    [InlineData(200_000, 'C', 0.80004)]
    public void A_quote_made_with_Black_76_agrees_within_tolerance_and_the_model_figures_are_Black_76s(int strike, char type, double iv)
    {
        var instrument = BookBuilder.Create("BTC", Expiry, strike, type);
        var quote = ExchangeQuote(instrument, iv);

        var model = OptionModel.Of(instrument, quote);

        var years = Years(instrument);
        var atMark = Black76.Greeks(Forward, strike, years, quote.MarkIv, instrument.Type);
        // The IV inverts the rounded mark price (to the rounding of 8 decimals of price), within 0.01 vol point of the exchange's 4 decimals.
        Assert.Equal(quote.MarkPrice, Black76.Price(Forward, strike, years, model.Iv, instrument.Type), 6);
        Assert.True(Math.Abs(model.Iv - iv) < 1e-6, $"model IV {model.Iv} vs {iv}");
        Assert.Equal(model.Iv - quote.MarkIv, model.IvDiff, 15);
        Assert.Equal(atMark, new ModelGreeks(model.Delta, model.Gamma, model.Vega, model.Theta));
        Assert.Equal(atMark.Delta - quote.Delta, model.DeltaDiff, 15);
        Assert.Equal(atMark.Theta - quote.Theta, model.ThetaDiff, 12);
        Assert.False(model.Divergent);
    }

    [Fact]
    public void A_deep_in_the_money_option_near_expiry_is_allowed_the_iv_its_rounded_forward_cannot_pin()
    {
        // A put 6 % in the money 88 minutes before expiry (a CI run met one as a false divergence of 0.0076): its price is
        // nearly K − F and its vega 0.04 USD a unit of vol, so the forward's 8th significant digit moves its IV by ~0.01.
        var instrument = BookBuilder.Create("BTC", Expiry, 100_800m, 'P');
        var quotedAt = instrument.ExpiryUtc.AddMinutes(-88);
        var years = (instrument.ExpiryUtc - quotedAt).TotalDays / 365;
        const double trueForward = 95_000.0003, publishedForward = 95_000.000, iv = 1.0552;
        var greeks = Black76.Greeks(trueForward, 100_800, years, iv, OptionType.Put);
        var quote = OptionQuote.Empty;
        quote.ExchangeTimeMs = quotedAt.ToUnixTimeMilliseconds();
        quote.Values[(int)QuoteField.UnderlyingPrice] = publishedForward;
        quote.Values[(int)QuoteField.MarkPrice] = Math.Round(Black76.Price(trueForward, 100_800, years, iv, OptionType.Put), 8);
        quote.Values[(int)QuoteField.MarkIv] = iv;
        quote.Values[(int)QuoteField.Delta] = Math.Round(greeks.Delta, 8);
        quote.Values[(int)QuoteField.Gamma] = Math.Round(greeks.Gamma, 8);
        quote.Values[(int)QuoteField.Vega] = Math.Round(greeks.Vega, 8);
        quote.Values[(int)QuoteField.Theta] = Math.Round(greeks.Theta, 8);

        var model = OptionModel.Of(instrument, quote);

        Assert.True(Math.Abs(model.IvDiff) > OptionModel.IvTolerance, $"IV difference {model.IvDiff}");
        Assert.InRange(model.IvAllowance, Math.Abs(model.IvDiff), 0.05);
        Assert.Equal(false, OptionModel.BeyondIv(model.IvDiff, model.IvAllowance));
        Assert.False(model.Divergent);
        // At the money the allowance is the stated tolerance.
        Assert.Equal(OptionModel.IvTolerance, OptionModel.Of(BookBuilder.Create("BTC", Expiry, 100_000m, 'C'), ExchangeQuote(BookBuilder.Create("BTC", Expiry, 100_000m, 'C'), 0.5)).IvAllowance);
    }

    [Fact]
    public void A_mark_price_the_mark_iv_does_not_explain_is_flagged_and_so_is_a_greek_in_other_units()
    {
        var instrument = BookBuilder.Create("BTC", Expiry, 110_000m, 'C');
        var quote = ExchangeQuote(instrument, 0.55);

        // The price of a 60 % vol with a 55 % mark IV: 5 vol points apart.
        var rich = quote;
        rich.Values[(int)QuoteField.MarkPrice] = Black76.Price(Forward, 110_000, Years(instrument), 0.60, OptionType.Call);
        var model = OptionModel.Of(instrument, rich);
        Assert.Equal(0.05, model.IvDiff, 4);
        Assert.True(model.Divergent);

        // Vega per 1.00 of vol instead of per vol point: 100 times the model's.
        var otherUnits = quote;
        otherUnits.Values[(int)QuoteField.Vega] = quote.Vega * 100;
        model = OptionModel.Of(instrument, otherUnits);
        Assert.Equal(false, OptionModel.BeyondIv(model.IvDiff));
        Assert.Equal(true, OptionModel.BeyondRelative(model.VegaDiff, otherUnits.Vega));
        Assert.True(model.Divergent);

        // A delta 0.02 off (beyond 0.01); one 0.005 off is within.
        var skewed = quote;
        skewed.Values[(int)QuoteField.Delta] = quote.Delta + 0.02;
        Assert.True(OptionModel.Of(instrument, skewed).Divergent);
        skewed.Values[(int)QuoteField.Delta] = quote.Delta + 0.005;
        Assert.False(OptionModel.Of(instrument, skewed).Divergent);
    }

    [Fact]
    public void Missing_inputs_give_missing_figures_never_zero()
    {
        var instrument = BookBuilder.Create("BTC", Expiry, 100_000m, 'C');
        var quote = ExchangeQuote(instrument, 0.5);

        // No forward: nothing can be formed.
        var noForward = quote;
        noForward.Values[(int)QuoteField.UnderlyingPrice] = double.NaN;
        var model = OptionModel.Of(instrument, noForward);
        Assert.All(new[] { model.Iv, model.Delta, model.Gamma, model.Vega, model.Theta, model.IvDiff, model.DeltaDiff }, v => Assert.True(double.IsNaN(v)));
        Assert.Null(model.Divergent);

        // No mark IV (Bybit's 0): the IV from the price stands, the Greeks at the mark IV and the IV's difference do not.
        var noIv = quote;
        noIv.Values[(int)QuoteField.MarkIv] = 0;
        model = OptionModel.Of(instrument, noIv);
        Assert.Equal(0.5, model.Iv, 6);
        Assert.True(double.IsNaN(model.IvDiff) && double.IsNaN(model.Delta) && double.IsNaN(model.GammaDiff));
        Assert.Null(model.Divergent);

        // A price below intrinsic has no IV; the Greeks are still compared.
        var itm = BookBuilder.Create("BTC", Expiry, 90_000m, 'C');
        var belowIntrinsic = ExchangeQuote(itm, 0.5);
        belowIntrinsic.Values[(int)QuoteField.MarkPrice] = Forward - 90_000 - 1;
        model = OptionModel.Of(itm, belowIntrinsic);
        Assert.True(double.IsNaN(model.Iv) && double.IsNaN(model.IvDiff));
        Assert.False(model.Divergent);

        // Quoted after delivery (T ≤ 0) and never quoted: missing.
        var late = quote;
        late.ExchangeTimeMs = instrument.ExpiryUtc.AddMinutes(1).ToUnixTimeMilliseconds();
        Assert.Null(OptionModel.Of(instrument, late).Divergent);
        Assert.Equal(ModelCheck.Missing, OptionModel.Of(instrument, OptionQuote.Empty));
    }

    [Fact]
    public void The_solver_from_a_guess_finds_the_bracketed_solvers_root()
    {
        foreach (var strike in new[] { 50_000.0, 90_000, 100_000, 101_234.5, 130_000, 250_000 })
        {
            foreach (var type in new[] { OptionType.Call, OptionType.Put })
            {
                foreach (var (years, vol) in new[] { (1.0 / 365, 0.9), (30.0 / 365, 0.45), (1.5, 0.65) })
                {
                    var price = Black76.Price(Forward, strike, years, vol, type);
                    // A time value below a price's last published decimal (1e-8), or within the bracketed solver's price
                    // tolerance (1e-10 of the price), does not identify the vol: any small vol prices it to within rounding.
                    var intrinsic = type == OptionType.Call ? Math.Max(Forward - strike, 0) : Math.Max(strike - Forward, 0);
                    if (price - intrinsic < Math.Max(1e-8, 1e-6 * price))
                        continue;
                    var bracketed = Black76.ImpliedVol(price, Forward, strike, years, type);
                    // A guess a few rounding steps off, as the exchange's 4-decimal mark IV is, and one far off.
                    foreach (var guess in new[] { Math.Round(vol, 2) + 0.0001, vol * 3, double.NaN })
                    {
                        var fromGuess = Black76.ImpliedVol(price, Forward, strike, years, type, guess);
                        if (double.IsNaN(bracketed))
                            Assert.True(double.IsNaN(fromGuess), $"{strike} {type} {years} {guess}");
                        else
                            Assert.True(Math.Abs(fromGuess - bracketed) < 1e-8, $"{strike} {type} {years} {guess}: {fromGuess} vs {bracketed}");
                    }
                }
            }
        }
    }
}
