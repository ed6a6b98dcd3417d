using OptionsTracker.Book;

namespace OptionsTracker.Tape;

/// <summary>
/// The flow figures of a set of trades (docs/tape.md, "Flow"): the one definition the API (<c>/api/flow</c>) and the
/// dashboard show. Every figure is a plain sum over the trades, so a reader can recompute it from the trade items of
/// <c>/api/trades</c>:
/// <list type="bullet">
/// <item>volume = Σ size (contracts, base coin); premium = Σ price × size (USD);</item>
/// <item>buy/sell: the same sums over taker buys and taker sells; net = buy − sell;</item>
/// <item>net delta, gamma, vega = Σ side sign × size × the trade's Greek at trade time (<see cref="TradeGreeks"/>: taker
/// buys +1, sells −1), each Greek over the trades that have it (<see cref="FlowFigures.GreeksMissing"/> counts the others);</item>
/// <item>block share = block volume / volume and block premium / premium (null when there is no volume or premium).</item>
/// </list>
/// Not thread-safe: one builder per computation.
/// </summary>
public sealed class FlowBuilder
{
    /// <summary>The largest trades kept by default.</summary>
    public const int DefaultLargest = 10;

    private readonly FlowSums _total = new();
    private readonly Dictionary<decimal, FlowSums> _byStrike = [];
    private readonly Dictionary<DateTimeOffset, FlowSums> _byExpiry = [];
    private readonly FlowSums _calls = new();
    private readonly FlowSums _puts = new();
    private readonly int _largestCount;

    // The largest trades so far, smallest first (a min-heap by premium), so each new trade costs O(log n).
    private readonly PriorityQueue<Trade, Trade> _largest;

    public FlowBuilder(int largest = DefaultLargest)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(largest);
        _largestCount = largest;
        _largest = new PriorityQueue<Trade, Trade>(largest + 1, Comparer<Trade>.Create((a, b) => -CompareLargestFirst(a, b)));
    }

    /// <summary>Trades added.</summary>
    public int Count => _total.Trades;

    /// <summary>Adds one trade to every figure it belongs to.</summary>
    public void Add(Trade trade)
    {
        _total.Add(trade);
        if (!_byStrike.TryGetValue(trade.Strike, out var strike))
            _byStrike[trade.Strike] = strike = new FlowSums();
        strike.Add(trade);
        if (!_byExpiry.TryGetValue(trade.ExpiryUtc, out var expiry))
            _byExpiry[trade.ExpiryUtc] = expiry = new FlowSums();
        expiry.Add(trade);
        (trade.Type == OptionType.Call ? _calls : _puts).Add(trade);
        if (_largestCount > 0)
        {
            _largest.Enqueue(trade, trade);
            if (_largest.Count > _largestCount)
                _largest.Dequeue();
        }
    }

    public void AddRange(IEnumerable<Trade> trades)
    {
        foreach (var trade in trades)
            Add(trade);
    }

    /// <summary>Adds <paramref name="trades"/> and returns this builder.</summary>
    public FlowBuilder AddAll(IEnumerable<Trade> trades)
    {
        AddRange(trades);
        return this;
    }

    /// <summary>The figures of the trades added: totals, by strike (ascending), by expiry (soonest first), by type, the largest.</summary>
    public FlowFigureSet Build()
    {
        var largest = _largest.UnorderedItems.Select(i => i.Element).ToList();
        largest.Sort(CompareLargestFirst);
        return new FlowFigureSet(
            _total.ToFigures(),
            [.. _byStrike.OrderBy(p => p.Key).Select(p => new FlowStrike(p.Key, p.Value.ToFigures()))],
            [.. _byExpiry.OrderBy(p => p.Key).Select(p => new FlowExpiry(p.Key, p.Value.ToFigures()))],
            [new FlowType(OptionType.Call, _calls.ToFigures()), new FlowType(OptionType.Put, _puts.ToFigures())],
            largest);
    }

    /// <summary>
    /// The order of <see cref="FlowFigureSet.Largest"/>: premium descending, then the newer trade first, then the id
    /// (ordinal), so equal premiums list the same way on every instance.
    /// </summary>
    public static int CompareLargestFirst(Trade a, Trade b)
    {
        var byPremium = b.PremiumUsd.CompareTo(a.PremiumUsd);
        if (byPremium != 0)
            return byPremium;
        var byTime = b.TimeMs.CompareTo(a.TimeMs);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Id, b.Id);
    }

    /// <summary>The sums behind one <see cref="FlowFigures"/>.</summary>
    private sealed class FlowSums
    {
        public int Trades;
        private int _buyTrades;
        private int _blockTrades;
        private int _greeksMissing;
        private double _volume, _buyVolume, _sellVolume, _blockVolume, _callVolume, _putVolume;
        private double _premium, _buyPremium, _sellPremium, _blockPremium, _callPremium, _putPremium;
        private double _delta, _gamma, _vega;
        private HashSet<string>? _blockIds;
        private int _blocksWithoutId;

        public void Add(Trade trade)
        {
            var premium = trade.PremiumUsd;
            Trades++;
            _volume += trade.Size;
            _premium += premium;
            if (trade.Side == TradeSide.Buy)
            {
                _buyTrades++;
                _buyVolume += trade.Size;
                _buyPremium += premium;
            }
            else
            {
                _sellVolume += trade.Size;
                _sellPremium += premium;
            }
            if (trade.Type == OptionType.Call)
            {
                _callVolume += trade.Size;
                _callPremium += premium;
            }
            else
            {
                _putVolume += trade.Size;
                _putPremium += premium;
            }
            if (trade.IsBlock)
            {
                _blockTrades++;
                _blockVolume += trade.Size;
                _blockPremium += premium;
                if (trade.BlockId is { Length: > 0 } id)
                    (_blockIds ??= new HashSet<string>(StringComparer.Ordinal)).Add(id);
                else
                    _blocksWithoutId++;
            }
            var signedSize = trade.SideSign * trade.Size;
            var missing = false;
            if (double.IsFinite(trade.Delta))
                _delta += signedSize * trade.Delta;
            else
                missing = true;
            if (double.IsFinite(trade.Gamma))
                _gamma += signedSize * trade.Gamma;
            else
                missing = true;
            if (double.IsFinite(trade.Vega))
                _vega += signedSize * trade.Vega;
            else
                missing = true;
            if (missing)
                _greeksMissing++;
        }

        public FlowFigures ToFigures()
        {
            // Each sum is its own running total (sells are not total − buys), so a reader adding the same trades in the
            // same order gets the same bits.
            return new FlowFigures
            {
                Trades = Trades,
                BuyTrades = _buyTrades,
                SellTrades = Trades - _buyTrades,
                BlockTrades = _blockTrades,
                Blocks = (_blockIds?.Count ?? 0) + _blocksWithoutId,
                Volume = _volume,
                BuyVolume = _buyVolume,
                SellVolume = _sellVolume,
                NetVolume = _buyVolume - _sellVolume,
                CallVolume = _callVolume,
                PutVolume = _putVolume,
                PremiumUsd = _premium,
                BuyPremiumUsd = _buyPremium,
                SellPremiumUsd = _sellPremium,
                NetPremiumUsd = _buyPremium - _sellPremium,
                CallPremiumUsd = _callPremium,
                PutPremiumUsd = _putPremium,
                BlockVolume = _blockVolume,
                BlockPremiumUsd = _blockPremium,
                BlockShareVolume = _volume > 0 ? _blockVolume / _volume : null,
                BlockSharePremium = _premium > 0 ? _blockPremium / _premium : null,
                NetDelta = _delta,
                NetGamma = _gamma,
                NetVega = _vega,
                GreeksMissing = _greeksMissing,
            };
        }
    }
}

