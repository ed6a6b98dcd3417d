using Microsoft.Extensions.Logging;

namespace OptionsTracker.Simulator;

/// <summary>
/// Makes the option trades: on the simulator's clock at <see cref="SimulatorOptions.TradesPerSecond"/> per coin, or when a
/// test asks. Each trade is consistent with the quote at that moment (price on the tick within the best bid and ask, the
/// taker buying near the ask or selling near the bid, size on the quantity step and at most the size quoted on that side,
/// IV implied by the price), gets a UUID id and the coin's next cross sequence, is remembered, and goes out to every
/// subscribed connection at once. Blocks (2 to 4 legs on one expiry) also go out on the RFQ stream. One lock per coin keeps
/// a coin's trades, their sequence and their messages in one order; the RFQ record has its own, taken inside it.
/// </summary>
internal sealed class TradeGenerator : IDisposable
{
    /// <summary>How often the clock-driven trades are drawn; trades drawn in one tick go out together.</summary>
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Most items in one <c>publicTrade</c> message: Bybit's 1,024 for futures and spot (trade.mdx; options unstated).</summary>
    public const int MaxTradesPerMessage = 1024;

    private readonly SimulatedMarket _market;
    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<string, byte[]> _publishTrades;
    private readonly Action<byte[]> _publishRfq;
    private readonly Dictionary<string, CoinTrades> _coins = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _rfqGate = new();
    private readonly List<SimulatedBlock> _rfqRecord = [];
    private ITimer? _timer;
    private DateTimeOffset _lastTick;
    private double _tradesPerSecond;

    /// <param name="market">The boards traded on.</param>
    /// <param name="options">Rate, blocks, memory, clock and seed.</param>
    /// <param name="logger">The simulator's logger.</param>
    /// <param name="publishTrades">Hands one <c>publicTrade</c> message of a coin to the connections (called under the coin's lock, in order).</param>
    /// <param name="publishRfq">Hands one <c>rfq.open.public.trades</c> message to the RFQ connections (in order).</param>
    public TradeGenerator(SimulatedMarket market, SimulatorOptions options, ILogger logger, Action<string, byte[]> publishTrades, Action<byte[]> publishRfq)
    {
        _market = market;
        _options = options;
        _time = options.TimeProvider;
        _logger = logger;
        _publishTrades = publishTrades;
        _publishRfq = publishRfq;
        _tradesPerSecond = options.TradesPerSecond;
        int n = 0;
        foreach (var board in market.Boards)
        {
            // A sequence that looks like Bybit's (nine or ten digits), different per coin, the same for the same seed.
            var random = new Random(options.Seed * 7919 + ++n);
            _coins[board.BaseCoin] = new CoinTrades(board, random, 1_000_000_000L + random.NextInt64(0, 500_000_000L));
        }
    }

    /// <summary>Trades per second per coin made on the clock; 0 stops them. Settable while running.</summary>
    public double TradesPerSecond
    {
        get => Volatile.Read(ref _tradesPerSecond);
        set
        {
            if (!double.IsFinite(value) || value < 0)
                throw new ArgumentOutOfRangeException(nameof(value), value, "TradesPerSecond must be zero or positive.");
            Volatile.Write(ref _tradesPerSecond, value);
        }
    }

