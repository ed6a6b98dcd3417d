using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Alerts;

/// <summary>
/// Checks the configured rules against the live book. A rule whose condition holds fires, then stays quiet for
/// its cool-down even while the condition keeps holding (an OI-jump rule per option). Called by the evaluation
/// loop only: not thread-safe.
/// </summary>
internal sealed class MarketRules
{
    private const int MaxSymbolsPerMessage = 5;

    private readonly RuleState[] _rules;
    private readonly ILogger<MarketRules> _logger;
    private readonly MarketAnalytics? _analytics;

    /// <param name="analytics">The coins' analytics snapshot, for the rules on it (risk reversal, butterfly, volatility
    /// risk premium at a tenor; the gamma flip): the snapshot the API and the dashboard read, so an alert quotes their
    /// numbers. Without it (a host without the analytics) those rules have no value.</param>
    public MarketRules(IOptions<AlertsOptions> options, ILogger<MarketRules> logger, MarketAnalytics? analytics = null)
    {
        // Trade rules (LargeTrade, BlockTrade) are checked on the tape's trades by TradeAlertService, not on the book.
        _rules = [.. options.Value.Rules.Where(r => r.Kind?.IsTradeRule() != true).Select(r => new RuleState(r))];
        _logger = logger;
        _analytics = analytics;
    }

    public int Count => _rules.Length;

    public void Evaluate(BookIndex index, DateTimeOffset now, List<Alert> alerts)
    {
        foreach (var rule in _rules)
        {
            if (!index.TryGetCoin(rule.Asset, out var all))
            {
                Log.RuleHasNoValue(_logger, rule.Name, $"no {rule.Asset} options in the book");
                continue;
            }
            // A rule on one venue (Alerts:Rules:N:Venue) reads that venue's options and figures alone; without one, every
            // venue's, combined as the analytics endpoints combine them without venue= (CoinAnalytics.Combine).
            var coin = all;
            if (rule.Venue is { } venue && !all.TryGetVenue(venue, out coin))
            {
                Log.RuleHasNoValue(_logger, rule.Name, $"no {venue.Id} {rule.Asset} options in the book");
                continue;
            }
            switch (rule.Options.Kind)
            {
                case AlertRuleKind.AtmIv:
                    // The rule is in percent; the book holds fractions. Null (no value) outside the quoted expiries.
                    CheckLevel(rule, MarketMeasures.OrNull(AtmIvAtTenor(rule, coin, now)) * 100, "%", now, alerts);
                    break;
                case AlertRuleKind.PutCallOiRatio:
                    // OI counts contracts: the combined ratio sums every venue's OI (as CoinAnalytics.Combine does), one
                    // venue's is its options' alone.
                    CheckLevel(rule, MarketMeasures.PutCallOiRatio(coin, rule.Expiry), "", now, alerts);
                    break;
                case AlertRuleKind.OiJump:
                    CheckOiJump(rule, coin, now, alerts);
                    break;
                case AlertRuleKind.RiskReversal or AlertRuleKind.Butterfly or AlertRuleKind.VolRiskPremium:
                    CheckLevel(rule, AtTenorInVolPoints(rule), VolPoints, now, alerts);
                    break;
                case AlertRuleKind.GammaFlip:
                    CheckGammaFlip(rule, now, alerts);
                    break;
                case AlertRuleKind.VenueIvGap:
                    // Compares the venues: never narrowed to one (the validator refuses Venue on it).
                    CheckVenueIvGap(rule, all, now, alerts);
                    break;
            }
        }
    }

    private void CheckLevel(RuleState rule, double? value, string unit, DateTimeOffset now, List<Alert> alerts)
    {
        if (value is not { } v)
        {
            Log.RuleHasNoValue(_logger, rule.Name, "nothing quoted to compute it from");
            return;
        }
        var (above, below) = (rule.Options.Above, rule.Options.Below);
        double threshold;
        string side;
        if (above is { } a && v > a)
            (threshold, side) = (a, "above");
        else if (below is { } b && v < b)
            (threshold, side) = (b, "below");
        else
            return;
        if (rule.LastFiredAt is { } last && now - last < rule.Options.Cooldown)
            return;
        rule.LastFiredAt = now;
        var text = unit == "%"
            ? $"{rule.Name} is {v:0.0} %, {side} {threshold:0.##} %"
            : unit == VolPoints ? $"{rule.Name} is {v:+0.0;-0.0;0.0} vol points, {side} {threshold:0.##}"
            : $"{rule.Name} is {v:0.###}, {side} {threshold:0.###}";
        alerts.Add(new Alert("rule", rule.Name, text, now) { Asset = rule.Asset, Value = v, Threshold = threshold, Venue = rule.Venue?.Id });
    }

