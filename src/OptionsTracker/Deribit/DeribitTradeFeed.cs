using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Diagnostics;
using OptionsTracker.Feed;
using OptionsTracker.Tape;

namespace OptionsTracker.Deribit;

/// <summary>
/// Deribit's option trades on their way to the <see cref="TradeTape"/> (channel <c>trades.option.{currency}.100ms</c>):
/// none lost across a drop while Deribit's last 1,000 trades of the currency still hold it, none twice, in exchange order.
/// <list type="bullet">
/// <item>Each currency's trades wait in a short queue kept in exchange order; the queue goes on the tape as soon as
/// nothing holds it.</item>
/// <item>When a currency's channel is confirmed on a connection (the first, or a new one after a drop), the currency
/// recovers: its live trades are held while <c>public/get_last_trades_by_currency</c> is read; the answer is merged into
/// the queue, de-duplicated by trade id, and the queue released, so the trades made while disconnected go on before the
/// later live ones. After <see cref="DeribitOptions.BackfillTimeout"/> without an answer the held trades go on and a
/// possible gap is counted and logged. The tape itself also drops an id it has (per venue).</item>
/// </list>
/// Prices become USD at the trade's own index price, its IV a fraction, its block_trade_id the block id
/// (<see cref="DeribitNormalisation"/>); Greeks come from <see cref="TradeGreeks.With"/>.
/// </summary>
public sealed class DeribitTradeFeed : IDeribitChannelHandler
{
    public const string ChannelPrefix = "trades.option.";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, CurrencyQueue> _currencies = new(StringComparer.Ordinal);
    private readonly HashSet<string> _trackedCoins = new(StringComparer.Ordinal);
    private readonly HashSet<string> _toRecover = new(StringComparer.Ordinal);
    private readonly ChangeSignal _recoverRequested = new();
    private readonly OptionBook _book;
    private readonly TradeTape _tape;
    private readonly DeribitRestClient _rest;
    private readonly DeribitOptions _options;
    private readonly TapeOptions _tapeOptions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LogThrottle _retryLog;
    private long _malformedReportedAtMs;

    private long _receivedStream;
    private long _receivedRest;
    private long _appended;
    private long _duplicates;
    private long _gaps;
    private long _malformed;
    private long _recoveries;
    private long _blockLegs;

    /// <summary>How long a failed backfill counts in <c>optionstracker_trade_backfills_failing</c> when none answered since.</summary>
    public static readonly TimeSpan BackfillProblemMemory = TimeSpan.FromMinutes(15);

    public DeribitTradeFeed(OptionBook book, TradeTape tape, DeribitRestClient rest, IOptions<DeribitOptions> options,
        IOptions<TapeOptions> tapeOptions, TimeProvider time, ILogger<DeribitTradeFeed> logger, MetricsRegistry metrics)
    {
        _book = book;
        _tape = tape;
        _rest = rest;
        _options = options.Value;
        _tapeOptions = tapeOptions.Value;
        _time = time;
        _logger = logger;
        _retryLog = new LogThrottle(time, LogThrottle.DefaultInterval);
        TradeFeedMetrics.Register(metrics, DeribitVenue.Id, MetricCounts);
    }

    public bool Enabled => _tapeOptions.Enabled;

    public string Prefix => ChannelPrefix;

    public static string ChannelOf(string currency) => $"{ChannelPrefix}{currency}.100ms";

    /// <summary>Counters since start: trades read from the stream and from backfills, put on the tape, dropped as duplicates, gaps.</summary>
    public (long Stream, long Backfill, long Appended, long Duplicates, long Gaps, long Malformed, long Recoveries) Counters =>
        (Interlocked.Read(ref _receivedStream), Interlocked.Read(ref _receivedRest), Interlocked.Read(ref _appended),
            Interlocked.Read(ref _duplicates), Interlocked.Read(ref _gaps), Interlocked.Read(ref _malformed), Interlocked.Read(ref _recoveries));

