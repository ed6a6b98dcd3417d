using BenchmarkDotNet.Attributes;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Strategies;

namespace OptionsTracker.Benchmarks;

/// <summary>
/// The strategy builder's server work per evaluation (issue 18: a 4-leg strategy, a 200-point payoff curve and a
/// 21 × 21 grid in under 2 ms): <see cref="StrategyEvaluator.Evaluate"/> on legs already resolved from the board, which
/// is what <c>POST /api/strategy/evaluate</c> spends besides reading four quotes and writing the JSON. Three shapes: an
/// iron condor (one expiry: every curve point at expiry is intrinsic), a double calendar (two expiries: the far legs are
/// Black-76 prices at every point of every curve) under sticky strike, and the same under sticky delta (each price also
/// reads its IV off the expiry's smile). The legs are quoted as the tests quote them: marks at Black-76 on a smile,
/// the touch one percent either side.
/// </summary>
[MemoryDiagnoser]
public class StrategyBenchmarks
{
    private const double Forward = 100_000;
    private StrategyLeg[] _ironCondor = [];
    private StrategyLeg[] _doubleCalendar = [];
    private StrategyLeg[] _doubleCalendarStickyDelta = [];
    private EvaluationSettings _settings = null!;
    private EvaluationSettings _stickyDelta = null!;

    [GlobalSetup]
    public void Setup()
    {
        var now = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        var near = new DateTimeOffset(2026, 12, 25, 8, 0, 0, TimeSpan.Zero);
        var far = new DateTimeOffset(2027, 3, 26, 8, 0, 0, TimeSpan.Zero);
        _settings = new EvaluationSettings { Now = now, FirstExpiryAtmIv = 0.5 };
        _stickyDelta = _settings with { VolModel = VolModel.StickyDelta };
        _ironCondor =
        [
            Leg(now, near, LegSide.Buy, 90_000, OptionType.Put),
            Leg(now, near, LegSide.Sell, 95_000, OptionType.Put),
            Leg(now, near, LegSide.Sell, 105_000, OptionType.Call),
            Leg(now, near, LegSide.Buy, 110_000, OptionType.Call),
        ];
        _doubleCalendar =
        [
            Leg(now, near, LegSide.Sell, 95_000, OptionType.Put),
            Leg(now, far, LegSide.Buy, 95_000, OptionType.Put),
            Leg(now, near, LegSide.Sell, 105_000, OptionType.Call),
            Leg(now, far, LegSide.Buy, 105_000, OptionType.Call),
        ];
        _doubleCalendarStickyDelta = [.. _doubleCalendar.Select(l => l with { Smile = SmileOf(now, l.ExpiryUtc) })];
        var check = StrategyEvaluator.Evaluate(_doubleCalendar, _settings);
        Console.WriteLine($"// double calendar: {check.SpotPoints.Count} curve points, grid {check.Grids[0].VolShifts.Count} × {check.Grids[0].SpotShifts.Count}, "
            + $"touch premium {check.Touch.Premium:F2}, max loss {check.MaxLoss?.ToString("F2") ?? "unbounded"}");
        // CPU time per evaluation beside BenchmarkDotNet's wall-clock: on a shared, loaded machine the wall clock counts the
        // time other processes held the core, the process's CPU time only ours (docs/performance.md, "Strategy builder").
        CpuPerEvaluation("iron condor", _ironCondor, _settings);
        CpuPerEvaluation("double calendar", _doubleCalendar, _settings);
        CpuPerEvaluation("double calendar, sticky delta", _doubleCalendarStickyDelta, _stickyDelta);
    }

    private static void CpuPerEvaluation(string name, StrategyLeg[] legs, EvaluationSettings settings)
    {
        const int Evaluations = 500;
        StrategyEvaluator.Evaluate(legs, settings);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = TimeProvider.System.GetTimestamp();
        for (var i = 0; i < Evaluations; i++)
            StrategyEvaluator.Evaluate(legs, settings);
        var elapsed = TimeProvider.System.GetElapsedTime(wall);
        process.Refresh();
        var used = process.TotalProcessorTime - cpu;
        Console.WriteLine($"// {name}: {used.TotalMicroseconds / Evaluations:F0} CPU µs per evaluation, {elapsed.TotalMicroseconds / Evaluations:F0} wall µs "
            + $"({Evaluations} evaluations, {used.TotalMilliseconds / elapsed.TotalMilliseconds:F2} of a core)");
    }

    /// <summary>The smile the legs are quoted on: IV by log-moneyness.</summary>
    private static double IvAt(double strike) => 0.5 - (0.1 * Math.Log(strike / Forward)) + (0.4 * Math.Pow(Math.Log(strike / Forward), 2));

    private static ExpirySmile SmileOf(DateTimeOffset now, DateTimeOffset expiry) =>
        ExpirySmile.Of(Forward, Enumerable.Range(0, 41).Select(i => 60_000 + (i * 2_000.0)).Select(k => (k, IvAt(k))));

    private static StrategyLeg Leg(DateTimeOffset now, DateTimeOffset expiry, LegSide side, double strike, OptionType type)
    {
        var years = (expiry - now).TotalDays / 365;
        var iv = IvAt(strike);
        var mark = Black76.Price(Forward, strike, years, iv, type);
        var greeks = Black76.Greeks(Forward, strike, years, iv, type);
        return new StrategyLeg
        {
            Symbol = $"BTC-{expiry:ddMMMyy}-{strike}-{(type == OptionType.Call ? 'C' : 'P')}-USDT".ToUpperInvariant(),
            Side = side,
            Quantity = 1,
            ExpiryUtc = expiry,
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
                Forward = Forward,
                Delta = greeks.Delta,
                Gamma = greeks.Gamma,
                Vega = greeks.Vega,
                Theta = greeks.Theta,
            },
        };
    }

    [Benchmark(Baseline = true)]
    public StrategyEvaluation IronCondor() => StrategyEvaluator.Evaluate(_ironCondor, _settings);

    [Benchmark]
    public StrategyEvaluation DoubleCalendar() => StrategyEvaluator.Evaluate(_doubleCalendar, _settings);

    [Benchmark]
    public StrategyEvaluation DoubleCalendarStickyDelta() => StrategyEvaluator.Evaluate(_doubleCalendarStickyDelta, _stickyDelta);
}
