using MathNet.Numerics.Distributions;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Strategies;

/// <summary>
/// Evaluates a strategy on its legs' current market with the tracker's own Black-76 (<see cref="Black76"/>).
/// <para>
/// The price axis is the first expiry's forward F₁ (at that expiry, its settlement price). A scenario moves every
/// expiry's forward in proportion: F_e(S) = F_e · S / F₁, so the basis between expiries is kept. A leg that has expired
/// by the scenario's date is worth its intrinsic value on its forward there; an option still alive is worth its
/// Black-76 price on the moved forward, for the time left, at its mark IV (sticky strike) or at today's smile IV of its
/// moneyness under the moved forward (sticky delta), plus the scenario's IV shift; an underlying leg is worth its
/// forward. P&amp;L = Σ signed quantity × value − the entry premium.
/// </para>
/// Pure and allocation-light: a 4-leg strategy with a 200-point curve and a 21 × 21 grid is a few thousand model
/// prices (docs/performance.md).
/// </summary>
public static class StrategyEvaluator
{
    private const double MsPerYear = 365d * 24 * 3600 * 1000;
    private const int SearchPoints = 400;

    /// <summary>Evaluates <paramref name="legs"/> (one coin, at least one leg, validated by the caller).</summary>
    public static StrategyEvaluation Evaluate(IReadOnlyList<StrategyLeg> legs, EvaluationSettings settings)
    {
        ArgumentOutOfRangeException.ThrowIfZero(legs.Count);
        var firstExpiry = legs.Min(l => l.ExpiryUtc);
        var first = legs.First(l => l.ExpiryUtc == firstExpiry);
        var forward = first.Market.Forward;
        var warnings = new List<string>();
        var touch = EntryOf(legs, EntryBasis.Touch, warnings);
        var mark = EntryOf(legs, EntryBasis.Mark, warnings: null);
        foreach (var leg in legs.Where(l => l.ExpiryUtc <= settings.Now))
            warnings.Add($"{leg.Symbol} has expired");
        var entry = settings.Entry == EntryBasis.Touch ? touch.Premium : mark.Premium;

        var model = new ValueModel(legs, forward, settings.VolModel);
        var points = settings.SpotPoints is { Count: > 0 } given ? [.. given] : DefaultAxis(legs, forward);
        var atExpiry = Curve(model, points, firstExpiry, settings.VolShift, entry);
        var now = Curve(model, points, settings.Now, settings.VolShift, entry);
        var at = settings.At is { } date ? Curve(model, points, date, settings.VolShift, entry) : null;

        var (breakevens, maxProfit, maxLoss) = ExpiryProfile(model, legs, forward, firstExpiry, entry);
        var pop = Probability(legs, settings, model, forward, firstExpiry, entry, breakevens);

        List<ScenarioGrid> grids = [Grid(model, settings, settings.Now, forward, entry)];
        if (settings.At is { } gridDate)
            grids.Add(Grid(model, settings, gridDate, forward, entry));

        return new StrategyEvaluation
        {
            Touch = touch,
            Mark = mark,
            Warnings = warnings,
            ModelGreeks = ModelGreeksOf(legs, settings.Now),
            ExchangeGreeks = ExchangeGreeksOf(legs),
            FirstExpiry = firstExpiry,
            Forward = forward,
            SpotPoints = points,
            PayoffAtExpiry = atExpiry,
            PayoffNow = now,
            PayoffAt = at,
            Breakevens = breakevens,
            MaxProfit = maxProfit,
            MaxLoss = maxLoss,
            Pop = pop,
            Grids = grids,
        };
    }

    /// <summary>The net premium on <paramref name="basis"/>; warnings name legs without a price or with too little size.</summary>
    private static StrategyEntry EntryOf(IReadOnlyList<StrategyLeg> legs, EntryBasis basis, List<string>? warnings)
    {
        var premium = 0.0;
        var complete = true;
        foreach (var leg in legs)
        {
            double price;
            if (leg.IsUnderlying)
                price = leg.Market.Forward;
            else if (basis == EntryBasis.Mark)
                price = leg.Market.Mark;
            else
            {
                var buy = leg.Side == LegSide.Buy;
                price = buy ? leg.Market.Ask : leg.Market.Bid;
                var size = buy ? leg.Market.AskSize : leg.Market.BidSize;
                if (!(price > 0))
                    warnings?.Add($"{leg.Symbol} has no {(buy ? "ask" : "bid")} to {(buy ? "buy" : "sell")} at");
                else if (size < leg.Quantity)
                    warnings?.Add($"{leg.Symbol}: {leg.Quantity:0.####} is more than the {size:0.####} quoted at the {(buy ? "ask" : "bid")}");
            }
            if (!(price >= 0) || !double.IsFinite(price))
            {
                complete = false;
                continue;
            }
            premium += leg.SignedQuantity * price;
        }
        return new StrategyEntry(premium, complete);
    }

