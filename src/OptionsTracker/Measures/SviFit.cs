using System.Numerics;

namespace OptionsTracker.Measures;

/// <summary>
/// Fits a raw SVI slice (<see cref="SviParameters"/>) to one expiry's smile by the quasi-explicit method of Zeliade
/// (De Marco and Martini, 2009): for fixed (m, σ) the slice is linear in (a, b·ρ·σ, b·σ) in the variable
/// y = (k − m)/σ, so the inner problem is a weighted linear least squares solved in closed form under the constraints
/// (b ≥ 0, |ρ| ≤ <see cref="MaxRho"/>, minimum total variance ≥ 0, a convex set, so the constrained optimum is the
/// unconstrained one when admissible, else the best of its boundary faces); the outer problem over (m, ln σ) is two
/// dimensional and solved by Nelder–Mead from the best point of a coarse grid. Pure; allocates nothing.
/// </summary>
public static class SviFit
{
    /// <summary>Fewer quoted points than this: no fit (five parameters need at least five points).</summary>
    public const int MinPoints = 5;

    /// <summary>|ρ| at most this: the constraint |ρ| &lt; 1 kept away from the degenerate edge.</summary>
    public const double MaxRho = 0.999;

    /// <summary>σ's range, in log-moneyness: sharper than 0.001 is a kink; wider than 4 is a parabola the fit reaches anyway.</summary>
    public const double MinSigma = 1e-3;

    public const double MaxSigma = 4;

    private const int MaxEvaluations = 400;

    private static readonly double MinLogSigma = Math.Log(MinSigma);
    private static readonly double MaxLogSigma = Math.Log(MaxSigma);

    /// <summary>
    /// The slice minimising Σ weightᵢ·(w(kᵢ) − wᵢ)² over admissible parameters, or null with fewer than
    /// <see cref="MinPoints"/> points (or no positive weight). <paramref name="totalVariance"/> is iv²·T;
    /// <paramref name="weight"/> any non-negative scale (vega). With <paramref name="start"/> (the same expiry's previous
    /// fit) the search starts at its (m, σ) with small steps instead of a grid: a smile that moved a little since is found
    /// again in about half the evaluations.
    /// </summary>
    public static SviParameters? Fit(ReadOnlySpan<double> k, ReadOnlySpan<double> totalVariance, ReadOnlySpan<double> weight, SviParameters? start = null)
    {
        if (k.Length < MinPoints || totalVariance.Length != k.Length || weight.Length != k.Length)
            return null;
        double kMin = double.PositiveInfinity, kMax = double.NegativeInfinity, kAtMin = 0, wMin = double.PositiveInfinity, weightSum = 0;
        for (var i = 0; i < k.Length; i++)
        {
            kMin = Math.Min(kMin, k[i]);
            kMax = Math.Max(kMax, k[i]);
            weightSum += weight[i];
            if (totalVariance[i] < wMin)
                (wMin, kAtMin) = (totalVariance[i], k[i]);
        }
        if (!(weightSum > 0) || !double.IsFinite(kMin) || !double.IsFinite(kMax))
            return null;
        var problem = new Problem(k, totalVariance, weight, 1 / weightSum, kMin - 1, kMax + 1);
        var range = Math.Max(kMax - kMin, 0.01);

        if (start is { } warm && warm.Sigma > 0 && double.IsFinite(warm.M))
        {
            var (mWarm, uWarm) = NelderMead(ref problem, warm.M, Math.Log(warm.Sigma), 0.01 * range, 0.05);
            return Result(ref problem, mWarm, uWarm);
        }

        // A coarse grid first: the SVI objective has local minima, and a start near the smile's bottom avoids most.
        double bestM = kAtMin, bestU = Math.Log(Math.Clamp(0.2 * range, MinSigma, MaxSigma)), best = double.PositiveInfinity;
        ReadOnlySpan<double> mAt = [0.25, 0.5, 0.75];
        ReadOnlySpan<double> sAt = [0.05, 0.2, 0.6];
        foreach (var sFraction in sAt)
        {
            var u = Math.Log(Math.Clamp(sFraction * range, MinSigma, MaxSigma));
            for (var j = -1; j < mAt.Length; j++)
            {
                var m = j < 0 ? kAtMin : kMin + (mAt[j] * range);
                var f = problem.Objective(m, u);
                if (f < best)
                    (best, bestM, bestU) = (f, m, u);
            }
        }
        var (mFit, uFit) = NelderMead(ref problem, bestM, bestU, 0.1 * range, 0.5);
        return Result(ref problem, mFit, uFit);
    }