    /// <summary>
    /// Fires when the index is on the other side of the gamma flip than at the previous evaluation (both with a flip):
    /// the snapshot's all-expiries flip, so the alert quotes the API's and the dashboard's level. An evaluation without
    /// a flip forgets the side; one with the index exactly on the flip keeps the side it had.
    /// </summary>
    private void CheckGammaFlip(RuleState rule, DateTimeOffset now, List<Alert> alerts)
    {
        var figures = _analytics?.Get(rule.Asset, rule.Venue);
        var flip = figures?.Positioning.GexFlip ?? double.NaN;
        var index = figures?.IndexPrice ?? double.NaN;
        if (!double.IsFinite(flip) || !double.IsFinite(index))
        {
            rule.FlipSide = 0;
            Log.RuleHasNoValue(_logger, rule.Name, "no gamma flip within 30 % of the index");
            return;
        }
        var side = Math.Sign(index - flip);
        if (side == 0)
            return;
        var previous = rule.FlipSide;
        rule.FlipSide = side;
        if (previous == 0 || previous == side)
            return;
        if (rule.LastFiredAt is { } last && now - last < rule.Options.Cooldown)
            return;
        rule.LastFiredAt = now;
        var total = figures!.Positioning.TotalGex;
        var text = $"{rule.Name}: the index ({index:#,0.##}) crossed {(side > 0 ? "above" : "below")} the gamma flip ({flip:#,0.##})"
            + (double.IsFinite(total) ? $"; total GEX {total:+#,0;-#,0;0} USD per 1 % move" : "");
        alerts.Add(new Alert("rule", rule.Name, text, now) { Asset = rule.Asset, Value = index, Threshold = flip, Venue = rule.Venue?.Id });
    }

    private const string VolPoints = "vol points";

    /// <summary>
    /// A tenor rule's figure in vol points (the fraction × 100): from the coin's term structure in the shared snapshot,
    /// at the standard tenor itself when the rule's is one (the very number of <c>tenors[]</c> in the term endpoint),
    /// else interpolated the same way (<see cref="TermStructure.AtTenor"/>). Null where it cannot be formed.
    /// </summary>
    private double? AtTenorInVolPoints(RuleState rule)
    {
        if (AtTenor(rule) is not { } at)
            return null;
        var value = rule.Options.Kind switch
        {
            AlertRuleKind.RiskReversal => rule.Options.Delta == 10 ? at.Rr10 : at.Rr25,
            AlertRuleKind.Butterfly => rule.Options.Delta == 10 ? at.Bf10 : at.Bf25,
            _ => at.Vrp,
        };
        return MarketMeasures.OrNull(value) * 100;
    }

    /// <summary>
    /// The rule's tenor figures in the shared snapshot of its venue (or of every venue combined): at the standard tenor
    /// itself when the rule's is one, else interpolated the same way. Null without the analytics or options.
    /// </summary>
    private TenorFigures? AtTenor(RuleState rule)
    {
        if (_analytics?.Get(rule.Asset, rule.Venue) is not { } figures)
            return null;
        var days = rule.Options.TenorDays!.Value;
        foreach (var candidate in figures.Tenors)
        {
            if (candidate.TenorDays == days)
                return candidate;
        }
        return TermStructure.AtTenor(figures.Expiries, days, _analytics.Realised.At(figures.Coin, days));
    }

    /// <summary>
    /// The ATM IV rule's figure (fraction): the snapshot's, so the alert quotes the term endpoint's number for the same
    /// venue (or the combined one). A host without the analytics measures one venue's board directly; several venues'
    /// combined ATM IV exists only in the snapshot (never one curve over two venues' smiles), so there it has none.
    /// </summary>
    private double AtmIvAtTenor(RuleState rule, CoinIndex coin, DateTimeOffset now)
    {
        if (_analytics is not null)
            return AtTenor(rule)?.AtmIv ?? double.NaN;
        return coin.IsMultiVenue ? double.NaN : MarketMeasures.AtmIvAtTenor(coin, now, rule.Options.TenorDays!.Value);
    }

