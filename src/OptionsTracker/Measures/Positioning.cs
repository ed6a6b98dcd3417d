using System.Buffers;
using System.Runtime.Intrinsics;
using OptionsTracker.Book;

namespace OptionsTracker.Measures;

/// <summary>
/// Positioning by strike (docs/analytics.md "Positioning by strike"): open interest, 24 h volume and gamma exposure per
/// strike of one expiry or of all a coin's expiries, their max pain and put/call totals, the total gamma exposure and
/// the gamma flip. GEX is in USD per 1 % move of the underlying, signed as "dealers long calls, short puts": calls +,
/// puts −. Immutable; the all-expiries figures are part of each <see cref="CoinAnalytics"/> snapshot, one expiry's are
/// computed on request (<see cref="ForExpiry"/>), both from the snapshot's forwards, index and time.
/// </summary>
public sealed class Positioning
{
    /// <summary>The flip is looked for within this fraction of the index either side (0.30 = ±30 %).</summary>
    public const double FlipRange = 0.30;

    /// <summary>The grid step of the flip search, as a fraction of the index (0.005 = 0.5 %).</summary>
    public const double FlipStep = 0.005;

    /// <summary>Grid points either side of the index: ±30 % in 0.5 % steps.</summary>
    public const int FlipSteps = 60;

    /// <summary>GEX is per 1 % move: gamma · OI · F² is per 100 %, so times 0.01.</summary>
    private const double OnePercent = 0.01;

    /// <summary>Beyond |z| = 8.5 (d1 beyond 12), φ(d1) is below e^−72 of its peak.</summary>
    private const double Negligible = 8.5;

    private static readonly double InverseSqrt2Pi = 1 / Math.Sqrt(2 * Math.PI);

    // The grid's log-moneyness ln(S / index) and S / index, computed once: the search reads them, never logs them.
    private static readonly double[] GridLog = [.. Enumerable.Range(-FlipSteps, 2 * FlipSteps + 1).Select(j => Math.Log(1 + (j * FlipStep)))];
    private static readonly double[] GridScale = [.. Enumerable.Range(-FlipSteps, 2 * FlipSteps + 1).Select(j => 1 + (j * FlipStep))];

    private Positioning(ExpiryIndex? expiry, StrikePosition[] strikes, decimal? maxPain, double totalGex, double gexFlip, double indexPrice, PutCallTotals putCall)
    {
        Expiry = expiry;
        Strikes = strikes;
        MaxPain = maxPain;
        TotalGex = totalGex;
        GexFlip = gexFlip;
        IndexPrice = indexPrice;
        PutCall = putCall;
    }

    /// <summary>The one expiry these figures are of; null for all the coin's expiries.</summary>
    public ExpiryIndex? Expiry { get; }

    /// <summary>One item per listed strike of the selection, ascending.</summary>
    public IReadOnlyList<StrikePosition> Strikes { get; }

    /// <summary>
    /// The listed strike minimising Σ call OI · max(K* − K, 0) + Σ put OI · max(K − K*, 0) (the lower on a tie): for one
    /// expiry <see cref="MarketMeasures.MaxPain"/> (the snapshot's), for all expiries the same sum over every expiry's
    /// open interest and every listed strike of the coin. Null without open interest.
    /// </summary>
    public decimal? MaxPain { get; }

    /// <summary>Σ net GEX over the strikes (USD per 1 % move); NaN when no option has gamma, OI and a forward.</summary>
    public double TotalGex { get; }

    /// <summary>
    /// The hypothetical index level nearest the index at which total GEX (Black-76 gamma at mark IV, sticky strike)
    /// changes sign, linearly interpolated between the grid points around it; NaN when it does not change sign within
    /// ±<see cref="FlipRange"/> of the index.
    /// </summary>
    public double GexFlip { get; }

    /// <summary>The index the flip was searched around (the snapshot's).</summary>
    public double IndexPrice { get; }

    /// <summary>Calls' and puts' OI and 24 h volume over the selection: the put/call ratios.</summary>
    public PutCallTotals PutCall { get; }

    /// <summary>All the coin's expiries, with their forwards from <paramref name="expiries"/> (the snapshot's, chronological).</summary>
    public static Positioning ForCoin(CoinIndex coin, IReadOnlyList<ExpiryFigures> expiries, double indexPrice, DateTimeOffset now) =>
        Build(null, expiries, coin.Slots.Count, null, indexPrice, now);