    private static double[] DefaultAxis(IReadOnlyList<StrategyLeg> legs, double forward)
    {
        var axis = EvaluationSettings.Steps(
            forward * (1 - EvaluationSettings.DefaultCurveRange), forward * (1 + EvaluationSettings.DefaultCurveRange),
            EvaluationSettings.DefaultCurvePoints);
        // Every strike in range is a point, so the kinks of the payoff at expiry are drawn where they are.
        return [.. axis.Concat(legs.Where(l => !l.IsUnderlying && l.Strike > axis[0] && l.Strike < axis[^1]).Select(l => l.Strike))
            .Distinct().Order()];
    }

    private static double[] Curve(ValueModel model, double[] points, DateTimeOffset date, double volShift, double entry)
    {
        var curve = new double[points.Length];
        for (var i = 0; i < points.Length; i++)
            curve[i] = model.Value(points[i], date, volShift) - entry;
        return curve;
    }

    private static ScenarioGrid Grid(ValueModel model, EvaluationSettings settings, DateTimeOffset date, double forward, double entry)
    {
        var pnl = new double[settings.GridVolShifts.Count][];
        for (var v = 0; v < pnl.Length; v++)
        {
            var row = pnl[v] = new double[settings.GridSpotShifts.Count];
            for (var s = 0; s < row.Length; s++)
                row[s] = model.Value(forward * (1 + settings.GridSpotShifts[s]), date, settings.GridVolShifts[v]) - entry;
        }
        return new ScenarioGrid(date, settings.GridSpotShifts, settings.GridVolShifts, pnl);
    }

    /// <summary>
    /// Breakevens and the extremes of the P&amp;L at the first expiry. It is searched on every strike and a log-spaced grid
    /// from F₁/50 to 50·F₁ (exact for a payoff of one expiry, which is linear between strikes; within the grid's
    /// spacing otherwise), breakevens refined by bisection. Unbounded sides are read from the slope far above the
    /// strikes: each call and underlying leg then moves one for one with its forward.
    /// </summary>
    private static (double[] Breakevens, double? MaxProfit, double? MaxLoss) ExpiryProfile(
        ValueModel model, IReadOnlyList<StrategyLeg> legs, double forward, DateTimeOffset firstExpiry, double entry)
    {
        var candidates = EvaluationSettings.Steps(Math.Log(forward / 50), Math.Log(forward * 50), SearchPoints)
            .Select(Math.Exp)
            .Concat(legs.Where(l => !l.IsUnderlying).Select(l => l.Strike * forward / l.Market.Forward))
            .Append(0)
            .Distinct()
            .Order()
            .ToArray();
        double PnL(double s) => model.Value(s, firstExpiry, 0) - entry;
        var values = candidates.Select(PnL).ToArray();

        // A breakeven is where the sign changes: bisected between two points of opposite signs, or the first point of a
        // run of exact zeros between them (a flat stretch at zero is one breakeven, not one per point).
        var breakevens = new List<double>();
        var lastSigned = -1;
        var firstZero = -1;
        for (var i = 0; i < candidates.Length; i++)
        {
            if (values[i] == 0)
            {
                if (firstZero < 0)
                    firstZero = i;
                continue;
            }
            if (lastSigned >= 0 && Math.Sign(values[i]) != Math.Sign(values[lastSigned]))
                breakevens.Add(firstZero >= 0 ? candidates[firstZero] : Bisect(PnL, candidates[lastSigned], candidates[i], values[lastSigned]));
            lastSigned = i;
            firstZero = -1;
        }

        // Far above every strike: d(value)/dS = Σ signed quantity × F_e/F₁ over calls and underlying legs.
        var slope = legs.Where(l => l.IsUnderlying || l.Type == OptionType.Call).Sum(l => l.SignedQuantity * l.Market.Forward / forward);
        // Relative to the size of the position: forwards a basis point apart must not turn a flat wing into an unbounded one.
        var flat = 1e-6 * Math.Max(1, legs.Sum(l => l.Quantity));
        double? maxProfit = slope > flat ? null : values.Max();
        double? maxLoss = slope < -flat ? null : -values.Min();
        return ([.. breakevens], maxProfit, maxLoss);
    }

    private static double Bisect(Func<double, double> f, double low, double high, double fLow)
    {
        for (var i = 0; i < 100 && high - low > 1e-10 * Math.Max(1, high); i++)
        {
            var middle = (low + high) / 2;
            var fMiddle = f(middle);
            if (fMiddle == 0)
                return middle;
            if (Math.Sign(fMiddle) == Math.Sign(fLow))
                (low, fLow) = (middle, fMiddle);
            else
                high = middle;
        }
        return (low + high) / 2;
    }