    private static void CheckOiJump(RuleState rule, CoinIndex coin, DateTimeOffset now, List<Alert> alerts)
    {
        // Keyed by (venue, symbol): the same symbol on two venues is two options with their own OI.
        var current = new Dictionary<InstrumentKey, double>(coin.Slots.Count);
        foreach (var slot in coin.Slots)
        {
            var oi = slot.ReadQuote().OpenInterest;
            if (double.IsFinite(oi))
                current[slot.Instrument.Key] = oi;
        }
        var baseline = rule.OiBaseline(now);
        rule.RecordOi(now, current);
        if (baseline is null)
            return;

        var threshold = rule.Options.Above!.Value;
        var jumps = new List<(InstrumentKey Key, double From, double To)>();
        foreach (var (key, oi) in current)
        {
            if (baseline.TryGetValue(key, out var before) && oi - before > threshold
                && !(rule.LastFiredBySymbol.TryGetValue(key, out var last) && now - last < rule.Options.Cooldown))
            {
                jumps.Add((key, before, oi));
            }
        }
        if (jumps.Count == 0)
            return;
        foreach (var jump in jumps)
            rule.LastFiredBySymbol[jump.Key] = now;
        // Forget cool-downs that are over, so delivered options do not pile up.
        foreach (var (key, last) in rule.LastFiredBySymbol.ToList())
        {
            if (now - last >= rule.Options.Cooldown)
                rule.LastFiredBySymbol.Remove(key);
        }

        jumps.Sort((x, y) => (y.To - y.From).CompareTo(x.To - x.From));
        var shown = string.Join(", ", jumps.Take(MaxSymbolsPerMessage).Select(j => $"{j.Key.Symbol} +{j.To - j.From:0.##} ({j.From:0.##} → {j.To:0.##})"));
        var more = jumps.Count > MaxSymbolsPerMessage ? $" and {jumps.Count - MaxSymbolsPerMessage} more" : "";
        var span = rule.Options.Window is { } window ? $"within {HealthAlerts.Format(window)}" : "since the last check";
        alerts.Add(new Alert("rule", rule.Name, $"{rule.Name}: OI up more than {threshold:0.##} {span}: {shown}{more}", now)
        {
            Asset = rule.Asset,
            Venue = rule.Venue?.Id,
            Value = jumps[0].To - jumps[0].From,
            Threshold = threshold,
            Symbols = [.. jumps.Select(j => j.Key.Symbol)],
        });
    }

    /// <summary>
    /// The <see cref="AlertRuleKind.VenueIvGap"/> rule: every option listed on more than one venue (same expiry, strike and
    /// type), its highest and lowest mark IV across them; an option whose gap, in vol points, rose above the threshold since
    /// the last evaluation (or is first seen above it) fires, and it is re-armed once back at or below it. An option
    /// without a mark IV on two venues keeps its state (missing is not a gap of 0). One alert per evaluation lists every
    /// option that crossed, widest first.
    /// </summary>
    private static void CheckVenueIvGap(RuleState rule, CoinIndex coin, DateTimeOffset now, List<Alert> alerts)
    {
        var threshold = rule.Options.Above!.Value;
        var crossed = new List<(OptionInstrument High, double HighIv, OptionInstrument Low, double LowIv, double Gap)>();
        var listed = new HashSet<(DateTimeOffset, decimal, OptionType)>();
        // The book orders a coin's slots by expiry, strike, type, then venue: one option's venues are one run.
        var slots = coin.Slots;
        for (var start = 0; start < slots.Count;)
        {
            var first = slots[start].Instrument;
            var end = start + 1;
            while (end < slots.Count && slots[end].Instrument.ExpiryUtc == first.ExpiryUtc
                && slots[end].Instrument.Strike == first.Strike && slots[end].Instrument.Type == first.Type)
                end++;
            if (end - start > 1 && (rule.Expiry is not { } only || DateOnly.FromDateTime(first.ExpiryUtc.UtcDateTime) == only))
            {
                var key = (first.ExpiryUtc, first.Strike, first.Type);
                listed.Add(key);
                OptionInstrument? high = null, low = null;
                double highIv = double.NaN, lowIv = double.NaN;
                for (var i = start; i < end; i++)
                {
                    var iv = slots[i].ReadQuote().MarkIv;
                    if (!MarketMeasures.TakesPart(iv))
                        continue;
                    if (high is null || iv > highIv)
                        (high, highIv) = (slots[i].Instrument, iv);
                    if (low is null || iv < lowIv)
                        (low, lowIv) = (slots[i].Instrument, iv);
                }
                if (high is not null && low is not null && !ReferenceEquals(high, low))
                {
                    var gap = (highIv - lowIv) * 100;
                    var above = gap > threshold;
                    var was = rule.GapAbove.TryGetValue(key, out var before) && before;
                    rule.GapAbove[key] = above;
                    if (above && !was)
                        crossed.Add((high, highIv, low, lowIv, gap));
                }
            }
            start = end;
        }
        // Options no longer on two venues (delivered, delisted on one) are forgotten: listed again, they start afresh.
        foreach (var key in rule.GapAbove.Keys.Where(k => !listed.Contains(k)).ToList())
            rule.GapAbove.Remove(key);
        if (crossed.Count == 0)
            return;
        crossed.Sort((x, y) => y.Gap.CompareTo(x.Gap));
        var shown = string.Join(", ", crossed.Take(MaxSymbolsPerMessage).Select(c =>
            $"{c.High.Symbol} {c.High.Venue.Id} {c.HighIv * 100:0.0} % vs {c.Low.Venue.Id} {c.LowIv * 100:0.0} % ({c.Gap:0.0} vol points)"));
        var more = crossed.Count > MaxSymbolsPerMessage ? $" and {crossed.Count - MaxSymbolsPerMessage} more" : "";
        alerts.Add(new Alert("rule", rule.Name, $"{rule.Name}: mark IVs more than {threshold:0.##} vol points apart: {shown}{more}", now)
        {
            Asset = rule.Asset,
            Value = crossed[0].Gap,
            Threshold = threshold,
            Symbols = [.. crossed.SelectMany(c => new[] { c.High.Symbol, c.Low.Symbol }).Distinct(StringComparer.Ordinal)],
        });
    }