    /// <summary>Starts the clock-driven trades (one-shot timer re-armed each tick, like the market's steps).</summary>
    public void Start()
    {
        _lastTick = _time.GetUtcNow();
        _timer = _time.CreateTimer(static state => ((TradeGenerator)state!).TickSafely(), this, TickInterval, Timeout.InfiniteTimeSpan); // state is this
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>A copy of a coin's remembered trades, oldest first.</summary>
    public IReadOnlyList<SimulatedTrade> Emitted(string baseCoin)
    {
        var coin = Coin(baseCoin);
        lock (coin.Gate)
            return [.. coin.Trades];
    }

    /// <summary>A copy of the remembered blocks, of one coin or all, oldest first.</summary>
    public IReadOnlyList<SimulatedBlock> Blocks(string? baseCoin)
    {
        lock (_rfqGate)
            return [.. _rfqRecord.Where(b => baseCoin is null || string.Equals(b.BaseCoin, baseCoin, StringComparison.OrdinalIgnoreCase))];
    }

    /// <summary>Whether a coin is listed here (recent-trade answers an empty list for any other).</summary>
    public bool Knows(string baseCoin) => _coins.ContainsKey(baseCoin);

    /// <summary>The newest trades of a coin, newest first, optionally of one symbol or one option type (<c>Call</c>/<c>Put</c>).</summary>
    public List<SimulatedTrade> Recent(string baseCoin, string? symbol, string? optionType, int limit)
    {
        var result = new List<SimulatedTrade>(Math.Min(limit, 1024));
        if (!_coins.TryGetValue(baseCoin, out var coin))
            return result;
        lock (coin.Gate)
        {
            for (int i = coin.Trades.Count - 1; i >= 0 && result.Count < limit; i--)
            {
                var trade = coin.Trades[i];
                if (symbol is not null && trade.Symbol != symbol)
                    continue;
                if (optionType is not null && OptionTypeOf(trade.Symbol) != optionType)
                    continue;
                result.Add(trade);
            }
        }

        return result;
    }

    /// <summary>
    /// Blocks newest first: traded (<c>updatedAt</c>) within [<paramref name="fromMs"/>, <paramref name="toMs"/>], after the
    /// block <paramref name="afterRfqId"/> (a cursor: the last one of the previous page), at most <paramref name="limit"/>;
    /// <paramref name="more"/> tells whether any are left.
    /// </summary>
    public List<SimulatedBlock> RecentBlocks(long fromMs, long toMs, string? afterRfqId, int limit, out bool more)
    {
        var result = new List<SimulatedBlock>(limit);
        more = false;
        lock (_rfqGate)
        {
            int start = _rfqRecord.Count - 1;
            if (afterRfqId is not null)
            {
                start = _rfqRecord.FindLastIndex(b => b.RfqId == afterRfqId) - 1;
                if (start < -1)
                    return result; // Forgotten (or never ours): nothing after it can be placed.
            }

            for (int i = start; i >= 0; i--)
            {
                var block = _rfqRecord[i];
                if (block.UpdatedAtMs > toMs || block.UpdatedAtMs < fromMs)
                    continue;
                if (result.Count == limit)
                {
                    more = true;
                    break;
                }

                result.Add(block);
            }
        }

        return result;
    }

    /// <summary>Makes <paramref name="count"/> ordinary trades on a coin now, published together; returns them.</summary>
    /// <exception cref="InvalidOperationException">The coin has no option with a quote to trade against.</exception>
    public IReadOnlyList<SimulatedTrade> EmitTrades(string baseCoin, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var coin = Coin(baseCoin);
        lock (coin.Gate)
        {
            var now = _time.GetUtcNow();
            var batch = new List<SimulatedTrade>(count);
            for (int i = 0; i < count; i++)
            {
                batch.Add(TryMakeTrade(coin, now)
                    ?? throw new InvalidOperationException($"No {coin.Board.BaseCoin} option has a quote to trade against."));
            }

            Publish(coin, now, batch, []);
            return batch;
        }
    }

    /// <summary>One trade on <paramref name="symbol"/> now, at the touch of its side (a buy at the ask, a sell at the bid).</summary>
    /// <exception cref="ArgumentException">Not listed, a bad side or size, or no quote on that side.</exception>
    public SimulatedTrade EmitTrade(string symbol, string side, double? size)
    {
        if (!_market.TryGetListed(symbol, out var instrument))
            throw new ArgumentException($"'{symbol}' is not a listed option.", nameof(symbol));
        bool buy = ParseSide(side);
        var coin = Coin(instrument.Info.BaseCoin);
        lock (coin.Gate)
        {
            var now = _time.GetUtcNow();
            var ticker = instrument.ReadTicker();
            double touch = buy ? ticker.AskPrice : ticker.BidPrice;
            double quoted = buy ? ticker.AskSize : ticker.BidSize;
            if (touch <= 0 || quoted <= 0)
                throw new ArgumentException($"{symbol} has no {(buy ? "ask" : "bid")} to trade against.", nameof(side));
            double step = (double)coin.Board.Profile.MinOrderQty;
            double qty = size ?? step;
            if (!IsOnStep(qty, step) || qty <= 0 || qty > quoted + step / 2)
                throw new ArgumentException($"size must be a positive multiple of {step} at most the {quoted} quoted, not {qty}.", nameof(size));
            var trade = Make(coin, instrument, in ticker, now, buy, touch, RoundToStep(qty, step, Math.Round), blockId: null)
                ?? throw new ArgumentException($"{symbol}'s {(buy ? "ask" : "bid")} {touch} implies no volatility.", nameof(symbol));
            Publish(coin, now, [trade], []);
            return trade;
        }
    }

    /// <summary>A block of 2 to 4 legs on one expiry of a coin, picked at random (straddle, strangle, vertical, butterfly, condor).</summary>
    /// <exception cref="InvalidOperationException">No expiry of the coin can carry such a block now.</exception>
    public SimulatedBlock EmitBlock(string baseCoin, int legs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(legs, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(legs, 4);
        var coin = Coin(baseCoin);
        lock (coin.Gate)
        {
            var now = _time.GetUtcNow();
            var block = TryMakeBlock(coin, now, legs)
                ?? throw new InvalidOperationException($"No {coin.Board.BaseCoin} expiry can carry a {legs}-leg block now.");
            Publish(coin, now, [.. block.Legs], [block]);
            return block;
        }
    }

    /// <summary>A block of the given legs (listed options of one coin), each priced at its mark within its quote.</summary>
    /// <exception cref="ArgumentException">No legs, legs of several coins, an unlisted option, a bad side or size.</exception>
    public SimulatedBlock EmitBlock(IReadOnlyList<BlockLeg> legs)
    {
        ArgumentNullException.ThrowIfNull(legs);
        if (legs.Count == 0)
            throw new ArgumentException("A block needs at least one leg.", nameof(legs));
        var instruments = new List<InstrumentState>(legs.Count);
        foreach (var leg in legs)
        {
            if (!_market.TryGetListed(leg.Symbol, out var instrument))
                throw new ArgumentException($"'{leg.Symbol}' is not a listed option.", nameof(legs));
            instruments.Add(instrument);
        }

        string baseCoin = instruments[0].Info.BaseCoin;
        if (instruments.Any(i => i.Info.BaseCoin != baseCoin))
            throw new ArgumentException("The legs of a block are options of one coin.", nameof(legs));
        var coin = Coin(baseCoin);
        double step = (double)coin.Board.Profile.MinOrderQty;
        foreach (var leg in legs)
        {
            if (!IsOnStep(leg.Size, step) || leg.Size <= 0)
                throw new ArgumentException($"A leg's size must be a positive multiple of {step}, not {leg.Size}.", nameof(legs));
        }

        lock (coin.Gate)
        {
            var now = _time.GetUtcNow();
            var planned = legs.Select((leg, i) => (instruments[i], ParseSide(leg.Side), RoundToStep(leg.Size, step, Math.Round))).ToList();
            var block = MakeBlock(coin, now, planned, "given")
                ?? throw new ArgumentException("A leg's quote implies no volatility at its mark.", nameof(legs));
            Publish(coin, now, [.. block.Legs], [block]);
            return block;
        }
    }

    private CoinTrades Coin(string baseCoin) =>
        _coins.TryGetValue(baseCoin, out var coin)
            ? coin
            : throw new ArgumentException($"'{baseCoin}' is not one of the simulator's base coins ({string.Join(", ", _coins.Keys)}).", nameof(baseCoin));

    private static bool ParseSide(string side) => side switch
    {
        "Buy" => true,
        "Sell" => false,
        _ => throw new ArgumentException($"side must be Buy or Sell, not '{side}'.", nameof(side)),
    };

    private void TickSafely()
    {
        try
        {
            Tick();
        }
        catch (Exception ex)
        {
            Log.TradeStepFailed(_logger, ex);
        }

        try
        {
            _timer?.Change(TickInterval, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed while ticking: the simulator is stopping.
        }
    }

    private void Tick()
    {
        var now = _time.GetUtcNow();
        // At most a second's worth per tick: a test clock advanced by hours makes one tick's trades, not a flood.
        double elapsed = Math.Clamp((now - _lastTick).TotalSeconds, 0, 1);
        _lastTick = now;
        double rate = TradesPerSecond;
        if (rate <= 0 || elapsed <= 0 || _options.ExternalMarket)
            return;
        foreach (var coin in _coins.Values)
        {
            lock (coin.Gate)
            {
                int count = Poisson(coin.Random, rate * elapsed);
                if (count == 0)
                    continue;
                var batch = new List<SimulatedTrade>(count);
                var blocks = new List<SimulatedBlock>();
                for (int i = 0; i < count; i++)
                {
                    if (_options.BlockEvery > 0 && coin.Random.Next(_options.BlockEvery) == 0
                        && TryMakeBlock(coin, now, coin.Random.Next(2, 5)) is { } block)
                    {
                        blocks.Add(block);
                        batch.AddRange(block.Legs);
                    }
                    else if (TryMakeTrade(coin, now) is { } trade)
                    {
                        batch.Add(trade);
                    }
                }

                Publish(coin, now, batch, blocks);
            }
        }
    }

    /// <summary>Remembers and sends a batch made together: its <c>publicTrade</c> messages, then one RFQ message per block. Under the coin's lock.</summary>
    private void Publish(CoinTrades coin, DateTimeOffset now, List<SimulatedTrade> batch, List<SimulatedBlock> blocks)
    {
        if (batch.Count == 0)
            return;
        coin.Trades.AddRange(batch);
        if (coin.Trades.Count > _options.TradesKept)
            coin.Trades.RemoveRange(0, coin.Trades.Count - _options.TradesKept);
        long ts = now.ToUnixTimeMilliseconds();
        for (int start = 0; start < batch.Count; start += MaxTradesPerMessage)
        {
            int count = Math.Min(MaxTradesPerMessage, batch.Count - start);
            _publishTrades(coin.Board.BaseCoin, TradeFrames.PublicTrade(NewUuid(coin.Random), coin.Board.BaseCoin, ts, batch, start, count));
        }

        Log.TradesEmitted(_logger, batch.Count, coin.Board.BaseCoin, batch[^1].Sequence);
        if (blocks.Count == 0)
            return;
        lock (_rfqGate)
        {
            foreach (var block in blocks)
            {
                _rfqRecord.Add(block);
                // The RFQ system stamps its message a little after the trade (the docs' example: 11 ms after updatedAt).
                _publishRfq(TradeFrames.RfqPush(NewUuid(coin.Random), ts, block));
                Log.BlockEmitted(_logger, block.RfqId, block.BaseCoin, block.Strategy, block.Legs.Count);
            }

            if (_rfqRecord.Count > _options.TradesKept)
                _rfqRecord.RemoveRange(0, _rfqRecord.Count - _options.TradesKept);
        }
    }

    /// <summary>An ordinary trade on an option picked by open interest (near the money and near expiries trade most).</summary>
    private static SimulatedTrade? TryMakeTrade(CoinTrades coin, DateTimeOffset now)
    {
        var profile = coin.Board.Profile;
        double tick = (double)profile.TickSize;
        double step = (double)profile.MinOrderQty;
        for (int attempt = 0; attempt < 20; attempt++)
        {
            var instrument = coin.Pick();
            if (instrument is null)
                return null;
            var ticker = instrument.ReadTicker();
            if (ticker.AskPrice <= 0 || ticker.MarkPrice <= 0)
                continue;
            bool buy = ticker.BidPrice <= 0 || coin.Random.Next(2) == 0;
            double quoted = buy ? ticker.AskSize : ticker.BidSize;
            long maxSteps = (long)Math.Floor(quoted / step + 1e-9);
            if (maxSteps < 1)
                continue;
            // Most takers hit the touch; some trade inside the spread (a resting order better than the quote), never past mid.
            long insideTicks = ticker.BidPrice > 0 ? (long)Math.Floor((ticker.AskPrice - ticker.BidPrice) / 2 / tick + 1e-9) : 0;
            long k = insideTicks > 0 && coin.Random.NextDouble() < 0.3 ? coin.Random.NextInt64(1, insideTicks + 1) : 0;
            double price = RoundToStep(buy ? ticker.AskPrice - k * tick : ticker.BidPrice + k * tick, tick, Math.Round);
            // Sizes: mostly small, now and then most of the quote.
            long steps = Math.Min(maxSteps, 1 + (long)Math.Floor(-Math.Log(1 - coin.Random.NextDouble()) * Math.Max(1, maxSteps / 6.0)));
            var trade = Make(coin, instrument, in ticker, now, buy, price, RoundToStep(steps * step, step, Math.Round), blockId: null);
            if (trade is not null)
                return trade;
        }

        return null;
    }

    /// <summary>A block of <paramref name="legs"/> legs on one expiry, by structure: 2 a straddle, strangle or vertical; 3 a butterfly; 4 a condor.</summary>
    private static SimulatedBlock? TryMakeBlock(CoinTrades coin, DateTimeOffset now, int legs)
    {
        double step = (double)coin.Board.Profile.MinOrderQty;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            var anchor = coin.Pick();
            if (anchor is null)
                return null;
            var expiry = coin.Board.Listed.Where(i => i.DeliveryTimeMs == anchor.DeliveryTimeMs && i.ReadTicker().AskPrice > 0).ToList();
            var strikes = expiry.GroupBy(i => i.Strike)
                .Where(g => g.Any(i => i.IsCall) && g.Any(i => !i.IsCall))
                .Select(g => g.Key).Order().ToList();
            if (strikes.Count < 5)
                continue;
            double forward = anchor.ReadTicker().UnderlyingPrice;
            int atm = 0;
            for (int i = 1; i < strikes.Count; i++)
            {
                if (Math.Abs(strikes[i] - forward) < Math.Abs(strikes[atm] - forward))
                    atm = i;
            }

            atm = Math.Clamp(atm, 2, strikes.Count - 3);
            InstrumentState Option(int strikeIndex, bool call) => expiry.First(i => i.Strike == strikes[strikeIndex] && i.IsCall == call);
            double size = RoundToStep(step * coin.Random.Next(20, 501), step, Math.Round);
            bool buy = coin.Random.Next(2) == 0;
            int width = coin.Random.Next(1, 3);
            (string Name, List<(InstrumentState, bool, double)> Legs) plan = legs switch
            {
                2 => coin.Random.Next(3) switch
                {
                    0 => ("straddle", [(Option(atm, true), buy, size), (Option(atm, false), buy, size)]),
                    1 => ("strangle", [(Option(atm + width, true), buy, size), (Option(atm - width, false), buy, size)]),
                    _ => ("vertical", coin.Random.Next(2) == 0
                        ? [(Option(atm, true), buy, size), (Option(atm + width, true), !buy, size)]
                        : [(Option(atm, false), buy, size), (Option(atm - width, false), !buy, size)]),
                },
                3 => ("butterfly", [(Option(atm - 1, true), buy, size), (Option(atm, true), !buy, RoundToStep(2 * size, step, Math.Round)), (Option(atm + 1, true), buy, size)]),
                _ => ("condor", [(Option(atm - 2, false), buy, size), (Option(atm - 1, false), !buy, size), (Option(atm + 1, true), !buy, size), (Option(atm + 2, true), buy, size)]),
            };
            if (MakeBlock(coin, now, plan.Legs, plan.Name) is { } block)
                return block;
        }

        return null;
    }

    /// <summary>
    /// The legs traded together at one time, each at its mark rounded to the tick and kept within its quote (an RFQ is
    /// negotiated near the marks; the legs' sizes are not limited by the book). Null when a leg's price implies no IV.
    /// </summary>
    private static SimulatedBlock? MakeBlock(CoinTrades coin, DateTimeOffset now, List<(InstrumentState Instrument, bool Buy, double Size)> legs, string strategy)
    {
        long nowMs = now.ToUnixTimeMilliseconds();
        long createdAt = nowMs - coin.Random.Next(500, 20_000);
        string rfqId = RfqId(coin.Random, createdAt);
        double tick = (double)coin.Board.Profile.TickSize;
        long nextSequence = coin.NextSequence;
        var made = new List<SimulatedTrade>(legs.Count);
        foreach (var (instrument, buy, size) in legs)
        {
            var ticker = instrument.ReadTicker();
            double floor = ticker.BidPrice > 0 ? ticker.BidPrice : tick;
            double price = Math.Clamp(RoundToStep(ticker.MarkPrice, tick, Math.Round), floor, Math.Max(floor, ticker.AskPrice));
            var leg = Make(coin, instrument, in ticker, now, buy, price, size, rfqId);
            if (leg is null)
            {
                coin.NextSequence = nextSequence; // None of this block's sequences were used.
                return null;
            }

            made.Add(leg);
        }

        return new SimulatedBlock(rfqId, coin.Board.BaseCoin, "custom", createdAt, nowMs, strategy, made);
    }

    /// <summary>The trade itself: its IV from its price on the expiry's forward at that time; null when the price implies none.</summary>
    private static SimulatedTrade? Make(CoinTrades coin, InstrumentState instrument, in SimulatedTicker ticker, DateTimeOffset now, bool buy, double price, double size, string? blockId)
    {
        double years = StrikeGrid.Years(instrument.Info.DeliveryTime, now);
        double iv = Black76.ImpliedVol(price, ticker.UnderlyingPrice, instrument.Strike, years, instrument.IsCall);
        if (!double.IsFinite(iv))
            return null;
        return new SimulatedTrade(
            NewUuid(coin.Random), instrument.Symbol, coin.Board.BaseCoin, now.ToUnixTimeMilliseconds(), buy ? "Buy" : "Sell", size, price,
            Math.Round(iv, 4), ticker.MarkPrice, ticker.MarkIv, ticker.IndexPrice, ticker.UnderlyingPrice,
            ticker.BidPrice, ticker.AskPrice, ticker.BidSize, ticker.AskSize,
            blockId is not null, blockId, coin.NextSequence++);
    }

    /// <summary>A random (version 4) UUID from the coin's seeded random, so the same seed gives the same ids.</summary>
    private static string NewUuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString("D");
    }

    /// <summary>Shaped like the docs' <c>rfqId</c>s (<c>1757579281847749169219132657134900</c>): the creation ms and 21 digits.</summary>
    private static string RfqId(Random random, long createdAtMs) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{createdAtMs}{random.NextInt64(0, 10_000_000_000L):D10}{random.NextInt64(0, 100_000_000_000L):D11}");

    private static int Poisson(Random random, double mean)
    {
        if (mean > 50)
        {
            // Normal approximation: a burst rate (thousands a second) would make Knuth's product underflow.
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
            double z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            return Math.Max(0, (int)Math.Round(mean + Math.Sqrt(mean) * z));
        }

        double limit = Math.Exp(-mean), product = random.NextDouble();
        int count = 0;
        while (product > limit)
        {
            count++;
            product *= random.NextDouble();
        }

        return count;
    }

    /// <summary><c>Call</c> or <c>Put</c> from a symbol's fourth part (<c>BTC-27MAR26-70000-P-USDT</c>).</summary>
    private static string OptionTypeOf(string symbol)
    {
        var parts = symbol.Split('-');
        return parts.Length > 3 && parts[3] == "C" ? "Call" : "Put";
    }

    private static bool IsOnStep(double value, double step) => double.IsFinite(value) && Math.Abs(value / step - Math.Round(value / step)) < 1e-6;

    private static double RoundToStep(double value, double step, Func<double, double> round) =>
        Math.Round(round(value / step) * step, 10);

    /// <summary>One coin's trade state; every field under <see cref="Gate"/>.</summary>
    private sealed class CoinTrades(CoinBoard board, Random random, long firstSequence)
    {
        private InstrumentState[]? _weightsFor;
        private double[] _cumulative = [];

        public Lock Gate { get; } = new();
        public CoinBoard Board { get; } = board;
        public Random Random { get; } = random;
        public List<SimulatedTrade> Trades { get; } = [];
        public long NextSequence { get; set; } = firstSequence;

        /// <summary>A listed option weighted by open interest; the weights are rebuilt when the listing changes.</summary>
        public InstrumentState? Pick()
        {
            var listed = Board.Listed;
            if (listed.Length == 0)
                return null;
            if (!ReferenceEquals(listed, _weightsFor))
            {
                _cumulative = new double[listed.Length];
                double sum = 0;
                for (int i = 0; i < listed.Length; i++)
                {
                    sum += Math.Max(listed[i].OpenInterestBase, 1e-9);
                    _cumulative[i] = sum;
                }

                _weightsFor = listed;
            }

            double target = Random.NextDouble() * _cumulative[^1];
            int index = Array.BinarySearch(_cumulative, target);
            return listed[Math.Min(index < 0 ? ~index : index, listed.Length - 1)];
        }
    }
}
