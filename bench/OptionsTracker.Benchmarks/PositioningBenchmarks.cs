using BenchmarkDotNet.Attributes;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Benchmarks;

/// <summary>
/// Positioning by strike over a 4,000-option board (12 expiries from a day to a year, 167 strikes each, calls and puts,
/// every option quoted with a smile, Black-76 gamma and open interest): the all-expiries figures the snapshot computes
/// (per-strike OI, volume and GEX, max pain, total GEX, the gamma flip), one expiry's on request, and the flip's worst
/// case (no sign change: every one of the 121 grid points is evaluated). One operation = one computation.
/// </summary>
[MemoryDiagnoser]
public class PositioningBenchmarks
{
    private const double Index = 100_000;
    private CoinIndex _coin = null!;
    private CoinIndex _callsOnly = null!;
    private ExpiryFigures[] _expiries = [];
    private ExpiryFigures[] _callsOnlyExpiries = [];
    private DateTimeOffset _now;

    [GlobalSetup]
    public void Setup()
    {
        _now = new DateTimeOffset(2030, 1, 1, 8, 0, 0, TimeSpan.Zero);
        (_coin, _expiries) = Board(putOpenInterest: true);
        (_callsOnly, _callsOnlyExpiries) = Board(putOpenInterest: false);
        var figures = Positioning.ForCoin(_coin, _expiries, Index, _now);
        var worst = Positioning.ForCoin(_callsOnly, _callsOnlyExpiries, Index, _now);
        Console.WriteLine($"// {_coin.Slots.Count} options, {figures.Strikes.Count} strikes; total GEX {figures.TotalGex:0}, flip {figures.GexFlip:0}, max pain {figures.MaxPain}; calls-only flip {worst.GexFlip}");
        // On a shared machine wall-clock means swing with the other processes; CPU time per operation does much less.
        Console.WriteLine($"// CPU time per operation: all expiries {CpuMicroseconds(AllExpiries):0} µs, no flip {CpuMicroseconds(AllExpiries_NoFlip_EveryGridPoint):0} µs, "
            + $"one expiry {CpuMicroseconds(OneExpiry):0} µs, whole snapshot {CpuMicroseconds(WholeSnapshot):0} µs");
    }

    private static double CpuMicroseconds<T>(Func<T> operation)
    {
        const int Runs = 300;
        for (var i = 0; i < 20; i++)
            operation();
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        for (var i = 0; i < Runs; i++)
            operation();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalMicroseconds / Runs;
    }

    [Benchmark(Baseline = true)]
    public Positioning AllExpiries() => Positioning.ForCoin(_coin, _expiries, Index, _now);

    [Benchmark]
    public Positioning AllExpiries_NoFlip_EveryGridPoint() => Positioning.ForCoin(_callsOnly, _callsOnlyExpiries, Index, _now);

    [Benchmark]
    public Positioning OneExpiry() => Positioning.ForExpiry(_expiries[4], Index, _now);

    [Benchmark]
    public CoinAnalytics WholeSnapshot() => CoinAnalytics.Build(_coin, 0, _now, new RealisedVolatility());

    private (CoinIndex Coin, ExpiryFigures[] Expiries) Board(bool putOpenInterest)
    {
        var book = new OptionBook(TimeProvider.System);
        var random = new Random(15);
        int[] days = [1, 2, 7, 14, 21, 30, 60, 90, 120, 180, 270, 365];
        var instruments = new List<OptionInstrument>();
        foreach (var d in days)
        {
            var expiry = _now.AddDays(d);
            for (var i = 0; i < 167; i++)
            {
                var strike = 50_000m + (i * 600m);
                foreach (var type in new[] { OptionType.Call, OptionType.Put })
                {
                    var symbol = $"BTC-{expiry:dMMMyy}-{strike}-{(type == OptionType.Call ? 'C' : 'P')}".ToUpperInvariant();
                    instruments.Add(new OptionInstrument(Venue.Bybit, symbol, "BTC", expiry, strike, type));
                }
            }
        }
        book.AddInstruments(instruments);
        var time = _now.ToUnixTimeMilliseconds();
        foreach (var slot in book.Index.All)
        {
            var instrument = slot.Instrument;
            var years = (instrument.ExpiryUtc - _now).TotalDays / 365;
            var forward = Index * (1 + (0.05 * years));
            var k = Math.Log(instrument.StrikeValue / forward);
            var iv = 0.5 + (0.4 * k * k) - (0.05 * k);
            var greeks = Black76.Greeks(forward, instrument.StrikeValue, years, iv, instrument.Type);
            var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = time };
            update.Set(QuoteField.MarkIv, iv);
            update.Set(QuoteField.Gamma, greeks.Gamma);
            update.Set(QuoteField.Delta, greeks.Delta);
            update.Set(QuoteField.UnderlyingPrice, forward);
            update.Set(QuoteField.IndexPrice, Index);
            update.Set(QuoteField.Volume24h, random.Next(0, 50));
            // As on a real board: puts held mostly below the money, calls above, so total GEX changes sign near the index.
            var isPut = instrument.Type == OptionType.Put;
            var heavy = isPut ? instrument.StrikeValue < forward : instrument.StrikeValue > forward;
            update.Set(QuoteField.OpenInterest, isPut && !putOpenInterest ? 0 : random.Next(0, heavy ? 500 : 100));
            book.Apply(slot, update);
        }
        book.Index.TryGetCoin("BTC", out var coin);
        return (coin!, TermStructure.ForCoin(coin!, _now));
    }
}