    private sealed class RuleState
    {
        // OI snapshots for a windowed OI-jump rule: at most about this many within the window.
        private const int SnapshotsPerWindow = 60;

        private readonly Queue<(DateTimeOffset At, Dictionary<InstrumentKey, double> Oi)> _oi = new();

        public RuleState(AlertRuleOptions options)
        {
            Options = options;
            Asset = options.Asset.ToUpperInvariant();
            if (options.Expiry is { } expiry && AlertsOptionsValidator.TryParseExpiry(expiry, out var date))
                Expiry = date;
            Venue = AlertsOptionsValidator.VenueOf(options);
            Name = options.Name ?? DefaultName(options) + (Venue is { } venue ? $" on {venue.Id}" : "");
        }

        private string DefaultName(AlertRuleOptions options) =>
            options.Kind switch
            {
                AlertRuleKind.AtmIv => $"{Asset} {options.TenorDays:0.##}-day ATM IV",
                AlertRuleKind.PutCallOiRatio => Expiry is { } d ? $"{Asset} {ExpiryLabel.Format(d)} put/call OI ratio" : $"{Asset} put/call OI ratio",
                AlertRuleKind.RiskReversal => $"{Asset} {options.TenorDays:0.##}-day {options.Delta}Δ risk reversal",
                AlertRuleKind.Butterfly => $"{Asset} {options.TenorDays:0.##}-day {options.Delta}Δ butterfly",
                AlertRuleKind.VolRiskPremium => $"{Asset} {options.TenorDays:0.##}-day volatility risk premium",
                AlertRuleKind.GammaFlip => $"{Asset} gamma flip",
                AlertRuleKind.VenueIvGap => Expiry is { } g ? $"{Asset} {ExpiryLabel.Format(g)} venue IV gap" : $"{Asset} venue IV gap",
                _ => $"{Asset} OI jump",
            };

        public AlertRuleOptions Options { get; }

        /// <summary>The venue whose options and figures the rule reads; null for every venue's, combined.</summary>
        public Venue? Venue { get; }
        public string Asset { get; }
        public DateOnly? Expiry { get; }
        public string Name { get; }
        public DateTimeOffset? LastFiredAt { get; set; }

        /// <summary>A gamma-flip rule: which side of the flip the index was at the last evaluation (+1 above, −1 below, 0 unknown).</summary>
        public int FlipSide { get; set; }
        public Dictionary<InstrumentKey, DateTimeOffset> LastFiredBySymbol { get; } = [];

        /// <summary>A venue-IV-gap rule: per option on several venues (expiry, strike, type), whether its gap was above the threshold at the last evaluation.</summary>
        public Dictionary<(DateTimeOffset Expiry, decimal Strike, OptionType Type), bool> GapAbove { get; } = [];

        /// <summary>
        /// The OI to compare with: without a window, the previous evaluation's; with one, that of the last
        /// snapshot at least a window old (or the oldest kept while the rule is younger than its window).
        /// </summary>
        public Dictionary<InstrumentKey, double>? OiBaseline(DateTimeOffset now)
        {
            if (Options.Window is { } window)
            {
                while (_oi.Count > 1 && _oi.ElementAt(1).At <= now - window)
                    _oi.Dequeue();
            }
            return _oi.TryPeek(out var oldest) ? oldest.Oi : null;
        }

        public void RecordOi(DateTimeOffset now, Dictionary<InstrumentKey, double> oi)
        {
            if (Options.Window is not { } window)
            {
                _oi.Clear();
                _oi.Enqueue((now, oi));
                return;
            }
            // Keep a bounded number of snapshots per window: skip one taken too soon after the last.
            if (_oi.Count == 0 || now - _oi.Last().At >= window / SnapshotsPerWindow)
                _oi.Enqueue((now, oi));
        }
    }
}