    /// <summary>One expiry, with its max pain and forward from <paramref name="expiry"/> (the snapshot's).</summary>
    public static Positioning ForExpiry(ExpiryFigures expiry, double indexPrice, DateTimeOffset now) =>
        Build(expiry.Expiry, [expiry], expiry.Expiry.Slots.Count, expiry.MaxPain, indexPrice, now);

    /// <summary>
    /// The snapshot's positioning of all expiries (<paramref name="expiry"/> null), or of one expiry computed now from the
    /// snapshot's forward, index and time; null when the coin lists no such expiry.
    /// </summary>
    public static Positioning? Of(CoinAnalytics figures, DateOnly? expiry)
    {
        if (expiry is not { } date)
            return figures.Positioning;
        foreach (var each in figures.Expiries)
        {
            if (each.Expiry.Date == date)
                return ForExpiry(each, figures.IndexPrice, figures.At);
        }
        return null;
    }

    private static Positioning Build(ExpiryIndex? one, IReadOnlyList<ExpiryFigures> selection, int count, decimal? maxPainOfOne, double indexPrice, DateTimeOffset now)
    {
        // The listed strikes of the selection, ascending and distinct: each expiry's slots run by strike, so a merge of
        // each into the union so far (linear; a sort of every slot cost more than the rest of the pass).
        var keys = ArrayPool<double>.Shared.Rent(Math.Max(count, 1));
        var listed = ArrayPool<decimal>.Shared.Rent(Math.Max(count, 1));
        var spareKeys = ArrayPool<double>.Shared.Rent(Math.Max(count, 1));
        var spareListed = ArrayPool<decimal>.Shared.Rent(Math.Max(count, 1));
        var m = 0;
        var n = 0;
        foreach (var expiry in selection)
        {
            var slots = expiry.Expiry.Slots;
            n += slots.Count;
            int i = 0, j = 0, merged = 0;
            while (i < m || j < slots.Count)
            {
                double next;
                decimal nextListed;
                if (j >= slots.Count || (i < m && keys[i] <= slots[j].Instrument.StrikeValue))
                    (next, nextListed) = (keys[i], listed[i++]);
                else
                    (next, nextListed) = (slots[j].Instrument.StrikeValue, slots[j++].Instrument.Strike);
                if (merged == 0 || spareKeys[merged - 1] != next)
                    (spareKeys[merged], spareListed[merged++]) = (next, nextListed);
            }
            (keys, spareKeys, listed, spareListed, m) = (spareKeys, keys, spareListed, listed, merged);
        }
        ArrayPool<double>.Shared.Return(spareKeys);
        ArrayPool<decimal>.Shared.Return(spareListed);

        var rows = new Row[m];
        rows.AsSpan().Fill(Row.Missing);
        var putCall = new PutCallTotals();
        // The flip's inputs, one entry per option that takes part (structure of arrays, so the grid loop vectorises).
        var pool = ArrayPool<double>.Shared.Rent(3 * Math.Max(n, 1));
        var a = pool.AsSpan(0, n);
        var c = pool.AsSpan(n, n);
        var w = pool.AsSpan(2 * n, n);
        var k = 0;
        var hasIndex = double.IsFinite(indexPrice) && indexPrice > 0;
        try
        {
            foreach (var expiry in selection)
            {
                var forward = expiry.Forward;
                var hasForward = double.IsFinite(forward) && forward > 0;
                var years = (expiry.Expiry.ExpiryUtc - now).TotalDays / MarketMeasures.DaysPerYear;
                foreach (var slot in expiry.Expiry.Slots)
                {
                    var instrument = slot.Instrument;
                    var quote = slot.ReadQuote();
                    var oi = quote.OpenInterest;
                    var isCall = instrument.Type == OptionType.Call;
                    putCall.Add(instrument.Type, oi, quote.Volume24h);
                    ref var row = ref rows[Array.BinarySearch(keys, 0, m, instrument.StrikeValue)];
                    if (isCall)
                    {
                        Add(ref row.CallOi, oi);
                        Add(ref row.CallVolume, quote.Volume24h);
                    }
                    else
                    {
                        Add(ref row.PutOi, oi);
                        Add(ref row.PutVolume, quote.Volume24h);
                    }
                    if (!double.IsFinite(oi) || !hasForward)
                        continue;
                    var sign = isCall ? 1.0 : -1.0;
                    var gamma = quote.Gamma;
                    if (double.IsFinite(gamma))
                    {
                        var gex = sign * gamma * oi * forward * forward * OnePercent;
                        if (isCall)
                            Add(ref row.CallGex, gex);
                        else
                            Add(ref row.PutGex, gex);
                    }
                    var iv = quote.MarkIv;
                    // Options without open interest add nothing to any grid point: left out of the search.
                    if (!hasIndex || !(oi > 0) || !(years > 0) || !(double.IsFinite(iv) && iv > 0))
                        continue;
                    // At a hypothetical index S, with x = ln(S / index) and the forward F·S/index (sticky strike):
                    // d1 = (ln(F/K) + σ²T/2 + x) / (σ√T), gamma = φ(d1) / (F·S/index · σ√T), and its GEX
                    // sign · OI · 0.01 · (F·S/index)² · gamma = S/index · sign · OI · 0.01 · F / (σ√T) · φ(d1).
                    // So per option a = (ln(F/K) + σ²T/2) / (σ√T·√2), c = 1 / (σ√T·√2), weight w as below, and
                    // per grid point z = a + c·x and w · exp(−z²): one fused multiply-add, a multiply and an exp.
                    var volSqrtT = iv * Math.Sqrt(years);
                    var scale = 1 / (volSqrtT * Math.Sqrt(2));
                    var centre = (Math.Log(forward / instrument.StrikeValue) + (0.5 * volSqrtT * volSqrtT)) * scale;
                    // z is linear in x: an option whose |z| stays above Negligible over the whole grid weighs at most
                    // e^−72 ≈ 5e−32 of its peak there, nothing to double precision: leave it out of the search.
                    var zLow = centre + (scale * GridLog[0]);
                    var zHigh = centre + (scale * GridLog[^1]);
                    if ((zLow > Negligible && zHigh > Negligible) || (zLow < -Negligible && zHigh < -Negligible))
                        continue;
                    a[k] = centre;
                    c[k] = scale;
                    w[k++] = sign * oi * OnePercent * forward / volSqrtT * InverseSqrt2Pi;
                }
            }
            var flip = k > 0 ? Flip(a[..k], c[..k], w[..k], indexPrice) : double.NaN;

            var strikes = new StrikePosition[m];
            var total = double.NaN;
            for (var i = 0; i < m; i++)
            {
                ref var row = ref rows[i];
                var net = Sum(row.CallGex, row.PutGex);
                total = Sum(total, net);
                strikes[i] = new StrikePosition(listed[i], row.CallOi, row.PutOi, row.CallVolume, row.PutVolume, row.CallGex, row.PutGex, net);
            }
            var maxPain = one is null ? MaxPainOverStrikes(keys.AsSpan(0, m), listed, rows) : maxPainOfOne;
            return new Positioning(one, strikes, maxPain, total, flip, indexPrice, putCall);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(pool);
            ArrayPool<double>.Shared.Return(keys);
            ArrayPool<decimal>.Shared.Return(listed);
        }
    }