    private static SviParameters? Result(ref Problem problem, double mFit, double uFit)
    {
        var sigma = Math.Exp(uFit);
        problem.Inner(mFit, sigma, out var a, out var d, out var c);
        if (!double.IsFinite(a) || !double.IsFinite(c))
            return null;
        // Back from (a, d = b·ρ·σ, c = b·σ) to the raw parameters.
        var b = c / sigma;
        var rho = c > 0 ? Math.Clamp(d / c, -MaxRho, MaxRho) : 0;
        return new SviParameters(a, b, rho, mFit, sigma);
    }

    /// <summary>Whether g(k) &lt; 0 (or w ≤ 0) anywhere on <paramref name="points"/> evenly spaced points of [low, high].</summary>
    public static bool HasButterflyArbitrage(SviParameters slice, double low, double high, int points = FlagGridPoints)
    {
        for (var i = 0; i < points; i++)
        {
            var density = slice.Density(GridPoint(low, high, points, i));
            if (!(density >= -ArbitrageTolerance))
                return true;
        }
        return false;
    }

    /// <summary>
    /// Whether the nearer slice's total variance exceeds the later one's anywhere on the same grid of
    /// [low, high] (total variance must not decrease with T at fixed k).
    /// </summary>
    public static bool HasCalendarArbitrage(SviParameters nearer, SviParameters later, double low, double high, int points = FlagGridPoints)
    {
        for (var i = 0; i < points; i++)
        {
            var k = GridPoint(low, high, points, i);
            if (nearer.TotalVariance(k) > later.TotalVariance(k) + ArbitrageTolerance)
                return true;
        }
        return false;
    }

    /// <summary>Points of the arbitrage checks' k-grid.</summary>
    public const int FlagGridPoints = 201;

    /// <summary>How far the checks' grid reaches past the quoted log-moneyness range on each side, as a fraction of its width.</summary>
    public const double FlagGridMargin = 0.25;

    /// <summary>Rounding allowed in the checks (total variance, and g, are of order 0.001 to 1).</summary>
    public const double ArbitrageTolerance = 1e-10;

    private static double GridPoint(double low, double high, int points, int i) =>
        points == 1 ? low : low + ((high - low) * i / (points - 1));

