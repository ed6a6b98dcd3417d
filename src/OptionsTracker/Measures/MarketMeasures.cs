using OptionsTracker.Book;

namespace OptionsTracker.Measures;

/// <summary>
/// The one definition of the market measures of a coin and of each of its expiries (docs/measures.md). The API
/// summary, the ATM screen, the dashboard, the instrument filter and the alert rules all read them from here, so no
/// two of them can disagree. Pure functions of the live book and the time. Only <see cref="NearestStrikes"/>
/// allocates (its answer); the rest read the book's slots in place, one quote copy at a time, because the dashboard
/// recomputes them for every coin on each refresh. Missing is NaN (null in the API), never 0.
/// </summary>
public static class MarketMeasures
{
    /// <summary>Time to expiry is ACT/365: calendar days over 365.</summary>
    public const double DaysPerYear = 365.0;

    /// <summary>
    /// The coin's index price: that of its most recently updated option (latest exchange time; the first in book order
    /// on a tie) among those that carry one. Every option of a coin carries the same index, some older than others, so
    /// the freshest one is the index now. NaN when no option has one.
    /// </summary>
    public static double IndexPrice(CoinIndex coin) => Freshest(coin.Slots, QuoteField.IndexPrice);

    /// <summary>
    /// The expiry's forward F: the underlying price (Bybit's <c>underlyingPrice</c>, the expiry's own future) of its most
    /// recently updated option that carries one. NaN when none does: the index is not used in its place, because it is
    /// not that expiry's forward.
    /// </summary>
    public static double Forward(ExpiryIndex expiry) => Freshest(expiry.Slots, QuoteField.UnderlyingPrice);