    /// <summary>
    /// The feed in /metrics, as every venue's trade feed is (<see cref="TradeFeedMetrics"/>, label <c>venue="deribit"</c>):
    /// Deribit's block trades carry their <c>block_trade_id</c>, so every block leg is one with its id; failing backfills
    /// are currencies whose last backfill failed within <see cref="BackfillProblemMemory"/>.
    /// </summary>
    private TradeFeedCounts MetricCounts()
    {
        int held, failing;
        var since = NowMs() - (long)BackfillProblemMemory.TotalMilliseconds;
        lock (_lock)
        {
            held = _currencies.Values.Sum(q => q.Pending.Count);
            failing = _currencies.Values.Count(q => q.FailedBackfills > 0 && q.LastBackfillFailedAtMs >= since);
        }
        var (stream, backfill, appended, duplicates, gaps, malformed, recoveries) = Counters;
        return new TradeFeedCounts(stream, backfill, appended, duplicates, gaps, malformed, Interlocked.Read(ref _blockLegs), 0, recoveries, held, failing);
    }

    /// <summary>
    /// What /health says of Deribit's trades, as it says of Bybit's: the currencies whose last backfill failed within
    /// <see cref="BackfillProblemMemory"/> (trades made while their connection was down may be missing); null when none.
    /// </summary>
    public string? Problem
    {
        get
        {
            var since = NowMs() - (long)BackfillProblemMemory.TotalMilliseconds;
            TradeBackfillFailure[] failing;
            lock (_lock)
            {
                failing = [.. _currencies.Where(c => c.Value.FailedBackfills > 0 && c.Value.LastBackfillFailedAtMs >= since)
                    .OrderBy(c => c.Key, StringComparer.Ordinal)
                    .Select(c => new TradeBackfillFailure(c.Key, c.Value.FailedBackfills,
                        DateTimeOffset.FromUnixTimeMilliseconds(c.Value.LastBackfillFailedAtMs), c.Value.LastBackfillFailure ?? "no answer"))];
            }
            return TradeBackfillFailure.Describe(failing, "Deribit");
        }
    }

    /// <summary>A coin's options are tracked: its trades (from whichever currency carries them) are taken.</summary>
    internal void TrackCoin(string coin, IEnumerable<string> currencies)
    {
        lock (_lock)
        {
            _trackedCoins.Add(coin);
            foreach (var currency in currencies)
            {
                if (!_currencies.ContainsKey(currency))
                    _currencies[currency] = new CurrencyQueue();
            }
        }
    }

    /// <summary>A coin is no longer tracked; a currency no longer subscribed releases what it holds and is forgotten.</summary>
    internal void UntrackCoin(string coin, IEnumerable<string> droppedCurrencies)
    {
        lock (_lock)
        {
            _trackedCoins.Remove(coin);
            foreach (var currency in droppedCurrencies)
            {
                if (!_currencies.Remove(currency, out var queue))
                    continue;
                _toRecover.Remove(currency);
                queue.Recovering = false;
                ReleaseLocked(queue);
            }
        }
    }

    internal void StopAll()
    {
        lock (_lock)
        {
            foreach (var queue in _currencies.Values)
            {
                queue.Recovering = false;
                ReleaseLocked(queue);
            }
            _currencies.Clear();
            _trackedCoins.Clear();
            _toRecover.Clear();
        }
    }

    /// <summary>The currency's trades channel was (re)confirmed: hold its live trades and read what was missed.</summary>
    public void Subscribed(string channel)
    {
        var currency = CurrencyOf(channel);
        if (currency is null)
            return;
        lock (_lock)
        {
            if (!_currencies.TryGetValue(currency, out var queue))
                _currencies[currency] = queue = new CurrencyQueue();
            queue.Recovering = true;
            queue.RecoveringSinceMs = NowMs();
            queue.Generation++;
            _toRecover.Add(currency);
        }
        Interlocked.Increment(ref _recoveries);
        _recoverRequested.Notify();
    }

