using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Diagnostics;
using OptionsTracker.Feed;
using OptionsTracker.Tape;

namespace OptionsTracker.Bybit;

/// <summary>
/// Bybit's trades on their way to the <see cref="TradeTape"/>: none lost across a drop while Bybit's recent-trade window
/// still holds it, none twice, in exchange order (docs/tape.md, "The feed").
/// <list type="bullet">
/// <item>Each coin's trades wait in a short queue kept in exchange order (<see cref="Trade.CompareByExchangeOrder"/>); its
/// head goes on the tape as soon as nothing holds it.</item>
/// <item>When a coin's <c>publicTrade</c> topic is acknowledged on a connection (the first, or a new one after a drop), the
/// coin recovers: its live trades are held while <c>/v5/market/recent-trade</c> is read; the answer is merged into the
/// queue and the queue released, so trades made while the connection was away go on before the later live ones. The
/// tape drops the ids it has (the REST window overlaps what the stream gave). When REST does not answer within
/// <see cref="BybitOptions.TradeBackfillTimeout"/>, the held trades go on and a possible gap is counted and logged.</item>
/// <item>A block trade (<c>BT</c>) waits up to <see cref="BybitOptions.BlockTradeWait"/> for its RFQ message, whose
/// <c>rfqId</c> becomes its <see cref="Trade.BlockId"/> (records on the tape never change afterwards); the trades after it
/// wait with it, to keep the order.</item>
/// </list>
/// Thread-safe: shards' receive loops, the RFQ stream, the backfill and the timer call in; one lock guards the queues and
/// the tape's appends, so appends keep the queue's order.
/// </summary>
public sealed class BybitTradeFeed
{
    // An RFQ message whose legs found no block trade yet (the stream may be ahead of publicTrade) is remembered this long.
    private static readonly TimeSpan LegMemory = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a coin's failed backfill keeps the feed's health Degraded (unless a later one succeeds): the tape may miss
    /// what the coin traded while its connection was down, and whoever watches /health should hear of it; the tape goes on
    /// with the live trades, so it is not a fault for ever.
    /// </summary>
    internal static readonly TimeSpan BackfillProblemMemory = TimeSpan.FromMinutes(15);
    private const int MaxRememberedLegs = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, CoinQueue> _coins = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<RememberedLeg> _legs = [];
    private readonly HashSet<string> _toRecover = new(StringComparer.OrdinalIgnoreCase);
    private readonly ChangeSignal _recoverRequested = new();
    private readonly OptionBook _book;
    private readonly TradeTape _tape;
    private readonly BybitOptions _options;
    private readonly TapeOptions _tapeOptions;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly BybitRestClient _rest;
    private readonly LogThrottle _retryLog;
    private readonly Lock _malformedLock = new();
    private long _malformedReportedAtMs;
    private long _malformedUnreported;
    private string? _malformedSample;
    private WebSocketShard? _rfqShard;

    // The RFQ backfill: asked on each (re)subscription of the RFQ topic; the block ids seen lately (stream or REST), so a
    // block read twice gives its legs nothing twice; set for good when Bybit wants a key for it.
    private readonly ChangeSignal _rfqBackfillRequested = new();
    private readonly HashSet<string> _seenRfqIds = new(StringComparer.Ordinal);
    private readonly Queue<string> _seenRfqOrder = new();
    private long _rfqBackfillsAsked;
    private long _rfqBackfillsRead;
    private long _rfqBlocksFromRest;
    private long _rfqBlocksDuplicate;
    private volatile string? _rfqBackfillRefused;

    /// <summary>Block ids remembered for de-duplication: far more blocks than Bybit's REST window (100) and a stream's burst.</summary>
    private const int SeenRfqIdsKept = 10_000;

    /// <summary>Blocks asked of <c>/v5/rfq/public-trades</c> per backfill: its documented maximum.</summary>
    internal const int RfqBackfillLimit = 100;

    private long _receivedStream;
    private long _receivedRest;
    private long _appended;
    private long _duplicates;
    private long _gaps;
    private long _malformed;
    private long _blockLegsMatched;
    private long _blockLegsUnmatched;
    private long _released;
    private long _recoveries;

