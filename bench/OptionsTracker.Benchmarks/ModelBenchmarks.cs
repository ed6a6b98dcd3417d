using System.Globalization;
using BenchmarkDotNet.Attributes;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Measures;

namespace OptionsTracker.Benchmarks;

/// <summary>
/// The on-request analytics of the model and the surface over a 4,000-option board (10 expiries × 200 strikes × call and
/// put, quoted with a Black-76 smile): <see cref="ModelOfEveryOption"/> is what a list answer with <c>fields=model_*</c>
/// adds (an IV solve and the Greeks per option), <see cref="SurfaceOfSnapshot"/> what the first read of a snapshot's
/// surface costs (the snapshot's per-expiry figures built beforehand, as <see cref="CoinAnalytics"/> has them).
/// </summary>
[MemoryDiagnoser]
public class ModelBenchmarks
{
    private OptionSlot[] _slots = [];
    private ExpiryFigures[] _figures = [];

    [GlobalSetup]
    public void Setup()
    {
        var now = TimeProvider.System.GetUtcNow();
        var book = new OptionBook(TimeProvider.System);
        const double spot = 100_000;
        var instruments = new List<OptionInstrument>();
        for (var e = 0; e < 10; e++)
        {
            var expiry = DateOnly.FromDateTime(now.UtcDateTime).AddDays(1 + (e * e * 4));
            var delivery = new DateTimeOffset(expiry.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);
            for (var s = 0; s < 200; s++)
            {
                var strike = 40_000 + (s * 500);
                foreach (var type in "CP")
                {
                    var symbol = string.Create(CultureInfo.InvariantCulture, $"BTC-{expiry.ToString("dMMMyy", CultureInfo.InvariantCulture).ToUpperInvariant()}-{strike}-{type}-USDT");
                    if (!BybitSymbol.TryCreateInstrument(symbol, delivery, "Trading", out var instrument))
                        throw new InvalidOperationException(symbol);
                    instruments.Add(instrument!);
                }
            }
        }
        book.AddInstruments(instruments);
        var nowMs = now.ToUnixTimeMilliseconds();
        foreach (var slot in book.Index.All)
        {
            var i = slot.Instrument;
            var years = (i.ExpiryUtc - now).TotalDays / 365;
            var k = Math.Log(i.StrikeValue / spot);
            var iv = Math.Round(0.5 - (0.1 * k) + (0.4 * k * k), 4);
            var greeks = Black76.Greeks(spot, i.StrikeValue, years, iv, i.Type);
            var update = new QuoteUpdate { ExchangeTimeMs = nowMs };
            update.Set(QuoteField.MarkPrice, Math.Round(Black76.Price(spot, i.StrikeValue, years, iv, i.Type), 8));
            update.Set(QuoteField.MarkIv, iv);
            update.Set(QuoteField.UnderlyingPrice, spot);
            update.Set(QuoteField.IndexPrice, spot);
            update.Set(QuoteField.Delta, Math.Round(greeks.Delta, 8));
            update.Set(QuoteField.Gamma, Math.Round(greeks.Gamma, 8));
            update.Set(QuoteField.Vega, Math.Round(greeks.Vega, 8));
            update.Set(QuoteField.Theta, Math.Round(greeks.Theta, 8));
            book.Apply(slot, update);
        }
        _slots = [.. book.Index.All];
        var coin = book.Index.TryGetCoin("BTC", out var btc) ? btc : throw new InvalidOperationException("no BTC");
        _figures = TermStructure.ForCoin(coin, now);
        Console.WriteLine($"// {_slots.Length} options, {_figures.Length} expiries; first model: {OptionModel.Of(_slots[0].Instrument, _slots[0].ReadQuote())}");
    }

    [Benchmark]
    public int ModelOfEveryOption()
    {
        var divergent = 0;
        foreach (var slot in _slots)
        {
            if (OptionModel.Of(slot.Instrument, slot.ReadQuote()).Divergent == true)
                divergent++;
        }
        return divergent;
    }

    [Benchmark]
    public Surface SurfaceOfSnapshot() => Surface.From(_figures);
}
