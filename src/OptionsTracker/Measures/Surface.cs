using System.Buffers;
using OptionsTracker.Book;

namespace OptionsTracker.Measures;

/// <summary>
/// The implied volatility surface of a coin (docs/analytics.md, "The IV surface"): the exchange's mark IV on two grids,
/// one row per unexpired expiry of a snapshot:
/// <list type="bullet">
/// <item>by delta: 10Δ, 15Δ, 20Δ, 25Δ, 30Δ, 40Δ put, ATM, 40Δ … 10Δ call (<see cref="Columns"/>, low strikes to high),
/// each by <see cref="MarketMeasures.IvAtDelta"/> and the ATM column the snapshot's ATM IV (K = F);</item>
/// <item>by log-moneyness k = ln(K/F), −0.5 to +0.5 in 0.05 steps (<see cref="Moneyness"/>), the same k for every expiry
/// so the rows line up as a surface: mark IV linear in k between the two out-of-the-money options around k (puts with
/// K ≤ F, calls with K ≥ F; both at K = F count as their mean).</item>
/// </list>
/// NaN (null in the API) where a cell cannot be formed: outside the quoted deltas or strikes, never extrapolated.
/// </summary>
public sealed class Surface
{
    /// <summary>The delta columns, low strikes to high: signed deltas, puts negative, NaN for the ATM column (K = F).</summary>
    public static IReadOnlyList<SurfaceColumn> Columns { get; } =
    [
        new("10Δ put", -0.10), new("15Δ put", -0.15), new("20Δ put", -0.20), new("25Δ put", -0.25), new("30Δ put", -0.30),
        new("40Δ put", -0.40), new("ATM", double.NaN), new("40Δ call", 0.40), new("30Δ call", 0.30), new("25Δ call", 0.25),
        new("20Δ call", 0.20), new("15Δ call", 0.15), new("10Δ call", 0.10),
    ];

    public const double MoneynessLimit = 0.5;

    public const double MoneynessStep = 0.05;

    /// <summary>The log-moneyness columns: −0.5, −0.45, …, 0.5 (rounded, so 0 is exactly 0).</summary>
    public static IReadOnlyList<double> Moneyness { get; } =
        [.. Enumerable.Range(0, (int)Math.Round(2 * MoneynessLimit / MoneynessStep) + 1).Select(i => Math.Round(-MoneynessLimit + (i * MoneynessStep), 10))];

    private Surface(IReadOnlyList<ExpiryFigures> expiries, double[][] byDelta, double[][] byMoneyness)
    {
        Expiries = expiries;
        ByDelta = byDelta;
        ByMoneyness = byMoneyness;
    }

    /// <summary>The rows: the snapshot's expiries not yet delivered, chronological.</summary>
    public IReadOnlyList<ExpiryFigures> Expiries { get; }

    /// <summary>Per row, mark IV at each of <see cref="Columns"/> (fractions; NaN where missing).</summary>
    public IReadOnlyList<double[]> ByDelta { get; }

    /// <summary>Per row, mark IV at each of <see cref="Moneyness"/> (fractions; NaN where missing).</summary>
    public IReadOnlyList<double[]> ByMoneyness { get; }

    /// <summary>
    /// The surface from a snapshot's per-expiry figures (forward, ATM IV, the 25Δ and 10Δ IVs, which the surface reuses
    /// so it agrees with the term structure) and the book's quotes of each expiry, read now.
    /// </summary>
    public static Surface From(IReadOnlyList<ExpiryFigures> figures)
    {
        var rows = new List<ExpiryFigures>(figures.Count);
        foreach (var f in figures)
        {
            if (f.DaysToExpiry > 0)
                rows.Add(f);
        }
        var byDelta = new double[rows.Count][];
        var byMoneyness = new double[rows.Count][];
        for (var i = 0; i < rows.Count; i++)
        {
            byDelta[i] = DeltaRow(rows[i]);
            byMoneyness[i] = MoneynessRow(rows[i].Smile, rows[i].Forward);
        }
        return new Surface(rows, byDelta, byMoneyness);
    }

    private static double[] DeltaRow(in ExpiryFigures f)
    {
        var row = new double[Columns.Count];
        for (var c = 0; c < row.Length; c++)
        {
            var delta = Columns[c].Delta;
            row[c] = delta switch
            {
                double.NaN => f.AtmIv,
                TermStructure.Delta25 => f.Skew25.CallIv,
                -TermStructure.Delta25 => f.Skew25.PutIv,
                TermStructure.Delta10 => f.Skew10.CallIv,
                -TermStructure.Delta10 => f.Skew10.PutIv,
                _ => MarketMeasures.IvAtDelta(f.Smile, f.Forward, delta),
            };
        }
        return row;
    }

    /// <summary>
    /// Mark IV at each of <see cref="Moneyness"/> for one expiry: one pass over its slots (ordered by strike) collecting the
    /// out-of-the-money options' (k, IV), then linear in k between neighbours; NaN outside the first and last such k.
    /// </summary>
    internal static double[] MoneynessRow(ExpiryIndex expiry, double forward)
    {
        var row = new double[Moneyness.Count];
        Array.Fill(row, double.NaN);
        if (!(forward > 0) || !double.IsFinite(forward))
            return row;
        var slots = expiry.Slots;
        var ks = ArrayPool<double>.Shared.Rent(Math.Max(1, slots.Count));
        var ivs = ArrayPool<double>.Shared.Rent(Math.Max(1, slots.Count));
        try
        {
            var count = 0;
            var sameStrike = 0;
            foreach (var slot in slots)
            {
                var instrument = slot.Instrument;
                if (!MarketMeasures.IsOutOfTheMoney(instrument, forward))
                    continue;
                var iv = slot.ReadQuote().MarkIv;
                if (!MarketMeasures.TakesPart(iv))
                    continue;
                var strike = instrument.StrikeValue;
                var k = Math.Log(strike / forward);
                // A put and a call both at K = F: one point at their mean, as the ATM IV takes them.
                if (count > 0 && ks[count - 1] == k)
                {
                    sameStrike++;
                    ivs[count - 1] += (iv - ivs[count - 1]) / (sameStrike + 1);
                    continue;
                }
                sameStrike = 0;
                ks[count] = k;
                ivs[count] = iv;
                count++;
            }
            if (count == 0)
                return row;
            var j = 0;
            for (var c = 0; c < row.Length; c++)
            {
                var k = Moneyness[c];
                if (k < ks[0] || k > ks[count - 1])
                    continue;
                while (j < count - 1 && ks[j + 1] < k)
                    j++;
                row[c] = ks[j] == k || j == count - 1 ? ivs[j]
                    : ivs[j] + ((ivs[j + 1] - ivs[j]) * (k - ks[j]) / (ks[j + 1] - ks[j]));
            }
            return row;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(ks);
            ArrayPool<double>.Shared.Return(ivs);
        }
    }
}

/// <summary>One delta column of the surface: its label and signed delta (puts negative; NaN for ATM, which is K = F).</summary>
public readonly record struct SurfaceColumn(string Label, double Delta);
