using System.Globalization;
using OptionsTracker.Tape;

namespace OptionsTracker.Alerts;

/// <summary>
/// The trade rules (<see cref="AlertRuleKind.LargeTrade"/>, <see cref="AlertRuleKind.BlockTrade"/>) of one coin, checked
/// on its trades in tape order. The caller hands each trade in once (it reads the tape by sequence), so each trade
/// alerts at most once per rule; there is no cool-down. Trades made before <c>start</c> (the start-up backfill, the
/// Redis stream a web instance mirrors at start) are not alerted: they happened while nothing was watching, and an
/// alert for each would be a flood of old news at every restart. Used by one loop only: not thread-safe.
/// </summary>
internal sealed class TradeRules
{
    /// <summary>
    /// How long the legs of a block (trades sharing a block id) are gathered before its alert: the venue sends a block's
    /// legs together and the feed appends them together, but a reader woken by the first leg can read before the last
    /// is on the tape.
    /// </summary>
    public static readonly TimeSpan BlockSettle = TimeSpan.FromMilliseconds(250);

    private readonly Rule[] _large;
    private readonly Rule[] _blocks;
    private readonly long _startMs;
    // Legs of blocks with an id, by id, until BlockSettle after their first leg was read (insertion order kept in _order).
    private readonly Dictionary<string, PendingBlock> _pending = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public TradeRules(string coin, IEnumerable<AlertRuleOptions> rules, DateTimeOffset start)
    {
        Coin = coin.ToUpperInvariant();
        var all = rules.Select(r => new Rule(r, Coin)).ToList();
        _large = [.. all.Where(r => r.Options.Kind == AlertRuleKind.LargeTrade)];
        _blocks = [.. all.Where(r => r.Options.Kind == AlertRuleKind.BlockTrade)];
        _startMs = start.ToUnixTimeMilliseconds();
    }

    public string Coin { get; }

    public int Count => _large.Length + _blocks.Length;

    /// <summary>When the oldest block still gathering legs is due; null when none is.</summary>
    public DateTimeOffset? NextDue => _order.Count == 0 ? null : _pending[_order[0]].Due;

    /// <summary>
    /// Checks trades of the coin, in tape order, each once. Large trades alert at once; blocks with an id wait for
    /// their other legs (<see cref="FlushDue"/>). Returns how many were skipped as made before start.
    /// </summary>
    public int Check(IReadOnlyList<Trade> trades, DateTimeOffset now, List<Alert> alerts)
    {
        var skipped = 0;
        foreach (var trade in trades)
        {
            if (trade.TimeMs < _startMs)
            {
                skipped++;
                continue;
            }
            foreach (var rule in _large)
                CheckLarge(rule, trade, now, alerts);
            if (!trade.IsBlock || _blocks.Length == 0)
                continue;
            if (trade.BlockId is not { } id)
            {
                // A block without an id (the public trade stream's BT flag alone): it is its own block.
                AlertBlock([trade], blockId: null, now, alerts);
                continue;
            }
            if (!_pending.TryGetValue(id, out var pending))
            {
                _pending[id] = pending = new PendingBlock(now + BlockSettle);
                _order.Add(id);
            }
            pending.Legs.Add(trade);
        }
        return skipped;
    }

    /// <summary>Alerts the blocks whose legs have gathered for <see cref="BlockSettle"/>; all of them when <paramref name="all"/>.</summary>
    public void FlushDue(DateTimeOffset now, List<Alert> alerts, bool all = false)
    {
        while (_order.Count > 0)
        {
            var id = _order[0];
            var pending = _pending[id];
            if (!all && pending.Due > now)
                return;
            _order.RemoveAt(0);
            _pending.Remove(id);
            AlertBlock(pending.Legs, id, now, alerts);
        }
    }