/// <summary>
/// The flow figures of a set of trades (<see cref="FlowBuilder"/> defines each). Volumes in contracts (base coin),
/// premiums in USD; net = taker buys − taker sells; net delta in base coin, net gamma per 1 USD of the underlying, net
/// vega USD per vol point (the units of <see cref="TradeGreeks"/>).
/// </summary>
public record FlowFigures
{
    public int Trades { get; init; }
    public int BuyTrades { get; init; }
    public int SellTrades { get; init; }

    /// <summary>Trades flagged as block trades (each leg counts).</summary>
    public int BlockTrades { get; init; }

    /// <summary>Distinct blocks: block ids, plus block trades without one (each its own block).</summary>
    public int Blocks { get; init; }

    public double Volume { get; init; }
    public double BuyVolume { get; init; }
    public double SellVolume { get; init; }
    public double NetVolume { get; init; }
    public double CallVolume { get; init; }
    public double PutVolume { get; init; }
    public double PremiumUsd { get; init; }
    public double BuyPremiumUsd { get; init; }
    public double SellPremiumUsd { get; init; }
    public double NetPremiumUsd { get; init; }
    public double CallPremiumUsd { get; init; }
    public double PutPremiumUsd { get; init; }
    public double BlockVolume { get; init; }
    public double BlockPremiumUsd { get; init; }

    /// <summary>Block volume / volume; null without volume.</summary>
    public double? BlockShareVolume { get; init; }

    /// <summary>Block premium / premium; null without premium.</summary>
    public double? BlockSharePremium { get; init; }

    public double NetDelta { get; init; }
    public double NetGamma { get; init; }
    public double NetVega { get; init; }

    /// <summary>Trades lacking at least one Greek (left out of that Greek's sum).</summary>
    public int GreeksMissing { get; init; }
}

/// <summary>The figures of the trades at one strike (every expiry and type).</summary>
public sealed record FlowStrike(decimal Strike, FlowFigures Figures);

/// <summary>The figures of the trades of one expiry.</summary>
public sealed record FlowExpiry(DateTimeOffset ExpiryUtc, FlowFigures Figures)
{
    /// <summary>The tracker's <c>26DEC25</c> label of the expiry.</summary>
    public string Label => ExpiryLabel.Format(DateOnly.FromDateTime(ExpiryUtc.UtcDateTime));
}

/// <summary>The figures of the calls or of the puts.</summary>
public sealed record FlowType(OptionType Type, FlowFigures Figures);

/// <summary>Every figure of a set of trades: totals, by strike, by expiry, by type, and the largest trades (by premium).</summary>
public sealed record FlowFigureSet(
    FlowFigures Total,
    IReadOnlyList<FlowStrike> ByStrike,
    IReadOnlyList<FlowExpiry> ByExpiry,
    IReadOnlyList<FlowType> ByType,
    IReadOnlyList<Trade> Largest);
