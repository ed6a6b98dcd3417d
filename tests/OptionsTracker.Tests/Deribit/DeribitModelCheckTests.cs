using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Deribit;
using OptionsTracker.Feed;
using OptionsTracker.Measures;
using OptionsTracker.Simulator.Deribit;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Deribit;

/// <summary>
/// The tracker's own Black-76 check (<see cref="OptionModel"/>) on Deribit's inverse options, fed by the Deribit simulator
/// over real sockets. The simulator prices a coin option as Black-76's USD price on the expiry's forward ÷ that forward
/// (Deribit's IVs "use the forward, rather than the index, as the underlying"); the book serves USD at the index (Deribit's
/// display convention). The model must price the coin mark at the forward to compare like with like.
/// </summary>
public sealed class DeribitModelCheckTests
{
    /// <summary>
    /// Options whose vega (USD per vol point) is at least this are compared: the simulator rounds a coin mark to 1e-8 BTC
    /// (under 0.001 USD) and its mark IV to 0.01 %, so from a vega of 0.1 USD the rounding moves the solved IV by under 0.01
    /// vol point. Below it a far wing's mark is a few satoshis and its IV is not a price anyone could check.
    /// </summary>
    private const double MinVega = 0.1;

    /// <summary>
    /// The tolerance: the model's own divergence limit (<see cref="OptionModel.IvTolerance"/>, 0.5 vol point). The simulator
    /// shifts Deribit's marks from the shared market by a per-option IV offset through vega (first order), whose second-order
    /// error and the roundings above stay far inside it; the index-converted price misses it by the basis F/S.
    /// </summary>
    private const double Tolerance = OptionModel.IvTolerance;

    [Fact]
    public async Task Model_IV_of_inverse_options_matches_the_mark_IV()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var simulator = await DeribitSimulator.StartAsync(new DeribitSimulatorOptions
        {
            BaseCoins = ["BTC", "ETH"],
            TargetInstrumentCount = 80,
        }, cancellationToken);
        await using var app = await DeribitFixtures.StartDeribitOnlyAsync(simulator);
        var venue = app.Services.GetRequiredService<DeribitVenue>();
        var names = simulator.GetInstruments().Select(i => i.InstrumentName).ToList();
        // Every option quoted by a pushed ticker (the book summary carries no Greeks, so no vega to choose by).
        await Eventually.Until(() => names.All(n => app.Book.Index.TryGetSlot(DeribitVenue.Id, n, out var slot)
                && slot.ReadQuote() is { HasData: true } q && !double.IsNaN(q.Vega))
            && venue.GetStatus().Connections is { Count: > 0 } connections && connections.All(c => c.State == ShardState.Live),
            "every Deribit option quoted by its ticker", 120);

        var compared = 0;
        var worst = 0.0;
        var worstAtIndex = 0.0;
        var basis = new List<double>();
        foreach (var slot in app.Book.Index.All.Where(s => s.Instrument.Venue == DeribitVenue.Id))
        {
            var quote = slot.ReadQuote();
            Assert.True(slot.Instrument.IsCoinPriced, $"{slot.Instrument.Symbol} is an inverse option");
            if (!(quote.Vega >= MinVega) || !(quote.MarkIv > 0) || !(quote.MarkPrice > 0))
                continue;
            var check = OptionModel.Of(slot.Instrument, quote);
            Assert.True(Math.Abs(check.IvDiff) <= Tolerance,
                $"{slot.Instrument.Symbol}: model IV {check.Iv:F5} vs mark IV {quote.MarkIv:F5} (forward {quote.UnderlyingPrice}, index {quote.IndexPrice})");
            Assert.False(OptionModel.BeyondIv(check.IvDiff));
            worst = Math.Max(worst, Math.Abs(check.IvDiff));
            basis.Add(quote.UnderlyingPrice / quote.IndexPrice);
            // What the check said before: the book's USD (coin × index) priced on the forward.
            var years = (slot.Instrument.ExpiryUtc.ToUnixTimeMilliseconds() - quote.ExchangeTimeMs) / (365.0 * 24 * 60 * 60 * 1000);
            var atIndex = Black76.ImpliedVol(quote.MarkPrice, quote.UnderlyingPrice, slot.Instrument.StrikeValue, years, slot.Instrument.Type);
            if (double.IsFinite(atIndex))
                worstAtIndex = Math.Max(worstAtIndex, Math.Abs(atIndex - quote.MarkIv));
            compared++;
        }
        Assert.True(compared >= names.Count / 2, $"compared {compared} of {names.Count}");
        Console.WriteLine($"{compared} of {names.Count} inverse options compared; F/S from {basis.Min():F5} to {basis.Max():F5}; " +
            $"largest |model IV - mark IV|: {worst * 100:F4} vol points at the forward, {worstAtIndex * 100:F3} at the index");
    }
}