    /// <summary>Nelder–Mead on (m, u = ln σ): reflection 1, expansion 2, contraction ½, shrink ½.</summary>
    private static (double M, double U) NelderMead(ref Problem problem, double m0, double u0, double stepM, double stepU)
    {
        Span<double> xm = [m0, m0 + stepM, m0];
        Span<double> xu = [u0, u0, u0 + stepU];
        Span<double> f = [problem.Objective(xm[0], xu[0]), problem.Objective(xm[1], xu[1]), problem.Objective(xm[2], xu[2])];
        var evaluations = 3;
        while (evaluations < MaxEvaluations)
        {
            // Order: 0 best, 2 worst.
            for (var i = 0; i < 2; i++)
            {
                for (var j = 0; j < 2 - i; j++)
                {
                    if (f[j] > f[j + 1])
                    {
                        (f[j], f[j + 1]) = (f[j + 1], f[j]);
                        (xm[j], xm[j + 1]) = (xm[j + 1], xm[j]);
                        (xu[j], xu[j + 1]) = (xu[j + 1], xu[j]);
                    }
                }
            }
            var size = Math.Max(Math.Max(Math.Abs(xm[1] - xm[0]), Math.Abs(xm[2] - xm[0])), Math.Max(Math.Abs(xu[1] - xu[0]), Math.Abs(xu[2] - xu[0])));
            // Converged when the simplex is tiny, or its values agree to far below any quote's precision.
            if (size < 1e-5 || f[2] - f[0] <= (1e-6 * f[0]) + 1e-20)
                break;
            var cm = (xm[0] + xm[1]) / 2;
            var cu = (xu[0] + xu[1]) / 2;
            var rm = cm + (cm - xm[2]);
            var ru = cu + (cu - xu[2]);
            var fr = problem.Objective(rm, ru);
            evaluations++;
            if (fr < f[0])
            {
                var em = cm + (2 * (cm - xm[2]));
                var eu = cu + (2 * (cu - xu[2]));
                var fe = problem.Objective(em, eu);
                evaluations++;
                (xm[2], xu[2], f[2]) = fe < fr ? (em, eu, fe) : (rm, ru, fr);
            }
            else if (fr < f[1])
            {
                (xm[2], xu[2], f[2]) = (rm, ru, fr);
            }
            else
            {
                var outside = fr < f[2];
                var km = outside ? cm + (0.5 * (rm - cm)) : cm + (0.5 * (xm[2] - cm));
                var ku = outside ? cu + (0.5 * (ru - cu)) : cu + (0.5 * (xu[2] - cu));
                var fk = problem.Objective(km, ku);
                evaluations++;
                if (fk < Math.Min(fr, f[2]))
                {
                    (xm[2], xu[2], f[2]) = (km, ku, fk);
                }
                else
                {
                    for (var i = 1; i < 3; i++)
                    {
                        xm[i] = xm[0] + (0.5 * (xm[i] - xm[0]));
                        xu[i] = xu[0] + (0.5 * (xu[i] - xu[0]));
                        f[i] = problem.Objective(xm[i], xu[i]);
                    }
                    evaluations += 2;
                }
            }
        }
        var bestIndex = f[0] <= f[1] ? (f[0] <= f[2] ? 0 : 2) : (f[1] <= f[2] ? 1 : 2);
        return (xm[bestIndex], xu[bestIndex]);
    }