    /// <summary>
    /// The gamma flip: walks the grid outwards from the index, both ways at once, and stops at the first step where
    /// either side's total GEX changes sign; the crossing nearer the index wins (the lower on a tie).
    /// </summary>
    private static double Flip(ReadOnlySpan<double> a, ReadOnlySpan<double> c, ReadOnlySpan<double> w, double indexPrice)
    {
        var atIndex = TotalAt(a, c, w, FlipSteps);
        if (atIndex == 0)
            return indexPrice;
        double below = atIndex, above = atIndex;
        for (var step = 1; step <= FlipSteps; step++)
        {
            var nextBelow = TotalAt(a, c, w, FlipSteps - step);
            var nextAbove = TotalAt(a, c, w, FlipSteps + step);
            var down = Crossing(below, nextBelow, FlipSteps - step + 1, FlipSteps - step);
            var up = Crossing(above, nextAbove, FlipSteps + step - 1, FlipSteps + step);
            if (!double.IsNaN(down) || !double.IsNaN(up))
            {
                // In units of the index: the distance to 1 decides.
                var flip = double.IsNaN(up) || (!double.IsNaN(down) && 1 - down <= up - 1) ? down : up;
                return flip * indexPrice;
            }
            (below, above) = (nextBelow, nextAbove);
        }
        return double.NaN;
    }

