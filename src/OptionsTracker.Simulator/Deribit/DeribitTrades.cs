using System.Globalization;

namespace OptionsTracker.Simulator.Deribit;

/// <summary>
/// Deribit's trades: made on the clock (a Poisson process per currency) or on demand, each at the touch of the ticker it
/// trades against, published on <c>trades.option.{currency}.100ms</c> in one notification per batch, and remembered for
/// <c>public/get_last_trades_by_currency</c> and for tests (every trade once, whatever the connections did).
/// </summary>
internal sealed class DeribitTrades
{
    private readonly DeribitMarket _market;
    private readonly DeribitSimulatorOptions _options;
    private readonly Action<string, IReadOnlyList<DeribitTrade>> _publish;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<DeribitTrade>> _emitted = new(StringComparer.Ordinal);
    private readonly Random _random;
    private long _nextTradeId = 300_000_000;
    private long _nextBlockId = 5_000;
    private int _madeOnClock;
    private double _tradesPerSecond;

    public DeribitTrades(DeribitMarket market, DeribitSimulatorOptions options, Action<string, IReadOnlyList<DeribitTrade>> publish)
    {
        _market = market;
        _options = options;
        _publish = publish;
        _random = new Random(options.Seed + 7);
        _tradesPerSecond = options.TradesPerSecond;
    }

    public double TradesPerSecond
    {
        get => Volatile.Read(ref _tradesPerSecond);
        set
        {
            if (!double.IsFinite(value) || value < 0)
                throw new ArgumentOutOfRangeException(nameof(value), value, "Trades per second must be zero or positive.");
            Volatile.Write(ref _tradesPerSecond, value);
        }
    }

    public IReadOnlyList<DeribitTrade> Emitted(string currency)
    {
        lock (_gate)
            return _emitted.TryGetValue(currency, out var list) ? [.. list] : [];
    }

    /// <summary>Makes the trades due for <paramref name="elapsed"/> of clock time on every currency.</summary>
    public void Step(TimeSpan elapsed)
    {
        double rate = TradesPerSecond;
        if (rate <= 0)
            return;
        foreach (string currency in _market.Currencies)
        {
            int count;
            lock (_gate)
                count = Poisson(rate * elapsed.TotalSeconds);
            if (count == 0)
                continue;
            if (_options.BlockEvery > 0 && Interlocked.Increment(ref _madeOnClock) % _options.BlockEvery == 0)
                TryEmitBlock(currency, 2 + NextInt(3));
            else
                EmitTrades(currency, count, throwIfNone: false);
        }
    }

    public IReadOnlyList<DeribitTrade> EmitTrades(string currency, int count, bool throwIfNone = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var listed = _market.Listed(currency);
        if (listed.Count == 0)
        {
            if (throwIfNone)
                throw new InvalidOperationException($"No {currency} option is open to trade.");
            return [];
        }

        var trades = new List<DeribitTrade>(count);
        for (int i = 0; i < count * 4 && trades.Count < count; i++)
        {
            var listing = listed[NextInt(listed.Count)];
            if (Make(listing, NextInt(2) == 0 ? "buy" : "sell", null, null, 0) is { } trade)
                trades.Add(trade);
        }

        if (trades.Count == 0 && throwIfNone)
            throw new InvalidOperationException($"No {currency} option has a quote to trade against.");
        Record(currency, trades);
        return trades;
    }

    public DeribitTrade EmitTrade(string instrumentName, string direction, double? amount)
    {
        if (direction is not ("buy" or "sell"))
            throw new ArgumentException("Direction must be buy or sell.", nameof(direction));
        if (!_market.TryGetOpen(instrumentName, out var listing))
            throw new ArgumentException($"'{instrumentName}' is not an open option.", nameof(instrumentName));
        var trade = Make(listing, direction, amount, null, 0)
            ?? throw new ArgumentException($"'{instrumentName}' has nothing quoted on the {(direction == "buy" ? "ask" : "bid")}.", nameof(direction));
        Record(listing.Info.Currency, [trade]);
        return trade;
    }

    /// <summary>A block of <paramref name="legs"/> legs on one expiry of <paramref name="currency"/>, each leg at its mark.</summary>
    public IReadOnlyList<DeribitTrade> EmitBlock(string currency, int legs) =>
        TryEmitBlock(currency, legs) ?? throw new InvalidOperationException($"No {currency} expiry can carry a block of {legs} legs now.");

    private List<DeribitTrade>? TryEmitBlock(string currency, int legs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(legs, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(legs, 4);
        var byExpiry = _market.Listed(currency).GroupBy(l => l.ExpirationMs).Where(g => g.Count() >= legs).ToList();
        if (byExpiry.Count == 0)
            return null;
        var expiry = byExpiry[NextInt(byExpiry.Count)].ToList();
        string blockId = Interlocked.Increment(ref _nextBlockId).ToString(CultureInfo.InvariantCulture);
        var trades = new List<DeribitTrade>(legs);
        foreach (var listing in expiry.OrderBy(_ => NextInt(1 << 20)).Take(legs))
        {
            if (Make(listing, NextInt(2) == 0 ? "buy" : "sell", null, blockId, legs) is { } trade)
                trades.Add(trade);
        }

        if (trades.Count < 2)
            return null;
        Record(currency, trades);
        return trades;
    }

    private DeribitTrade? Make(ListedOption listing, string direction, double? amount, string? blockId, int legCount)
    {
        var info = listing.Info;
        var ticker = _market.Ticker(listing);
        bool buy = direction == "buy";
        double price = blockId is not null ? Math.Max(info.TickSize, DeribitMarket.RoundToStep(ticker.MarkPrice, info.TickSize, Math.Round))
            : buy ? ticker.BestAskPrice : ticker.BestBidPrice;
        double iv = blockId is not null ? ticker.MarkIv : buy ? ticker.AskIv : ticker.BidIv;
        double quoted = buy ? ticker.BestAskAmount : ticker.BestBidAmount;
        if (price <= 0 || (blockId is null && quoted <= 0))
            return null;
        double step = info.MinTradeAmount;
        double size = amount ?? step * (1 + NextInt(blockId is null ? 5 : 25));
        if (size < step || Math.Abs(size / step - Math.Round(size / step)) > 1e-9)
            throw new ArgumentException($"The amount must be a positive multiple of {step}.", nameof(amount));
        if (blockId is null)
            size = Math.Min(size, quoted);
        long seq = Interlocked.Increment(ref listing.TradeSeq);
        string id = Interlocked.Increment(ref _nextTradeId).ToString(CultureInfo.InvariantCulture);
        return new DeribitTrade(id, seq, ticker.Timestamp, info.InstrumentName, info.Currency, direction,
            price, size, Math.Round(size / info.ContractSize, 8), iv, ticker.IndexPrice, ticker.MarkPrice, buy ? 0 : 2, blockId, legCount);
    }

    private void Record(string currency, List<DeribitTrade> trades)
    {
        if (trades.Count == 0)
            return;
        lock (_gate)
        {
            if (!_emitted.TryGetValue(currency, out var list))
                _emitted[currency] = list = [];
            list.AddRange(trades);
            if (list.Count > _options.TradesKept)
                list.RemoveRange(0, list.Count - _options.TradesKept);
        }

        _publish(currency, trades);
    }

    private int NextInt(int max)
    {
        lock (_gate)
            return _random.Next(max);
    }

    private int Poisson(double mean)
    {
        double limit = Math.Exp(-Math.Min(mean, 50));
        int k = 0;
        double product = _random.NextDouble();
        while (product > limit)
        {
            k++;
            product *= _random.NextDouble();
        }

        return k;
    }
}