    /// <summary>The points and the bounds of m; the weights are scaled to sum to 1 so the objective's scale is the data's.</summary>
    private readonly ref struct Problem(ReadOnlySpan<double> k, ReadOnlySpan<double> w, ReadOnlySpan<double> weight, double scale, double mLow, double mHigh)
    {
        private readonly ReadOnlySpan<double> _k = k;
        private readonly ReadOnlySpan<double> _w = w;
        private readonly ReadOnlySpan<double> _weight = weight;

        /// <summary>The weighted squared error of the best admissible (a, b, ρ) for (m, σ = e^u); out of bounds costs more the further out.</summary>
        public double Objective(double m, double u)
        {
            var mIn = Math.Clamp(m, mLow, mHigh);
            var uIn = Math.Clamp(u, MinLogSigma, MaxLogSigma);
            var outside = Math.Abs(m - mIn) + Math.Abs(u - uIn);
            var sse = Inner(mIn, Math.Exp(uIn), out _, out _, out _);
            return outside > 0 ? sse + (outside * (1 + sse)) : sse;
        }

        /// <summary>
        /// For fixed (m, σ): the admissible (a, d = b·ρ·σ, c = b·σ) of least weighted squared error, and that error.
        /// The model is w = a + d·y + c·z with y = (k − m)/σ, z = √(y² + 1); admissible: c ≥ 0, |d| ≤ MaxRho·c and
        /// a + √(c² − d²) ≥ 0 (the minimum of w). Everything is read from ten weighted sums of one pass.
        /// </summary>
        public double Inner(double m, double sigma, out double a, out double d, out double c)
        {
            // One pass, a vector of points at a time (the pass is the whole cost of a fit: ~150 of them per expiry).
            var invSigma = 1 / sigma;
            var vm = new Vector<double>(m);
            var vInv = new Vector<double>(invSigma);
            var vScale = new Vector<double>(scale);
            Vector<double> v0 = default, vy = default, vz = default, vyy = default, vyz = default, vzz = default, vw = default, vwy = default, vwz = default, vww = default;
            var width = Vector<double>.Count;
            var i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; i <= _k.Length - width; i += width)
                {
                    var o = new Vector<double>(_weight[i..]) * vScale;
                    var y = (new Vector<double>(_k[i..]) - vm) * vInv;
                    var z = Vector.SquareRoot((y * y) + Vector<double>.One);
                    var v = new Vector<double>(_w[i..]);
                    var oy = o * y;
                    var oz = o * z;
                    var ov = o * v;
                    v0 += o;
                    vy += oy;
                    vz += oz;
                    vyy += oy * y;
                    vyz += oy * z;
                    vzz += oz * z;
                    vw += ov;
                    vwy += ov * y;
                    vwz += ov * z;
                    vww += ov * v;
                }
            }
            double s0 = Vector.Sum(v0), sy = Vector.Sum(vy), sz = Vector.Sum(vz), syy = Vector.Sum(vyy), syz = Vector.Sum(vyz), szz = Vector.Sum(vzz),
                sw = Vector.Sum(vw), swy = Vector.Sum(vwy), swz = Vector.Sum(vwz), sww = Vector.Sum(vww);
            for (; i < _k.Length; i++)
            {
                var o = _weight[i] * scale;
                var y = (_k[i] - m) * invSigma;
                var z = Math.Sqrt((y * y) + 1);
                var v = _w[i];
                s0 += o;
                sy += o * y;
                sz += o * z;
                syy += o * y * y;
                syz += o * y * z;
                szz += o * z * z;
                sw += o * v;
                swy += o * v * y;
                swz += o * v * z;
                sww += o * v * v;
            }
            var sums = new Sums(s0, sy, sz, syy, syz, szz, sw, swy, swz, sww);

            // Unconstrained: the normal equations, admissible in the usual case.
            if (Solve3(s0, sy, sz, syy, syz, szz, sw, swy, swz, out a, out d, out c) && Admissible(a, d, c))
                return sums.Error(a, d, c);