    /// <summary>Where the total GEX between grid points <paramref name="from"/> and <paramref name="to"/> crosses zero, as S / index; NaN when it does not.</summary>
    private static double Crossing(double before, double after, int from, int to)
    {
        if (after != 0 && Math.Sign(before) == Math.Sign(after))
            return double.NaN;
        var (s0, s1) = (GridScale[from], GridScale[to]);
        return s0 + ((s1 - s0) * before / (before - after));
    }

    /// <summary>
    /// Total GEX at grid point <paramref name="point"/>, in USD per 1 % move. The hot loop of the positioning:
    /// vectorised (512-bit where the processor has it), allocation-free, one exp per option.
    /// </summary>
    private static double TotalAt(ReadOnlySpan<double> a, ReadOnlySpan<double> c, ReadOnlySpan<double> w, int point)
    {
        var x = GridLog[point];
        var sum = 0.0;
        var i = 0;
        if (Vector512.IsHardwareAccelerated && a.Length >= Vector512<double>.Count)
        {
            var vx = Vector512.Create(x);
            var limit = Vector512.Create(Negligible * Negligible);
            var acc = Vector512<double>.Zero;
            for (; i <= a.Length - Vector512<double>.Count; i += Vector512<double>.Count)
            {
                var z = Vector512.FusedMultiplyAdd(Vector512.Create(c[i..]), vx, Vector512.Create(a[i..]));
                var zz = z * z;
                // Neighbours are one expiry's neighbouring strikes: far from this spot together, their exp is skipped.
                if (Vector512.LessThanAny(zz, limit))
                    acc += Vector512.Create(w[i..]) * Vector512.Exp(-zz);
            }
            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && a.Length >= Vector256<double>.Count)
        {
            var vx = Vector256.Create(x);
            var limit = Vector256.Create(Negligible * Negligible);
            var acc = Vector256<double>.Zero;
            for (; i <= a.Length - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                var z = Vector256.FusedMultiplyAdd(Vector256.Create(c[i..]), vx, Vector256.Create(a[i..]));
                var zz = z * z;
                if (Vector256.LessThanAny(zz, limit))
                    acc += Vector256.Create(w[i..]) * Vector256.Exp(-zz);
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < a.Length; i++)
        {
            var z = a[i] + (c[i] * x);
            if (z * z < Negligible * Negligible)
                sum += w[i] * Math.Exp(-(z * z));
        }
        return sum * GridScale[point];
    }

    /// <summary>Max pain over the strikes' summed OI (<see cref="MarketMeasures.MaxPainIndex"/>, the one computation). Null without open interest.</summary>
    private static decimal? MaxPainOverStrikes(ReadOnlySpan<double> strikes, decimal[] listed, Row[] rows)
    {
        var pool = System.Buffers.ArrayPool<double>.Shared;
        double[] calls = pool.Rent(strikes.Length), puts = pool.Rent(strikes.Length);
        try
        {
            for (var i = 0; i < strikes.Length; i++)
                (calls[i], puts[i]) = (rows[i].CallOi, rows[i].PutOi);
            var best = MarketMeasures.MaxPainIndex(strikes, calls.AsSpan(0, strikes.Length), puts.AsSpan(0, strikes.Length));
            return best < 0 ? null : listed[best];
        }
        finally
        {
            pool.Return(calls);
            pool.Return(puts);
        }
    }

    /// <summary>Adds a value that takes part (finite) to a total that is NaN until the first one.</summary>
    private static void Add(ref double total, double value)
    {
        if (double.IsFinite(value))
            total = double.IsNaN(total) ? value : total + value;
    }

    private static double Sum(double x, double y) => double.IsNaN(x) ? y : double.IsNaN(y) ? x : x + y;

    private struct Row
    {
        public static readonly Row Missing = new()
        {
            CallOi = double.NaN, PutOi = double.NaN, CallVolume = double.NaN, PutVolume = double.NaN, CallGex = double.NaN, PutGex = double.NaN,
        };

        public double CallOi, PutOi, CallVolume, PutVolume, CallGex, PutGex;
    }
}

/// <summary>
/// One strike's positioning: calls' and puts' OI and 24 h volume (contracts), and their GEX (USD per 1 % move; calls +,
/// puts −) and its net. NaN where no option of that side at this strike carries the inputs.
/// </summary>
public readonly record struct StrikePosition(
    decimal Strike, double CallOi, double PutOi, double CallVolume, double PutVolume, double CallGex, double PutGex, double NetGex);