    public ChannelResult Handle(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> data, long receivedAtMs)
    {
        List<RawDeribitTrade> raws;
        int bad;
        try
        {
            raws = DeribitTradeParser.ParseData(data, out bad);
        }
        catch (JsonException)
        {
            CountMalformed(1, data, receivedAtMs);
            return ChannelResult.Malformed;
        }
        if (bad > 0)
            CountMalformed(bad, data, receivedAtMs);
        var currency = CurrencyOf(Encoding.UTF8.GetString(channel));
        if (currency is null)
            return ChannelResult.Malformed;
        var trades = ToTrades(raws);
        Interlocked.Add(ref _receivedStream, trades.Count);
        if (trades.Count > 0)
            Receive(currency, trades);
        return trades.Count > 0 ? ChannelResult.Applied : ChannelResult.Unchanged;
    }

    internal void Receive(string currency, IReadOnlyList<Trade> trades)
    {
        lock (_lock)
        {
            if (!_currencies.TryGetValue(currency, out var queue))
                _currencies[currency] = queue = new CurrencyQueue();
            foreach (var trade in trades)
            {
                if (queue.Ids.Add(trade.Id))
                    queue.Insert(trade);
                else
                    Interlocked.Increment(ref _duplicates);
            }
            if (!queue.Recovering)
                ReleaseLocked(queue);
        }
    }