            // Otherwise the optimum lies on the boundary of the (convex) admissible set: the best of its faces.
            var best = double.PositiveInfinity;
            (a, d, c) = (double.NaN, double.NaN, double.NaN);
            // Flat: c = d = 0.
            if (sw / s0 >= 0)
                Keep(ref best, ref a, ref d, ref c, sums, sw / s0, 0, 0);
            // The edges |ρ| = MaxRho: w = a + c·(z ± MaxRho·y), linear in (a, c).
            for (var side = -1; side <= 1; side += 2)
            {
                var r = side * MaxRho;
                var su = sz + (r * sy);
                var suu = szz + (r * r * syy) + (2 * r * syz);
                var swu = swz + (r * swy);
                var det = (s0 * suu) - (su * su);
                if (det > 0)
                {
                    var ea = ((sw * suu) - (su * swu)) / det;
                    var ec = ((s0 * swu) - (su * sw)) / det;
                    if (ec >= 0 && ea + (ec * Math.Sqrt(1 - (r * r))) >= 0)
                        Keep(ref best, ref a, ref d, ref c, sums, ea, r * ec, ec);
                }
            }
            // The curved face, minimum variance 0: a = −c·√(1 − ρ²), d = ρ·c; linear in c for each ρ, golden section on ρ.
            double lo = -MaxRho, hi = MaxRho;
            const double Golden = 0.6180339887498949;
            var x1 = hi - (Golden * (hi - lo));
            var x2 = lo + (Golden * (hi - lo));
            var f1 = sums.CurvedFace(x1, out _);
            var f2 = sums.CurvedFace(x2, out _);
            for (var step = 0; step < 40; step++)
            {
                if (f1 < f2)
                {
                    (hi, x2, f2) = (x2, x1, f1);
                    x1 = hi - (Golden * (hi - lo));
                    f1 = sums.CurvedFace(x1, out _);
                }
                else
                {
                    (lo, x1, f1) = (x1, x2, f2);
                    x2 = lo + (Golden * (hi - lo));
                    f2 = sums.CurvedFace(x2, out _);
                }
            }
            var rho = (lo + hi) / 2;
            sums.CurvedFace(rho, out var cc);
            Keep(ref best, ref a, ref d, ref c, sums, -cc * Math.Sqrt(1 - (rho * rho)), rho * cc, cc);
            return best;
        }

        private static void Keep(ref double best, ref double a, ref double d, ref double c, in Sums sums, double ea, double ed, double ec)
        {
            var error = sums.Error(ea, ed, ec);
            if (error < best)
                (best, a, d, c) = (error, ea, ed, ec);
        }

        private static bool Admissible(double a, double d, double c) =>
            c >= 0 && Math.Abs(d) <= MaxRho * c && a + Math.Sqrt((c * c) - (d * d)) >= 0;

        /// <summary>Gaussian elimination with partial pivoting on the symmetric 3×3 normal equations.</summary>
        private static bool Solve3(double s0, double sy, double sz, double syy, double syz, double szz, double sw, double swy, double swz,
            out double a, out double d, out double c)
        {
            Span<double> m = [s0, sy, sz, sw, sy, syy, syz, swy, sz, syz, szz, swz];
            for (var col = 0; col < 3; col++)
            {
                var pivot = col;
                for (var row = col + 1; row < 3; row++)
                {
                    if (Math.Abs(m[(row * 4) + col]) > Math.Abs(m[(pivot * 4) + col]))
                        pivot = row;
                }
                if (Math.Abs(m[(pivot * 4) + col]) < 1e-300)
                {
                    (a, d, c) = (double.NaN, double.NaN, double.NaN);
                    return false;
                }
                if (pivot != col)
                {
                    for (var j = 0; j < 4; j++)
                        (m[(col * 4) + j], m[(pivot * 4) + j]) = (m[(pivot * 4) + j], m[(col * 4) + j]);
                }
                for (var row = col + 1; row < 3; row++)
                {
                    var factor = m[(row * 4) + col] / m[(col * 4) + col];
                    for (var j = col; j < 4; j++)
                        m[(row * 4) + j] -= factor * m[(col * 4) + j];
                }
            }
            c = m[11] / m[10];
            d = (m[7] - (m[6] * c)) / m[5];
            a = (m[3] - (m[1] * d) - (m[2] * c)) / m[0];
            return double.IsFinite(a) && double.IsFinite(d) && double.IsFinite(c);
        }
    }

    /// <summary>The weighted sums of one (m, σ): enough for the error of any (a, d, c) without another pass.</summary>
    private readonly record struct Sums(double S0, double Sy, double Sz, double Syy, double Syz, double Szz, double Sw, double Swy, double Swz, double Sww)
    {
        /// <summary>Σ o·(w − a − d·y − c·z)², expanded.</summary>
        public double Error(double a, double d, double c)
        {
            var error = Sww - (2 * ((a * Sw) + (d * Swy) + (c * Swz)))
                + (a * a * S0) + (d * d * Syy) + (c * c * Szz)
                + (2 * ((a * d * Sy) + (a * c * Sz) + (d * c * Syz)));
            // Cancellation can leave a tiny negative for an exact fit.
            return Math.Max(error, 0);
        }

        /// <summary>The error on the face of minimum variance 0 at ρ, with its best c ≥ 0: w = c·(z + ρ·y − √(1 − ρ²)).</summary>
        public double CurvedFace(double rho, out double c)
        {
            var q = Math.Sqrt(1 - (rho * rho));
            var swu = Swz + (rho * Swy) - (q * Sw);
            var suu = Szz + (rho * rho * Syy) + (q * q * S0) + (2 * rho * Syz) - (2 * q * Sz) - (2 * rho * q * Sy);
            c = suu > 0 ? Math.Max(0, swu / suu) : 0;
            return Error(-c * q, rho * c, c);
        }
    }
}