    /// <summary>The listed strike nearest <paramref name="forward"/>, the lower one on a tie; null without a forward.</summary>
    public static decimal? AtmStrike(ExpiryIndex expiry, double forward)
    {
        if (!TakesPart(forward))
            return null;
        decimal? best = null;
        var bestDistance = double.PositiveInfinity;
        // Slots are ordered by strike, so on a tie the lower strike is met first and kept (strictly less to replace).
        foreach (var slot in expiry.Slots)
        {
            var distance = Math.Abs(slot.Instrument.StrikeValue - forward);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = slot.Instrument.Strike;
            }
        }
        return best;
    }

    /// <summary>
    /// The <paramref name="count"/> listed strikes nearest <paramref name="forward"/>, by distance then the lower first:
    /// the ATM strike widened to several (its first is <see cref="AtmStrike"/>). Empty without a forward.
    /// </summary>
    public static HashSet<decimal> NearestStrikes(ExpiryIndex expiry, double forward, int count)
    {
        if (!TakesPart(forward) || count <= 0)
            return [];
        var strikes = new List<decimal>();
        foreach (var slot in expiry.Slots)
        {
            // Ordered by strike: a repeated strike (call and put) follows its first.
            if (strikes.Count == 0 || strikes[^1] != slot.Instrument.Strike)
                strikes.Add(slot.Instrument.Strike);
        }
        strikes.Sort((a, b) =>
        {
            var byDistance = Math.Abs((double)a - forward).CompareTo(Math.Abs((double)b - forward));
            return byDistance != 0 ? byDistance : a.CompareTo(b);
        });
        return [.. strikes.Take(count)];
    }

    /// <summary>Days from <paramref name="now"/> to the expiry's delivery instant (negative once past).</summary>
    public static double DaysToExpiry(ExpiryIndex expiry, DateTimeOffset now) => DaysToExpiry(expiry.ExpiryUtc, now);

    /// <summary>Days from <paramref name="now"/> to one option's delivery instant (negative once past).</summary>
    public static double DaysToExpiry(OptionInstrument instrument, DateTimeOffset now) => DaysToExpiry(instrument.ExpiryUtc, now);

    private static double DaysToExpiry(DateTimeOffset deliveryUtc, DateTimeOffset now) => (deliveryUtc - now).TotalDays;

    /// <summary>
    /// The expiry's ATM IV: mark IV interpolated at K = F, linearly in log-moneyness k = ln(K/F), between the two
    /// out-of-the-money options nearest F that have a mark IV: the call with the lowest strike K ≥ F and the put with
    /// the highest strike K ≤ F. With only one side, that option's IV; with both at K = F, their mean. NaN without a
    /// forward or without any such option.
    /// </summary>
    public static double AtmIv(ExpiryIndex expiry, double forward)
    {
        if (!TakesPart(forward))
            return double.NaN;
        double callStrike = double.NaN, callIv = double.NaN, putStrike = double.NaN, putIv = double.NaN;
        foreach (var slot in expiry.Slots)
        {
            var strike = slot.Instrument.StrikeValue;
            var isCall = slot.Instrument.Type == OptionType.Call;
            // Ordered by strike: the first OTM call met is the nearest; the last OTM put met is the nearest.
            if (!IsOutOfTheMoney(slot.Instrument, forward) || (isCall && !double.IsNaN(callIv)))
                continue;
            var iv = slot.ReadQuote().MarkIv;
            if (!TakesPart(iv))
                continue;
            if (isCall)
                (callStrike, callIv) = (strike, iv);
            else
                (putStrike, putIv) = (strike, iv);
        }
        if (double.IsNaN(callIv))
            return putIv;
        if (double.IsNaN(putIv))
            return callIv;
        var kCall = Math.Log(callStrike / forward);
        var kPut = Math.Log(putStrike / forward);
        return kCall == kPut ? (callIv + putIv) / 2 : putIv + ((callIv - putIv) * (0 - kPut) / (kCall - kPut));
    }

    /// <summary>
    /// Mark IV at a target delta: for a call target (0.25, 0.10) interpolated linearly in the exchange's delta among the
    /// out-of-the-money calls (K ≥ F), for a put target (−0.25, −0.10) among the out-of-the-money puts (K ≤ F), between
    /// the two options nearest the money whose deltas bracket the target (options without a mark IV or a delta take
    /// no part). NaN without a forward, or when the target lies outside the quoted deltas: no extrapolation.
    /// </summary>
    public static double IvAtDelta(ExpiryIndex expiry, double forward, double targetDelta)
    {
        if (!TakesPart(forward) || !double.IsFinite(targetDelta) || targetDelta == 0)
            return double.NaN;
        var calls = targetDelta > 0;
        // Walk outwards from the money: calls by rising strike, puts by falling strike (the slots run by strike).
        var slots = expiry.Slots;
        double nearDelta = double.NaN, nearIv = double.NaN;
        for (var n = 0; n < slots.Count; n++)
        {
            var slot = slots[calls ? n : slots.Count - 1 - n];
            var instrument = slot.Instrument;
            if ((instrument.Type == OptionType.Call) != calls || !IsOutOfTheMoney(instrument, forward))
                continue;
            var quote = slot.ReadQuote();
            var iv = quote.MarkIv;
            var delta = quote.Delta;
            if (!TakesPart(iv) || !double.IsFinite(delta))
                continue;
            if (delta == targetDelta)
                return iv;
            // |delta| falls away from the money: the target is bracketed once an option is past it.
            if (!double.IsNaN(nearDelta) && Math.Abs(nearDelta) > Math.Abs(targetDelta) && Math.Abs(delta) < Math.Abs(targetDelta))
                return nearIv + ((iv - nearIv) * (targetDelta - nearDelta) / (delta - nearDelta));
            (nearDelta, nearIv) = (delta, iv);
        }
        return double.NaN;
    }

    /// <summary>
    /// The expiry's skew at one delta (0.25 or 0.10): the call's and the put's IV at that delta, the risk reversal
    /// (call − put) and the butterfly ((call + put) / 2 − ATM IV), all IV fractions; NaN where an input is missing.
    /// </summary>
    public static SkewMeasures Skew(ExpiryIndex expiry, double forward, double atmIv, double delta)
    {
        var call = IvAtDelta(expiry, forward, Math.Abs(delta));
        var put = IvAtDelta(expiry, forward, -Math.Abs(delta));
        return new SkewMeasures(call, put, call - put, ((call + put) / 2) - atmIv);
    }

    /// <summary>All the per-expiry measures at once.</summary>
    public static ExpiryMeasures ForExpiry(ExpiryIndex expiry, DateTimeOffset now)
    {
        var forward = Forward(expiry);
        return new ExpiryMeasures(expiry, forward, AtmStrike(expiry, forward), DaysToExpiry(expiry, now), AtmIv(expiry, forward));
    }

    /// <summary>
    /// The coin's index price and its headline ATM strike: the ATM strike of the nearest expiry not yet past its
    /// delivery instant that has a forward (an expiry still listed after delivery, or one with no quote yet, is skipped).
    /// </summary>
    public static CoinMeasures ForCoin(CoinIndex coin, DateTimeOffset now)
    {
        ExpiryIndex? headline = null;
        decimal? atm = null;
        foreach (var expiry in coin.Expiries)
        {
            if (expiry.ExpiryUtc <= now)
                continue;
            if (AtmStrike(expiry, Forward(expiry)) is { } strike)
            {
                (headline, atm) = (expiry, strike);
                break;
            }
        }
        return new CoinMeasures(coin.BaseCoin, IndexPrice(coin), headline, atm);
    }

    /// <summary>
    /// The ATM IV at a constant tenor (<see cref="TermStructure.AtTenor"/>: total variance linear in T between the two
    /// unexpired expiries around it); NaN before the first or past the last such expiry. For a tenor outside
    /// <see cref="TermStructure.Tenors"/>, as the <c>AtmIv</c> alert rule may ask.
    /// </summary>
    public static double AtmIvAtTenor(CoinIndex coin, DateTimeOffset now, double tenorDays) =>
        TermStructure.AtTenor(TermStructure.ForCoin(coin, now), tenorDays, double.NaN).AtmIv;

    /// <summary>Total put OI over total call OI, of one expiry or all; null without call OI. Missing OI counts as none.</summary>
    public static double? PutCallOiRatio(CoinIndex coin, DateOnly? expiry)
    {
        var totals = new PutCallTotals();
        foreach (var slot in coin.Slots)
        {
            if (expiry is { } date && slot.Instrument.ExpiryDate != date)
                continue;
            totals.Add(slot.Instrument.Type, slot.ReadQuote().OpenInterest, double.NaN);
        }
        return totals.OiRatio;
    }

    /// <summary>
    /// Calls' and puts' open interest and 24 h volume over <paramref name="slots"/> (a coin's or one expiry's), whose
    /// ratios are the put/call ratios of the summary and the dashboard.
    /// </summary>
    public static PutCallTotals PutCall(IReadOnlyList<OptionSlot> slots)
    {
        var totals = new PutCallTotals();
        foreach (var slot in slots)
        {
            var quote = slot.ReadQuote();
            totals.Add(slot.Instrument.Type, quote.OpenInterest, quote.Volume24h);
        }
        return totals;
    }

    /// <summary>
    /// The expiry's max pain: the listed strike minimising what holders of its options would receive if it settled
    /// there, Σ call OI · max(0, S − K) + Σ put OI · max(0, K − S) over the listed strikes S (the lower on a tie). Null
    /// without open interest. <paramref name="slots"/> must be ordered by strike (an index's are).
    /// </summary>
    public static decimal? MaxPain(IReadOnlyList<OptionSlot> slots)
    {
        var count = slots.Count;
        if (count == 0)
            return null;
        // Each option's OI read once and summed per strike, so the sweep sees one set of values while the feed writes on.
        var pool = System.Buffers.ArrayPool<double>.Shared;
        double[] strikes = pool.Rent(count), calls = pool.Rent(count), puts = pool.Rent(count);
        try
        {
            var n = -1;
            for (var i = 0; i < count; i++)
            {
                var instrument = slots[i].Instrument;
                if (n < 0 || strikes[n] != instrument.StrikeValue)
                {
                    // A new strike (slots run by strike, call before put); rented arrays hold old values, so zero it.
                    n++;
                    strikes[n] = instrument.StrikeValue;
                    calls[n] = 0;
                    puts[n] = 0;
                }
                var oi = slots[i].ReadQuote().OpenInterest;
                if (double.IsFinite(oi) && oi > 0)
                {
                    if (instrument.Type == OptionType.Call)
                        calls[n] += oi;
                    else
                        puts[n] += oi;
                }
            }
            var best = MaxPainIndex(strikes.AsSpan(0, n + 1), calls.AsSpan(0, n + 1), puts.AsSpan(0, n + 1));
            if (best < 0)
                return null;
            // The listed strike itself (a decimal), not its double.
            foreach (var slot in slots)
            {
                if (slot.Instrument.StrikeValue == strikes[best])
                    return slot.Instrument.Strike;
            }
            return null;
        }
        finally
        {
            pool.Return(strikes);
            pool.Return(calls);
            pool.Return(puts);
        }
    }

    /// <summary>
    /// Max pain over strikes in ascending order with each one's summed call and put OI (non-positive or NaN: none): the
    /// index of the strike S minimising Σ calls OI·max(0, S − K) + Σ puts OI·max(0, K − S), the lower on a tie; −1
    /// without open interest. The one computation behind every max pain (one expiry's, all expiries').
    /// <para>
    /// One sweep up the strikes instead of a sum per candidate (quadratic, and most of a 4,000-option snapshot's time
    /// when it was one): at S the calls below pay S·ΣOI − ΣOI·K and the puts above ΣOI·K − S·ΣOI, from running sums.
    /// Those round differently from the direct sums, so payouts closer than a billionth of (total OI × the highest
    /// strike) count as a tie, as exact equality did: the lower strike keeps it.
    /// </para>
    /// </summary>
    public static int MaxPainIndex(ReadOnlySpan<double> strikes, ReadOnlySpan<double> callOi, ReadOnlySpan<double> putOi)
    {
        double putTotal = 0, putMoney = 0, total = 0;
        for (var i = 0; i < strikes.Length; i++)
        {
            var calls = Positive(callOi[i]);
            var puts = Positive(putOi[i]);
            total += calls + puts;
            putTotal += puts;
            putMoney += puts * strikes[i];
        }
        if (total == 0)
            return -1;
        var tolerance = 1e-9 * total * Math.Max(1, strikes[^1]);
        double callsBelow = 0, callMoneyBelow = 0, putsBelow = 0, putMoneyBelow = 0;
        var best = -1;
        var bestPayout = double.PositiveInfinity;
        for (var i = 0; i < strikes.Length; i++)
        {
            var settle = strikes[i];
            var payout = (settle * callsBelow) - callMoneyBelow + (putMoney - putMoneyBelow) - (settle * (putTotal - putsBelow));
            if (payout < bestPayout - tolerance)
                (bestPayout, best) = (payout, i);
            // The strike's own options join the sums below the next one (they pay nothing at their own strike).
            var calls = Positive(callOi[i]);
            var puts = Positive(putOi[i]);
            (callsBelow, callMoneyBelow) = (callsBelow + calls, callMoneyBelow + (calls * settle));
            (putsBelow, putMoneyBelow) = (putsBelow + puts, putMoneyBelow + (puts * settle));
        }
        return best;
    }

    private static double Positive(double openInterest) => double.IsFinite(openInterest) && openInterest > 0 ? openInterest : 0;

    /// <summary>NaN as null, for the API.</summary>
    public static double? OrNull(double value) => double.IsFinite(value) ? value : null;

    /// <summary>A price or IV that takes part in a measure: finite and above 0 (Bybit sends "" or 0 for none).</summary>
    public static bool TakesPart(double value) => double.IsFinite(value) && value > 0;

    /// <summary>
    /// The out-of-the-money side every smile measure reads (ANALYTICS.md): calls with K ≥ F, puts with K ≤ F (both at
    /// K = F). False without a forward.
    /// </summary>
    public static bool IsOutOfTheMoney(OptionInstrument instrument, double forward) =>
        instrument.Type == OptionType.Call ? instrument.StrikeValue >= forward : instrument.StrikeValue <= forward;

    private static double Freshest(IReadOnlyList<OptionSlot> slots, QuoteField field)
    {
        var value = double.NaN;
        var at = long.MinValue;
        foreach (var slot in slots)
        {
            var quote = slot.ReadQuote();
            var candidate = quote[field];
            if (TakesPart(candidate) && quote.ExchangeTimeMs > at)
                (value, at) = (candidate, quote.ExchangeTimeMs);
        }
        return value;
    }
}

/// <summary>The measures of one expiry; NaN or null where missing.</summary>
public readonly record struct ExpiryMeasures(ExpiryIndex Expiry, double Forward, decimal? AtmStrike, double DaysToExpiry, double AtmIv)
{
    /// <summary>The ATM strike as a double (NaN when missing), for comparing with <see cref="OptionInstrument.StrikeValue"/>.</summary>
    public double AtmStrikeValue => AtmStrike is { } strike ? (double)strike : double.NaN;
}

/// <summary>A coin's headline measures: its index price and the ATM strike of <see cref="HeadlineExpiry"/>.</summary>
public readonly record struct CoinMeasures(string Coin, double IndexPrice, ExpiryIndex? HeadlineExpiry, decimal? AtmStrike)
{
    public double AtmStrikeValue => AtmStrike is { } strike ? (double)strike : double.NaN;
}

/// <summary>One expiry's skew at one delta: IVs at the call and put delta, risk reversal and butterfly (IV fractions; NaN where missing).</summary>
public readonly record struct SkewMeasures(double CallIv, double PutIv, double RiskReversal, double Butterfly);