    /// <summary>While collecting: reads the backfills currencies ask for, and ends recoveries that outlived their backfill.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
            return;
        try
        {
            await Task.WhenAll(RecoverLoopAsync(cancellationToken), TickLoopAsync(cancellationToken));
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
            List<(string Currency, int Generation)> due;
            lock (_lock)
            {
                due = [.. _toRecover.Where(_currencies.ContainsKey).Select(c => (c, _currencies[c].Generation))];
                _toRecover.Clear();
            }
            if (due.Count == 0)
            {
                await requested.WaitAsync(cancellationToken);
                continue;
            }
            await Task.WhenAll(due.Select(d => BackfillAsync(d.Currency, d.Generation, cancellationToken)));
        }
    }

    private async Task BackfillAsync(string currency, int generation, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.BackfillTimeout);
        var backoff = new Backoff(_options.RestRetryDelay, _options.MaxRestRetryDelay);
        string failure;
        while (true)
        {
            try
            {
                var (raws, bad, hasMore) = await _rest.GetLastTradesAsync(currency, _options.BackfillTrades, timeout.Token);
                if (bad > 0)
                    CountMalformed(bad, Encoding.UTF8.GetBytes($"{bad} items of get_last_trades_by_currency for {currency}"), NowMs());
                var trades = ToTrades(raws);
                var before = Interlocked.Read(ref _appended);
                Complete(currency, generation, trades, hasMore, null);
                Log.TradeBackfill(_logger, currency, trades.Count, Interlocked.Read(ref _appended) - before);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = timeout.IsCancellationRequested ? $"no answer within {_options.BackfillTimeout}" : ex.Message;
                if (timeout.IsCancellationRequested || ex is DeribitApiException { IsParameterError: true })
                    break;
                var delay = backoff.Next();
                if (_retryLog.ShouldLog(ex.GetType().Name))
                    Log.TradeBackfillRetry(_logger, currency, ex.Message, delay);
                try
                {
                    await Task.Delay(delay, _time, timeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = $"no answer within {_options.BackfillTimeout} (last: {ex.Message})";
                    break;
                }
            }
        }
        Complete(currency, generation, null, false, failure);
    }

    /// <summary>Ends a recovery with the backfill (null when it failed): merged into the queue, which is released.</summary>
    internal void Complete(string currency, int generation, IReadOnlyList<Trade>? backfill, bool hasMore, string? failure)
    {
        lock (_lock)
        {
            if (!_currencies.TryGetValue(currency, out var queue))
                return;
            if (backfill is null)
            {
                Interlocked.Increment(ref _gaps);
                queue.FailedBackfills++;
                queue.LastBackfillFailedAtMs = NowMs();
                queue.LastBackfillFailure = failure ?? "no answer";
                Log.TradeBackfillFailed(_logger, currency, queue.LastBackfillFailure, queue.Pending.Count);
            }
            else
            {
                queue.FailedBackfills = 0;
                queue.LastBackfillFailedAtMs = 0;
                Interlocked.Add(ref _receivedRest, backfill.Count);
                foreach (var trade in backfill)
                {
                    if (queue.Ids.Add(trade.Id))
                        queue.Insert(trade);
                }
                if (hasMore && queue.LastReleasedMs > 0 && backfill.Count > 0 && backfill.Min(t => t.TimeMs) > queue.LastReleasedMs)
                {
                    // The window starts after the newest trade the tape had: trades in between may be missing.
                    Interlocked.Increment(ref _gaps);
                    Log.TradeGap(_logger, currency, DateTimeOffset.FromUnixTimeMilliseconds(queue.LastReleasedMs),
                        DateTimeOffset.FromUnixTimeMilliseconds(backfill.Min(t => t.TimeMs)), backfill.Count);
                }
            }
            if (generation == queue.Generation)
                queue.Recovering = false;
            if (!queue.Recovering)
                ReleaseLocked(queue);
        }
    }

    private async Task TickLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var stale = (long)(_options.BackfillTimeout.TotalMilliseconds * 2) + 1000;
            var now = NowMs();
            lock (_lock)
            {
                foreach (var (currency, queue) in _currencies)
                {
                    if (queue.Recovering && now - queue.RecoveringSinceMs > stale && !_toRecover.Contains(currency))
                    {
                        queue.Recovering = false;
                        Interlocked.Increment(ref _gaps);
                        queue.FailedBackfills++;
                        queue.LastBackfillFailedAtMs = now;
                        queue.LastBackfillFailure = "the backfill never ended";
                        Log.TradeBackfillFailed(_logger, currency, queue.LastBackfillFailure, queue.Pending.Count);
                        ReleaseLocked(queue);
                    }
                }
            }
        }
    }

    private void ReleaseLocked(CurrencyQueue queue)
    {
        if (queue.Pending.Count == 0)
            return;
        var ready = queue.Pending.ToList();
        queue.Pending.Clear();
        // Ids are kept a while after release: the next backfill overlaps what the stream gave.
        var appended = _tape.Append(ready);
        Interlocked.Add(ref _appended, appended.Count);
        var blockLegs = 0;
        foreach (var trade in appended)
        {
            if (trade.IsBlock)
                blockLegs++;
        }
        Interlocked.Add(ref _blockLegs, blockLegs);
        Interlocked.Add(ref _duplicates, ready.Count - appended.Count);
        queue.LastReleasedMs = Math.Max(queue.LastReleasedMs, ready[^1].TimeMs);
        queue.ForgetOldIds();
    }

    /// <summary>
    /// The tape's trades for Deribit's items of tracked coins: the option's expiry, strike, type and underlying price from
    /// the book, or from its name when the book does not hold it (not within the filter, just listed, delivered).
    /// </summary>
    internal List<Trade> ToTrades(IReadOnlyList<RawDeribitTrade> raws)
    {
        var trades = new List<Trade>(raws.Count);
        var index = _book.Index;
        HashSet<string> tracked;
        lock (_lock)
            tracked = [.. _trackedCoins];
        foreach (var raw in raws)
        {
            string coin;
            DateTimeOffset expiry;
            decimal strike;
            OptionType type;
            bool coinPriced;
            OptionInstrument? instrument = null;
            double underlying = double.NaN, markIv = double.NaN;
            if (index.TryGetSlot(DeribitVenue.Id, raw.InstrumentName, out var slot))
            {
                instrument = slot.Instrument;
                (coin, expiry, strike, type, coinPriced) = (instrument.BaseCoin, instrument.ExpiryUtc, instrument.Strike, instrument.Type, instrument.IsCoinPriced);
                var quote = slot.ReadQuote();
                underlying = quote.UnderlyingPrice;
                markIv = quote.MarkIv;
            }
            else if (DeribitInstrumentName.TryParse(raw.InstrumentName, out var parsed))
            {
                (coin, expiry, strike, type) = (parsed.BaseCoin, parsed.ImpliedExpiryUtc, parsed.Strike, parsed.Type);
                // Inverse names have no quote currency (BTC-…); linear ones do (SOL_USDC-…).
                coinPriced = !raw.InstrumentName.AsSpan(0, raw.InstrumentName.IndexOf('-')).Contains('_');
            }
            else
            {
                Interlocked.Increment(ref _malformed);
                continue;
            }
            if (tracked.Count > 0 && !tracked.Contains(coin))
                continue;
            var trade = new Trade
            {
                Venue = DeribitVenue.Id,
                Id = raw.Id,
                Symbol = raw.InstrumentName,
                BaseCoin = coin,
                ExpiryUtc = expiry,
                Strike = strike,
                Type = type,
                TimeMs = raw.TimeMs,
                Side = raw.Side,
                Size = raw.Amount,
                Price = DeribitNormalisation.ToUsd(raw.Price, instrument, coinPriced, raw.IndexPrice),
                Iv = DeribitNormalisation.IvFraction(raw.IvPercent),
                MarkIv = markIv,
                MarkPrice = DeribitNormalisation.ToUsd(raw.MarkPrice, instrument, coinPriced, raw.IndexPrice),
                IndexPrice = raw.IndexPrice,
                IsBlock = raw.BlockTradeId is not null,
                BlockId = raw.BlockTradeId,
                ExchangeSequence = raw.CurrencyOrder,
            };
            if (double.IsNaN(trade.Price))
            {
                Interlocked.Increment(ref _malformed);
                continue; // a coin price without its index price cannot be put in USD
            }
            trades.Add(TradeGreeks.With(trade, underlying));
        }
        return trades;
    }

    /// <summary>The currency of <c>trades.option.{currency}.100ms</c>, or null.</summary>
    internal static string? CurrencyOf(string channel)
    {
        if (!channel.StartsWith(ChannelPrefix, StringComparison.Ordinal))
            return null;
        var rest = channel[ChannelPrefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        var currency = dot < 0 ? rest : rest[..dot];
        return currency.Length == 0 ? null : currency;
    }

    private void CountMalformed(int count, ReadOnlySpan<byte> sample, long nowMs)
    {
        Interlocked.Add(ref _malformed, count);
        var last = Interlocked.Read(ref _malformedReportedAtMs);
        if (last != 0 && nowMs - last < 10_000)
            return;
        Interlocked.Exchange(ref _malformedReportedAtMs, nowMs);
        var text = Encoding.UTF8.GetString(sample[..Math.Min(sample.Length, 200)]);
        Log.MalformedTrades(_logger, count, sample.Length > 200 ? text + "…" : text);
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>One currency's trades not on the tape yet, in exchange order.</summary>
    private sealed class CurrencyQueue
    {
        private const int IdMemory = 5_000;

        public List<Trade> Pending { get; } = [];
        public HashSet<string> Ids { get; } = new(StringComparer.Ordinal);
        private readonly Queue<string> _released = new();
        public bool Recovering { get; set; }
        public long RecoveringSinceMs { get; set; }
        public int Generation { get; set; }
        public long LastReleasedMs { get; set; }

        /// <summary>When the last backfill failed (ms); 0 when the last one answered.</summary>
        public long LastBackfillFailedAtMs { get; set; }

        /// <summary>Why the last backfill failed, for /health.</summary>
        public string? LastBackfillFailure { get; set; }

        /// <summary>Backfills failed in a row; 0 once one answers.</summary>
        public int FailedBackfills { get; set; }

        public void Insert(Trade trade)
        {
            _released.Enqueue(trade.Id);
            if (Pending.Count == 0 || Trade.CompareByExchangeOrder(Pending[^1], trade) <= 0)
            {
                Pending.Add(trade);
                return;
            }
            var at = Pending.FindLastIndex(t => Trade.CompareByExchangeOrder(t, trade) <= 0) + 1;
            Pending.Insert(at, trade);
        }

        /// <summary>Keeps the newest ids only (more than a backfill's 1,000), so the set does not grow for ever.</summary>
        public void ForgetOldIds()
        {
            while (_released.Count > IdMemory)
                Ids.Remove(_released.Dequeue());
        }
    }
}