    private void CheckLarge(Rule rule, Trade trade, DateTimeOffset now, List<Alert> alerts)
    {
        if (!trade.IsOn(rule.Venue))
            return;
        var (sizeAbove, premiumAbove) = (rule.Options.SizeAbove, rule.Options.PremiumAbove);
        var premium = trade.PremiumUsd;
        double value, threshold;
        string crossed;
        if (sizeAbove is { } s && trade.Size > s)
            (value, threshold, crossed) = (trade.Size, s, $"size above {s.ToString("#,0.####", CultureInfo.InvariantCulture)}");
        else if (premiumAbove is { } p && double.IsFinite(premium) && premium > p)
            (value, threshold, crossed) = (premium, p, $"premium above {p.ToString("#,0.##", CultureInfo.InvariantCulture)} USD");
        else
            return;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{rule.Name}: {Describe(trade)}, premium {premium:#,0} USD{Iv(trade)}; {crossed}");
        alerts.Add(new Alert("rule", rule.Name, text, now)
        {
            Asset = Coin,
            Value = value,
            Threshold = threshold,
            Symbols = [trade.Symbol],
            TradeIds = [trade.Id],
            BlockId = trade.BlockId,
            Venue = trade.Venue.Id,
        });
    }

    private void AlertBlock(List<Trade> legs, string? blockId, DateTimeOffset now, List<Alert> alerts)
    {
        // A block's size is its largest leg: the legs of a 100-lot spread are 100 each, not 200 together.
        var size = legs.Max(l => l.Size);
        var premium = legs.Sum(l => l.PremiumUsd);
        foreach (var rule in _blocks)
        {
            // A block's legs are one venue's (its block id is that venue's).
            if (rule.Options.SizeAbove is { } above && !(size > above) || !legs[0].IsOn(rule.Venue))
                continue;
            // "BTC block trade: 2 legs, block 9f3c…: buy 100 …; sell 100 …; premium 213,400 USD"
            var head = (legs.Count, blockId) switch
            {
                (1, null) => "",
                (1, { } id) => $"block {id}: ",
                (var n, null) => $"{n} legs: ",
                (var n, { } id) => $"{n} legs, block {id}: ",
            };
            var text = string.Create(CultureInfo.InvariantCulture,
                $"{rule.Name}: {head}{string.Join("; ", legs.Select(Describe))}; premium {premium:#,0} USD");
            if (rule.Options.SizeAbove is { } threshold)
                text += string.Create(CultureInfo.InvariantCulture, $"; size above {threshold:#,0.####}");
            alerts.Add(new Alert("rule", rule.Name, text, now)
            {
                Asset = Coin,
                Value = size,
                Threshold = rule.Options.SizeAbove,
                Symbols = [.. legs.Select(l => l.Symbol)],
                TradeIds = [.. legs.Select(l => l.Id)],
                BlockId = blockId,
                Venue = legs[0].Venue.Id,
            });
        }
    }

    /// <summary>"buy 25 BTC-27MAR30-120000-C at 1,234.5 USD": the taker's side, size, option and price.</summary>
    private static string Describe(Trade trade) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{(trade.Side == TradeSide.Buy ? "buy" : "sell")} {trade.Size:#,0.####} {trade.Symbol} at {trade.Price:#,0.##} USD");

    private static string Iv(Trade trade) =>
        !double.IsFinite(trade.Iv) ? ""
        : double.IsFinite(trade.MarkIv) ? string.Create(CultureInfo.InvariantCulture, $", IV {trade.Iv * 100:0.0} % (mark {trade.MarkIv * 100:0.0} %)")
        : string.Create(CultureInfo.InvariantCulture, $", IV {trade.Iv * 100:0.0} %");

    private sealed class Rule(AlertRuleOptions options, string coin)
    {
        public AlertRuleOptions Options { get; } = options;

        /// <summary>Only this venue's trades (<c>Venue</c>); null: every venue's.</summary>
        public Book.Venue? Venue { get; } = AlertsOptionsValidator.VenueOf(options);

        public string Name { get; } = options.Name ?? (options.Kind == AlertRuleKind.LargeTrade ? $"{coin} large trade" : $"{coin} block trade")
            + (AlertsOptionsValidator.VenueOf(options) is { } venue ? $" on {venue.Id}" : "");
    }

    private sealed class PendingBlock(DateTimeOffset due)
    {
        public DateTimeOffset Due { get; } = due;
        public List<Trade> Legs { get; } = [];
    }
}