    public BybitTradeFeed(OptionBook book, TradeTape tape, IOptions<BybitOptions> options, IOptions<TapeOptions> tapeOptions,
        TimeProvider time, ILoggerFactory loggerFactory, BybitRestClient rest, MetricsRegistry metrics)
    {
        _book = book;
        _tape = tape;
        _options = options.Value;
        _tapeOptions = tapeOptions.Value;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<BybitTradeFeed>();
        _rest = rest;
        _retryLog = new LogThrottle(time, LogThrottle.DefaultInterval);
        RegisterMetrics(metrics);
    }

    /// <summary>Whether trades are collected at all (<c>Tape:Enabled</c>).</summary>
    public bool Enabled => _tapeOptions.Enabled;

    /// <summary>The feed's counters and what it holds now (for /metrics and the feed's status).</summary>
    public TradeFeedStatus GetStatus()
    {
        int held;
        string[] recovering;
        TradeBackfillFailure[] failing;
        var since = NowMs() - (long)BackfillProblemMemory.TotalMilliseconds;
        lock (_lock)
        {
            held = _coins.Values.Sum(c => c.Pending.Count);
            recovering = [.. _coins.Where(c => c.Value.Recovering).Select(c => c.Key).Order(StringComparer.Ordinal)];
            failing = [.. _coins.Where(c => c.Value.FailedBackfills > 0 && c.Value.LastBackfillFailedAtMs >= since)
                .OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => new TradeBackfillFailure(c.Key, c.Value.FailedBackfills, DateTimeOffset.FromUnixTimeMilliseconds(c.Value.LastBackfillFailedAtMs), c.Value.LastBackfillFailure ?? "no answer"))];
        }
        return new TradeFeedStatus(
            Interlocked.Read(ref _receivedStream), Interlocked.Read(ref _receivedRest), Interlocked.Read(ref _appended),
            Interlocked.Read(ref _duplicates), Interlocked.Read(ref _gaps), Interlocked.Read(ref _malformed),
            Interlocked.Read(ref _blockLegsMatched), Interlocked.Read(ref _blockLegsUnmatched), Interlocked.Read(ref _recoveries),
            held, recovering, _rfqShard?.Status())
        {
            FailingBackfills = failing,
        };
    }

    /// <summary>A coin's options are tracked: its trades are welcome (its topic's acknowledgement starts its recovery).</summary>
    internal void Track(string coin)
    {
        lock (_lock)
        {
            if (!_coins.ContainsKey(coin))
                _coins[coin] = new CoinQueue();
        }
    }

    /// <summary>A coin is no longer tracked: what it still holds goes on the tape, and it is forgotten.</summary>
    internal void Untrack(string coin)
    {
        lock (_lock)
        {
            if (!_coins.Remove(coin, out var queue))
                return;
            _toRecover.Remove(coin);
            queue.Recovering = false;
            ReleaseLocked(queue, long.MaxValue, force: true);
        }
    }

    /// <summary>Every connection closed (another process collects now): what is held goes on, and every coin is forgotten.</summary>
    internal void StopAll()
    {
        lock (_lock)
        {
            foreach (var queue in _coins.Values)
            {
                queue.Recovering = false;
                ReleaseLocked(queue, long.MaxValue, force: true);
            }
            _coins.Clear();
            _toRecover.Clear();
        }
    }

    /// <summary>
    /// The coin's trade topic was (re)subscribed: hold its live trades and read what the connection missed from REST.
    /// Called on the receive loop before any frame of the new subscription.
    /// </summary>
    internal void Recover(string coin)
    {
        lock (_lock)
        {
            if (!_coins.TryGetValue(coin, out var queue))
                _coins[coin] = queue = new CoinQueue();
            queue.Recovering = true;
            queue.RecoveringSinceMs = NowMs();
            queue.Generation++;
            _toRecover.Add(coin);
        }
        Interlocked.Increment(ref _recoveries);
        _recoverRequested.Notify();
    }

    /// <summary>
    /// The trades of one <c>publicTrade</c> frame (<paramref name="badItems"/> of its items were not trades). Returns how many
    /// were taken (a symbol neither in the book nor readable as a Bybit option symbol is not).
    /// </summary>
    internal int ReceiveFrame(List<RawTrade> raws, int badItems, ReadOnlySpan<byte> frame, long receivedAtMs)
    {
        var trades = ToTrades(raws, ref badItems);
        if (badItems > 0)
            CountMalformed(badItems, frame, receivedAtMs);
        Interlocked.Add(ref _receivedStream, trades.Count);
        if (trades.Count > 0)
            Receive(trades, receivedAtMs);
        return trades.Count;
    }

    /// <summary>The blocks of one RFQ message: their option legs give the matching block trades their block id.</summary>
    internal void ReceiveBlocks(List<RfqBlock> blocks, long receivedAtMs)
    {
        lock (_lock)
        {
            var touched = new HashSet<CoinQueue>();
            foreach (var block in blocks)
            {
                if (!_seenRfqIds.Add(block.RfqId))
                {
                    // The stream and the REST backfill overlap: a block seen already gave its legs their id then.
                    Interlocked.Increment(ref _rfqBlocksDuplicate);
                    continue;
                }
                _seenRfqOrder.Enqueue(block.RfqId);
                if (_seenRfqOrder.Count > SeenRfqIdsKept)
                    _seenRfqIds.Remove(_seenRfqOrder.Dequeue());
                foreach (var leg in block.Legs)
                {
                    // Spot and linear legs have no option trade to name; an RFQ leg without a category is tried.
                    if (leg.Category.Length > 0 && !leg.Category.Equals("option", StringComparison.OrdinalIgnoreCase))
                        continue;
                    if (TryGiveBlockId(leg, block.RfqId, out var queue))
                    {
                        touched.Add(queue);
                        continue;
                    }
                    if (_legs.Count >= MaxRememberedLegs)
                        _legs.RemoveAt(0);
                    _legs.Add(new RememberedLeg(leg, block.RfqId, receivedAtMs));
                }
            }
            foreach (var queue in touched)
                ReleaseLocked(queue, receivedAtMs, force: false);
        }
    }

    /// <summary>
    /// Takes trades into their coins' queues (in any order; they are sorted in), drops those already queued, and releases
    /// what nothing holds.
    /// </summary>
    internal void Receive(IReadOnlyList<Trade> trades, long nowMs)
    {
        lock (_lock)
        {
            var touched = new HashSet<CoinQueue>();
            foreach (var incoming in trades)
            {
                if (!_coins.TryGetValue(incoming.BaseCoin, out var queue))
                    _coins[incoming.BaseCoin] = queue = new CoinQueue();
                if (!queue.Ids.Add(incoming.Id))
                {
                    Interlocked.Increment(ref _duplicates);
                    continue;
                }
                var trade = incoming;
                if (trade is { IsBlock: true, BlockId: null })
                {
                    if (TakeRememberedLeg(trade) is { } rfqId)
                    {
                        trade = trade with { BlockId = rfqId };
                        Interlocked.Increment(ref _blockLegsMatched);
                    }
                    else
                    {
                        queue.AwaitingBlockUntilMs[trade.Id] = nowMs + (long)_options.BlockTradeWait.TotalMilliseconds;
                    }
                }
                queue.Insert(trade);
                touched.Add(queue);
            }
            foreach (var queue in touched)
            {
                if (queue.Pending.Count > _options.TradeHoldLimit)
                {
                    // Holding more would grow without bound: the trades go on in order, without waiting for the backfill
                    // (whose older trades, if any, then go on after them).
                    Log.TradesHeldOverflow(_logger, CoinOf(queue), _options.TradeHoldLimit);
                    ReleaseLocked(queue, nowMs, force: true);
                }
                else
                {
                    ReleaseLocked(queue, nowMs, force: false);
                }
            }
        }
    }

    /// <summary>
    /// Ends a coin's recovery with the REST answer (null when it failed): merged into the queue, which is released.
    /// <paramref name="fullPage"/>: the answer had as many trades as asked, so older ones may exist that it did not give.
    /// </summary>
    internal void CompleteRecovery(string coin, int generation, IReadOnlyList<Trade>? backfill, bool fullPage, string? failure)
    {
        var now = NowMs();
        lock (_lock)
        {
            if (!_coins.TryGetValue(coin, out var queue))
                return; // untracked meanwhile
            var newest = _tape.Newest(coin, 1, t => t.Venue == Venue.Bybit) is [var last] ? last : null;
            if (backfill is null)
            {
                Interlocked.Increment(ref _gaps);
                Log.TradeBackfillFailed(_logger, coin, failure ?? "no answer", queue.Pending.Count);
                queue.FailedBackfills++;
                queue.LastBackfillFailedAtMs = now;
                queue.LastBackfillFailure = failure ?? "no answer";
            }
            else
            {
                queue.FailedBackfills = 0;
                Interlocked.Add(ref _receivedRest, backfill.Count);
                // The answer overlaps what the queue and the tape have: the queue drops ids it holds, the tape ids it has.
                foreach (var trade in backfill)
                {
                    if (!queue.Ids.Add(trade.Id))
                        continue; // held already, from the stream: not a duplicate delivered, just the overlap
                    var taken = trade;
                    if (taken is { IsBlock: true, BlockId: null })
                    {
                        if (TakeRememberedLeg(taken) is { } rfqId)
                        {
                            taken = taken with { BlockId = rfqId };
                            Interlocked.Increment(ref _blockLegsMatched);
                        }
                        else
                        {
                            queue.AwaitingBlockUntilMs[taken.Id] = now + (long)_options.BlockTradeWait.TotalMilliseconds;
                        }
                    }
                    queue.Insert(taken);
                }
                if (fullPage && newest is not null && backfill.Count > 0)
                {
                    var oldest = backfill.Min(t => t.TimeMs);
                    if (oldest > newest.TimeMs)
                    {
                        // The window starts after the newest trade the tape had: trades in between may be missing.
                        Interlocked.Increment(ref _gaps);
                        Log.TradeGap(_logger, coin, newest.Time, DateTimeOffset.FromUnixTimeMilliseconds(oldest), backfill.Count);
                    }
                }
            }
            if (generation == queue.Generation)
                queue.Recovering = false;
            ReleaseLocked(queue, now, force: false);
        }
    }

    /// <summary>
    /// While collecting: reads the backfills the coins ask for, releases held block trades whose wait is over, and reads the
    /// RFQ stream (when <see cref="BybitOptions.RfqWsUrl"/> is set). Ends when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
            return;
        var tasks = new List<Task> { RecoverLoopAsync(cancellationToken), TickLoopAsync(cancellationToken) };
        if (!string.IsNullOrEmpty(_options.RfqWsUrl))
        {
            tasks.Add(RunRfqStreamAsync(new Uri(_options.RfqWsUrl), cancellationToken));
            tasks.Add(RfqBackfillLoopAsync(cancellationToken));
        }
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped collecting.
        }
    }

    private async Task RecoverLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var requested = _recoverRequested.NextAsync();
            List<(string Coin, int Generation)> coins;
            lock (_lock)
            {
                coins = [.. _toRecover.Where(_coins.ContainsKey).Select(c => (c, _coins[c].Generation))];
                _toRecover.Clear();
            }
            if (coins.Count == 0)
            {
                await requested.WaitAsync(cancellationToken);
                continue;
            }
            // One request per coin, all at once: after an outage every coin asks together.
            await Task.WhenAll(coins.Select(c => BackfillAsync(c.Coin, c.Generation, cancellationToken)));
        }
    }

    /// <summary>The RFQ topic was (re)subscribed: the blocks executed while it was away are read back from REST.</summary>
    internal void RecoverBlocks()
    {
        Interlocked.Increment(ref _rfqBackfillsAsked);
        _rfqBackfillRequested.Notify();
    }

    /// <summary>What the RFQ backfill did: backfills asked and read, blocks read from REST, blocks dropped as already seen, and why it stopped for good (a key wanted).</summary>
    internal (long Asked, long Read, long Blocks, long Duplicates, string? Refused) RfqBackfillStatus =>
        (Interlocked.Read(ref _rfqBackfillsAsked), Interlocked.Read(ref _rfqBackfillsRead), Interlocked.Read(ref _rfqBlocksFromRest),
            Interlocked.Read(ref _rfqBlocksDuplicate), _rfqBackfillRefused);

    /// <summary>
    /// Reads <c>/v5/rfq/public-trades</c> whenever the RFQ topic is (re)subscribed (at start and after each reconnect): the
    /// blocks executed while the stream was away give their held legs their block id like the stream's would (the legs wait
    /// <see cref="BybitOptions.BlockTradeWait"/> for it). Retried with backoff within <see cref="BybitOptions.TradeBackfillTimeout"/>;
    /// a refusal that asks for a key (Bybit's auth retCodes, HTTP 401) stops it for good, logged once.
    /// </summary>
    private async Task RfqBackfillLoopAsync(CancellationToken cancellationToken)
    {
        long done = 0;
        while (!cancellationToken.IsCancellationRequested && _rfqBackfillRefused is null)
        {
            var signal = _rfqBackfillRequested.NextAsync();
            var asked = Interlocked.Read(ref _rfqBackfillsAsked);
            if (asked == done)
            {
                await signal.WaitAsync(cancellationToken);
                continue;
            }
            done = asked;
            await RfqBackfillAsync(cancellationToken);
        }
    }

    private async Task RfqBackfillAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.TradeBackfillTimeout);
        var backoff = new Backoff(_options.RestRetryDelay, _options.MaxRestRetryDelay);
        while (true)
        {
            try
            {
                var blocks = await _rest.GetRfqPublicTradesAsync(RfqBackfillLimit, timeout.Token);
                var before = Interlocked.Read(ref _rfqBlocksDuplicate);
                // Blocks older than a leg is remembered cannot name a trade still waiting: not remembered as legs.
                var now = NowMs();
                ReceiveBlocks([.. blocks.Where(b => b.UpdatedAtMs >= now - (long)LegMemory.TotalMilliseconds)], now);
                Interlocked.Add(ref _rfqBlocksFromRest, blocks.Count);
                Interlocked.Increment(ref _rfqBackfillsRead);
                Log.RfqBackfill(_logger, blocks.Count, (int)(blocks.Count - (Interlocked.Read(ref _rfqBlocksDuplicate) - before)));
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (ex is BybitApiException { RetCode: 10003 or 10004 or 10005 or 10007 or 10010 } or HttpRequestException { StatusCode: System.Net.HttpStatusCode.Unauthorized })
                {
                    _rfqBackfillRefused = ex.Message;
                    Log.RfqBackfillNeedsKey(_logger, ex.Message);
                    return;
                }
                if (timeout.IsCancellationRequested || ex is BybitApiException { IsParameterError: true })
                {
                    Log.RfqBackfillFailed(_logger, timeout.IsCancellationRequested ? $"no answer within {_options.TradeBackfillTimeout}" : ex.Message);
                    return;
                }
                var delay = backoff.Next();
                Log.RfqBackfillRetry(_logger, ex.Message, delay);
                try
                {
                    await Task.Delay(delay, _time, timeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    Log.RfqBackfillFailed(_logger, $"no answer within {_options.TradeBackfillTimeout} (last: {ex.Message})");
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Reads the coin's recent trades through the REST client (its gate waits out an IP ban), retrying with backoff until
    /// <see cref="BybitOptions.TradeBackfillTimeout"/>; then ends the coin's recovery either way.
    /// </summary>
    private async Task BackfillAsync(string coin, int generation, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.TradeBackfillTimeout);
        var backoff = new Backoff(_options.RestRetryDelay, _options.MaxRestRetryDelay);
        var limit = _options.RecentTradesLimit;
        string? failure = null;
        while (true)
        {
            try
            {
                var answer = await _rest.GetRecentTradesAsync(coin, limit, timeout.Token);
                var bad = answer.BadItems;
                var trades = ToTrades(answer.Trades, ref bad);
                if (bad > 0)
                    CountMalformed(bad, Encoding.UTF8.GetBytes($"{bad} items of /v5/market/recent-trade for {coin}"), NowMs());
                var before = Interlocked.Read(ref _appended);
                CompleteRecovery(coin, generation, trades, answer.Trades.Count + answer.BadItems >= limit, null);
                Log.TradeBackfill(_logger, coin, trades.Count, Interlocked.Read(ref _appended) - before);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = timeout.IsCancellationRequested ? $"no answer within {_options.TradeBackfillTimeout}" : ex.Message;
                if (timeout.IsCancellationRequested || ex is BybitApiException { IsParameterError: true })
                    break;
                var delay = backoff.Next();
                if (_retryLog.ShouldLog(ex.GetType().Name))
                    Log.TradeBackfillRetry(_logger, coin, ex.Message, delay);
                try
                {
                    await Task.Delay(delay, _time, timeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = $"no answer within {_options.TradeBackfillTimeout} (last: {ex.Message})";
                    break;
                }
            }
        }
        CompleteRecovery(coin, generation, null, fullPage: false, failure);
    }

    /// <summary>Releases block trades whose wait is over, and recoveries that outlived their backfill (none should).</summary>
    private async Task TickLoopAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromMilliseconds(Math.Clamp(_options.BlockTradeWait.TotalMilliseconds / 4, 20, 250));
        using var timer = new PeriodicTimer(period, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
            Tick(NowMs());
    }

    internal void Tick(long nowMs)
    {
        // A recovery is ended by its backfill; one still on long after the backfill's timeout lost its request (e.g. its
        // coin was asked for while this process was not collecting): its trades go on, and the gap is counted.
        var stale = (long)(_options.TradeBackfillTimeout.TotalMilliseconds * 2) + 1000;
        lock (_lock)
        {
            foreach (var (coin, queue) in _coins)
            {
                if (queue.Recovering && nowMs - queue.RecoveringSinceMs > stale && !_toRecover.Contains(coin))
                {
                    queue.Recovering = false;
                    Interlocked.Increment(ref _gaps);
                    Log.TradeBackfillFailed(_logger, coin, "the backfill never ended", queue.Pending.Count);
                }
                ReleaseLocked(queue, nowMs, force: false);
            }
            var forgetBefore = nowMs - (long)LegMemory.TotalMilliseconds;
            _legs.RemoveAll(l => l.ReceivedAtMs < forgetBefore);
        }
    }

    /// <summary>The RFQ stream on one connection, with the option shard's pings, subscribe, acks and reconnects.</summary>
    private async Task RunRfqStreamAsync(Uri url, CancellationToken cancellationToken)
    {
        var options = _options.ForStream(url);
        // One connection: its reconnects are already paced by backoff; this only keeps a flapping one within Bybit's limit.
        using var connects = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = 50,
            Window = TimeSpan.FromMinutes(5),
            SegmentsPerWindow = 10,
            QueueLimit = int.MaxValue,
        });
        var logger = _loggerFactory.CreateLogger<WebSocketShard>();
        var gate = new ExchangeGate(url, options, _time, logger);
        var shard = new WebSocketShard(0, _book, options, _time, connects, gate, logger, _ => { }, [new RfqTopicHandler(this)]);
        shard.Assign([RfqTopicHandler.Topic]);
        _rfqShard = shard;
        Log.RfqStreamStarting(_logger, url, RfqTopicHandler.Topic);
        await shard.RunAsync(cancellationToken);
    }

    /// <summary>Gives a matching queued block trade (same symbol, size and price, no block id yet) this block's id.</summary>
    private bool TryGiveBlockId(RfqLeg leg, string rfqId, out CoinQueue queue)
    {
        queue = null!;
        var coin = BybitSymbol.TryParse(leg.Symbol, out var parsed) ? parsed.BaseCoin : null;
        if (coin is null || !_coins.TryGetValue(coin, out var found))
            return false;
        var pending = found.Pending;
        for (var i = 0; i < pending.Count; i++)
        {
            var trade = pending[i];
            if (trade is { IsBlock: true, BlockId: null } && Matches(trade, leg))
            {
                pending[i] = trade with { BlockId = rfqId };
                found.AwaitingBlockUntilMs.Remove(trade.Id);
                Interlocked.Increment(ref _blockLegsMatched);
                queue = found;
                return true;
            }
        }
        return false;
    }

    /// <summary>The block id of a remembered RFQ leg matching this block trade, taken from memory; null when none matches.</summary>
    private string? TakeRememberedLeg(Trade trade)
    {
        for (var i = 0; i < _legs.Count; i++)
        {
            if (Matches(trade, _legs[i].Leg))
            {
                var rfqId = _legs[i].RfqId;
                _legs.RemoveAt(i);
                return rfqId;
            }
        }
        return null;
    }

    /// <summary>
    /// A leg is this trade when symbol, quantity and price agree. The side is not compared: the RFQ stream documents it as
    /// the inquiry's direction, publicTrade as the taker's, and the documentation does not say they are the same party.
    /// </summary>
    private static bool Matches(Trade trade, RfqLeg leg) =>
        string.Equals(trade.Symbol, leg.Symbol, StringComparison.Ordinal)
        && Near(trade.Size, leg.Qty)
        && (double.IsNaN(leg.Price) || Near(trade.Price, leg.Price));

    private static bool Near(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));

    /// <summary>
    /// Appends the queue's head up to the first trade something holds (a recovery holds all; a block trade waiting for its
    /// RFQ message holds itself and what follows). <paramref name="force"/> releases everything.
    /// </summary>
    private void ReleaseLocked(CoinQueue queue, long nowMs, bool force)
    {
        if (queue.Pending.Count == 0 || (queue.Recovering && !force))
            return;
        var count = 0;
        while (count < queue.Pending.Count)
        {
            var trade = queue.Pending[count];
            if (queue.AwaitingBlockUntilMs.TryGetValue(trade.Id, out var until))
            {
                if (until > nowMs && !force)
                    break;
                queue.AwaitingBlockUntilMs.Remove(trade.Id);
                Interlocked.Increment(ref _blockLegsUnmatched);
            }
            count++;
        }
        if (count == 0)
            return;
        var ready = queue.Pending.GetRange(0, count);
        queue.Pending.RemoveRange(0, count);
        foreach (var trade in ready)
            queue.Ids.Remove(trade.Id);
        var appended = _tape.Append(ready);
        Interlocked.Add(ref _appended, appended.Count);
        Interlocked.Add(ref _duplicates, ready.Count - appended.Count);
        Interlocked.Add(ref _released, ready.Count);
    }

    /// <summary>
    /// The tape's trades for Bybit's items: the option's expiry, strike, type and underlying price from the book, or, for a
    /// symbol the book does not hold (not tracked by the filter, just listed, delivered), from the symbol itself (its
    /// expiry at 08:00 UTC, the index price for the Greeks): a trade of the coin belongs on its tape either way. An item
    /// whose symbol is not a Bybit option symbol is counted in <paramref name="badItems"/> and dropped.
    /// </summary>
    internal List<Trade> ToTrades(IReadOnlyList<RawTrade> raws, ref int badItems)
    {
        var trades = new List<Trade>(raws.Count);
        var index = _book.Index;
        foreach (var raw in raws)
        {
            string coin;
            DateTimeOffset expiry;
            decimal strike;
            OptionType type;
            var underlying = double.NaN;
            var symbol = raw.Symbol;
            if (index.TryGetSlot(Venue.Bybit, raw.Symbol, out var slot))
            {
                var instrument = slot.Instrument;
                // The book's own string, not the frame's copy: the tape keeps a trade for minutes, and every string it
                // holds of its own is copied by each collection until it reaches the old generation.
                symbol = instrument.Symbol;
                (coin, expiry, strike, type) = (instrument.BaseCoin, instrument.ExpiryUtc, instrument.Strike, instrument.Type);
                underlying = slot.ReadQuote().UnderlyingPrice;
            }
            else if (BybitSymbol.TryParse(raw.Symbol, out var parsed))
            {
                (coin, expiry, strike, type) = (parsed.BaseCoin, parsed.ImpliedDeliveryUtc, parsed.Strike, parsed.Type);
            }
            else
            {
                badItems++;
                continue;
            }
            var trade = new Trade
            {
                Venue = Venue.Bybit,
                Id = raw.Id,
                Symbol = symbol,
                BaseCoin = coin,
                ExpiryUtc = expiry,
                Strike = strike,
                Type = type,
                TimeMs = raw.TimeMs,
                Side = raw.Side,
                Size = raw.Size,
                Price = raw.Price,
                Iv = raw.Iv,
                MarkIv = raw.MarkIv,
                MarkPrice = raw.MarkPrice,
                IndexPrice = raw.IndexPrice,
                IsBlock = raw.IsBlock,
                ExchangeSequence = raw.Sequence,
            };
            trades.Add(TradeGreeks.With(trade, underlying));
        }
        return trades;
    }

    /// <summary>Counts unreadable trade items; one log line per 10 s at most, with a count and a sample.</summary>
    private void CountMalformed(int count, ReadOnlySpan<byte> sample, long nowMs)
    {
        Interlocked.Add(ref _malformed, count);
        lock (_malformedLock)
        {
            _malformedUnreported += count;
            if (_malformedReportedAtMs != 0 && nowMs - _malformedReportedAtMs < 10_000)
            {
                _malformedSample ??= Sample(sample);
                return;
            }
            Log.MalformedTrades(_logger, _malformedUnreported, _malformedSample ?? Sample(sample));
            _malformedUnreported = 0;
            _malformedSample = null;
            _malformedReportedAtMs = nowMs;
        }
    }

    private static string Sample(ReadOnlySpan<byte> message)
    {
        var text = Encoding.UTF8.GetString(message[..Math.Min(message.Length, 200)]);
        return message.Length > 200 ? text + "…" : text;
    }

    private string CoinOf(CoinQueue queue) => _coins.FirstOrDefault(c => c.Value == queue).Key ?? "?";

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The feed in /metrics, as every venue's trade feed is (<see cref="TradeFeedMetrics"/>, label <c>venue="bybit"</c>).</summary>
    private void RegisterMetrics(MetricsRegistry metrics) =>
        TradeFeedMetrics.Register(metrics, Venue.Bybit, () =>
        {
            var status = GetStatus();
            return new TradeFeedCounts(status.ReceivedFromStream, status.ReceivedFromRest, status.Appended, status.Duplicates, status.Gaps,
                status.Malformed, status.BlockLegsMatched, status.BlockLegsUnmatched, status.Recoveries, status.Held, status.FailingBackfills.Count);
        });

    private sealed record RememberedLeg(RfqLeg Leg, string RfqId, long ReceivedAtMs);

    /// <summary>One coin's trades not on the tape yet, in exchange order, and what holds them.</summary>
    private sealed class CoinQueue
    {
        public List<Trade> Pending { get; } = [];
        public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);

        /// <summary>Block trades waiting for their RFQ message: until when (ms).</summary>
        public Dictionary<string, long> AwaitingBlockUntilMs { get; } = new(StringComparer.Ordinal);

        public bool Recovering { get; set; }

        /// <summary>Backfills failed in a row (0 after one that answered), the last one's time and reason.</summary>
        public int FailedBackfills { get; set; }
        public long LastBackfillFailedAtMs { get; set; }
        public string? LastBackfillFailure { get; set; }
        public long RecoveringSinceMs { get; set; }

        /// <summary>Counts recoveries, so an old backfill's answer does not end a newer recovery.</summary>
        public int Generation { get; set; }

        /// <summary>Sorts a trade in (the stream's come in order, so the common case is an append).</summary>
        public void Insert(Trade trade)
        {
            if (Pending.Count == 0 || Trade.CompareByExchangeOrder(Pending[^1], trade) <= 0)
            {
                Pending.Add(trade);
                return;
            }
            int low = 0, high = Pending.Count;
            while (low < high)
            {
                var middle = (low + high) >>> 1;
                if (Trade.CompareByExchangeOrder(Pending[middle], trade) <= 0)
                    low = middle + 1;
                else
                    high = middle;
            }
            Pending.Insert(low, trade);
        }
    }
}