    /// <summary>
    /// P(P&amp;L at the first expiry &gt; 0) with F₁ at that expiry lognormal around today's F₁ (risk-neutral, zero rate):
    /// P(a &lt; F &lt; b) = N(d₂(a)) − N(d₂(b)), d₂(x) = (ln(F₁/x) − σ²T/2) / (σ√T), summed over the intervals between
    /// breakevens where the P&amp;L is positive.
    /// </summary>
    private static ProbabilityOfProfit Probability(IReadOnlyList<StrategyLeg> legs, EvaluationSettings settings, ValueModel model,
        double forward, DateTimeOffset firstExpiry, double entry, double[] breakevens)
    {
        var (iv, source) = settings.FirstExpiryAtmIv > 0
            ? (settings.FirstExpiryAtmIv, "atm_iv")
            : (legs.Where(l => l.ExpiryUtc == firstExpiry && l.Market.MarkIv > 0).Select(l => l.Market.MarkIv).DefaultIfEmpty(double.NaN).Average(), "legs_mark_iv");
        var years = (firstExpiry - settings.Now).TotalMilliseconds / MsPerYear;
        if (!(iv > 0) || !(years > 0) || !(forward > 0))
            return new ProbabilityOfProfit(double.NaN, forward, iv, source);
        var sd = iv * Math.Sqrt(years);
        double Above(double x) => x <= 0 ? 1 : double.IsPositiveInfinity(x) ? 0 : Normal.CDF(0, 1, (Math.Log(forward / x) - sd * sd / 2) / sd);
        double[] edges = [0, .. breakevens, double.PositiveInfinity];
        var probability = 0.0;
        for (var i = 0; i + 1 < edges.Length; i++)
        {
            var (a, b) = (edges[i], edges[i + 1]);
            var probe = double.IsPositiveInfinity(b) ? Math.Max(a * 2, forward * 2) : (a + b) / 2;
            if (model.Value(probe, firstExpiry, 0) - entry > 0)
                probability += Above(a) - Above(b);
        }
        return new ProbabilityOfProfit(Math.Clamp(probability, 0, 1), forward, iv, source);
    }

    private static StrategyGreeks ModelGreeksOf(IReadOnlyList<StrategyLeg> legs, DateTimeOffset now)
    {
        double delta = 0, gamma = 0, vega = 0, theta = 0;
        foreach (var leg in legs)
        {
            if (leg.IsUnderlying)
            {
                delta += leg.SignedQuantity;
                continue;
            }
            var years = (leg.ExpiryUtc - now).TotalMilliseconds / MsPerYear;
            var greeks = Black76.Greeks(leg.Market.Forward, leg.Strike, years, leg.Market.MarkIv, leg.Type!.Value);
            delta += leg.SignedQuantity * greeks.Delta;
            gamma += leg.SignedQuantity * greeks.Gamma;
            vega += leg.SignedQuantity * greeks.Vega;
            theta += leg.SignedQuantity * greeks.Theta;
        }
        return new StrategyGreeks(delta, gamma, vega, theta);
    }

    private static StrategyGreeks ExchangeGreeksOf(IReadOnlyList<StrategyLeg> legs)
    {
        double delta = 0, gamma = 0, vega = 0, theta = 0;
        foreach (var leg in legs)
        {
            if (leg.IsUnderlying)
            {
                delta += leg.SignedQuantity;
                continue;
            }
            delta += leg.SignedQuantity * leg.Market.Delta;
            gamma += leg.SignedQuantity * leg.Market.Gamma;
            vega += leg.SignedQuantity * leg.Market.Vega;
            theta += leg.SignedQuantity * leg.Market.Theta;
        }
        return new StrategyGreeks(delta, gamma, vega, theta);
    }

    /// <summary>The strategy's value at a forward level, a date and an IV shift (see the class).</summary>
    private sealed class ValueModel(IReadOnlyList<StrategyLeg> legs, double firstForward, VolModel volModel)
    {
        public double Value(double spot, DateTimeOffset date, double volShift)
        {
            var total = 0.0;
            foreach (var leg in legs)
                total += leg.SignedQuantity * LegValue(leg, spot, date, volShift);
            return total;
        }

        private double LegValue(StrategyLeg leg, double spot, DateTimeOffset date, double volShift)
        {
            var forward = leg.Market.Forward * spot / firstForward;
            if (leg.IsUnderlying)
                return forward;
            var type = leg.Type!.Value;
            var years = (leg.ExpiryUtc - date).TotalMilliseconds / MsPerYear;
            if (years <= 0 || forward <= 0)
                return Intrinsic(type, forward, leg.Strike);
            var iv = volModel == VolModel.StickyDelta && !leg.Smile.IsEmpty
                ? leg.Smile.IvAt(Math.Log(leg.Strike / forward))
                : leg.Market.MarkIv;
            var vol = Math.Max(iv + volShift, Black76.MinVol);
            var price = Black76.Price(forward, leg.Strike, years, vol, type);
            // No IV to price with (a leg without a mark IV): its intrinsic value is the least it is worth.
            return double.IsFinite(price) ? price : Intrinsic(type, forward, leg.Strike);
        }

        private static double Intrinsic(OptionType type, double forward, double strike) =>
            type == OptionType.Call ? Math.Max(forward - strike, 0) : Math.Max(strike - Math.Max(forward, 0), 0);
    }
}