/// <summary>What the trade feed has done since start (counters never go back) and holds now.</summary>
/// <param name="ReceivedFromStream">Trades read from <c>publicTrade</c> frames.</param>
/// <param name="ReceivedFromRest">Trades read from recent-trade backfills (most of them overlap what the tape has).</param>
/// <param name="Appended">Trades put on the tape.</param>
/// <param name="Duplicates">Trades dropped because they were queued or on the tape already.</param>
/// <param name="Gaps">Possible gaps: failed backfills, or a backfill window starting after the tape's newest trade.</param>
/// <param name="Malformed">Trade items that could not be read.</param>
/// <param name="BlockLegsMatched">Block trade legs given their block id by the RFQ stream.</param>
/// <param name="BlockLegsUnmatched">Block trade legs that went on the tape without one.</param>
/// <param name="Recoveries">Trade topic (re)subscriptions followed by a backfill.</param>
/// <param name="Held">Trades waiting now (a backfill, a block's RFQ message).</param>
/// <param name="Recovering">Coins whose backfill is being read.</param>
/// <param name="RfqStream">The RFQ stream's connection, when it is on.</param>
public sealed record TradeFeedStatus(
    long ReceivedFromStream,
    long ReceivedFromRest,
    long Appended,
    long Duplicates,
    long Gaps,
    long Malformed,
    long BlockLegsMatched,
    long BlockLegsUnmatched,
    long Recoveries,
    int Held,
    IReadOnlyList<string> Recovering,
    ShardStatus? RfqStream)
{
    /// <summary>Coins whose last backfill failed, recently (<see cref="BybitTradeFeed.BackfillProblemMemory"/>).</summary>
    public IReadOnlyList<TradeBackfillFailure> FailingBackfills { get; init; } = [];

    /// <summary>What /health says of the trades (null when nothing is wrong with them).</summary>
    public string? Problem => TradeBackfillFailure.Describe(FailingBackfills, venueName: null);
}
