using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Feed;

namespace OptionsTracker.Deribit;

/// <summary>
/// Deribit behind the feed's <see cref="IVenue"/> seam (docs/venues.md, "The Deribit feed"): its REST client and retry
/// policy (backoff with jitter; a 10028 too_many_requests pauses every request at the <see cref="DeribitRequestGate"/>;
/// a parameter error is never retried), its WebSocket connections, the book summary after a reconnect, its trades and its
/// delivery prices. A tracked coin maps to Deribit's currencies: its own (BTC, ETH: the inverse options) and the
/// configured stablecoin currencies (USDC: the linear SOL_USDC, XRP_USDC… options, listed under their base coin).
/// </summary>
public sealed class DeribitVenue(
    OptionBook book,
    DeribitRestClient rest,
    DeribitConnections connections,
    DeribitRequestGate gate,
    DeribitTradeFeed trades,
    DeribitInstrumentStates states,
    IOptions<DeribitOptions> options,
    TimeProvider time,
    ILogger<DeribitVenue> logger) : IVenue
{
    /// <summary>The venue's key: every Deribit instrument, trade and API item carries it.</summary>
    public static readonly Venue Id = Venue.Parse("deribit");

    /// <summary>How often to ask again for delivery prices Deribit has not published yet.</summary>
    private static readonly TimeSpan DeliveryPriceRetry = TimeSpan.FromMinutes(1);

    private static readonly string[] StableCurrencies = ["USDC", "USDT"];

    private volatile string? _requestError;
    private readonly Lock _lock = new();
    // The price index of each option listed (its delivery prices' index), from get_instruments.
    private readonly Dictionary<string, string> _priceIndexOf = new(StringComparer.Ordinal);
    // Per Deribit currency, the coins with tracked options: its trades and instrument.state channels are subscribed while it
    // has any.
    private readonly Dictionary<string, Dictionary<string, int>> _trackedByCurrency = new(StringComparer.Ordinal);

    Venue IVenue.Id => Id;

    public string Name => "Deribit";

    public Uri RestUrl => options.Value.EffectiveRestUrl;

    public Uri StreamUrl => options.Value.EffectiveWsUrl;

    /// <summary>Coins whose options Deribit announced listed or ended on <c>instrument.state.option.{currency}</c>.</summary>
    public ChannelReader<string> ListingChanges => states.Coins;

    /// <summary>The Deribit currencies whose options of <paramref name="coin"/> are read: its own, and the stablecoin ones configured.</summary>
    public IReadOnlyList<string> CurrenciesOf(string coin) =>
        [.. options.Value.CurrencyList.Where(c => string.Equals(c, coin, StringComparison.OrdinalIgnoreCase) || StableCurrencies.Contains(c))];

    public Task<IReadOnlyList<OptionInstrument>> ListInstrumentsAsync(string coin, CancellationToken cancellationToken) =>
        RefusedForGood(coin, () => RetryAsync($"Fetching {coin} instruments", ct => ListAsync(coin, ct), cancellationToken));

    public async Task<IReadOnlyList<OptionInstrument>?> TryListInstrumentsAsync(string coin, CancellationToken cancellationToken)
    {
        try
        {
            var listed = await ListAsync(coin, cancellationToken);
            _requestError = null;
            return listed;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _requestError = $"instrument refresh for {coin}: {ex.Message}";
            if (ex is not DeribitApiException { IsTooManyRequests: true })
                Log.RefreshFailed(logger, $"Refreshing {coin} instruments", ex.Message);
            return null;
        }
    }

    private async Task<IReadOnlyList<OptionInstrument>> ListAsync(string coin, CancellationToken cancellationToken)
    {
        var listed = new List<OptionInstrument>();
        foreach (var currency in CurrenciesOf(coin))
        {
            // A list fetched before the last instrument.state notice of the currency is not reused: it may miss the listing.
            var listings = await rest.GetInstrumentsAsync(currency, states.ChangedAt(currency), cancellationToken);
            lock (_lock)
            {
                foreach (var listing in listings)
                {
                    if (!string.Equals(listing.Instrument.BaseCoin, coin, StringComparison.OrdinalIgnoreCase))
                        continue;
                    listed.Add(listing.Instrument);
                    _priceIndexOf[listing.Instrument.Symbol] = listing.PriceIndex;
                }
            }
        }
        return listed;
    }

    public Task LoadSnapshotAsync(string coin, CancellationToken cancellationToken) =>
        RefusedForGood(coin, async () =>
        {
            foreach (var currency in CurrenciesOf(coin))
            {
                var result = await RetryAsync($"Reading {currency} book summary", ct => rest.LoadBookSummaryAsync(currency, book, ct), cancellationToken);
                Log.SnapshotApplied(logger, currency, result.Items, result.Known, result.Changed);
                if (result.Malformed > 0)
                    Log.SnapshotItemsMalformed(logger, currency, result.Malformed);
            }
            return true;
        });

    public void Track(IEnumerable<OptionInstrument> instruments)
    {
        var list = instruments as IReadOnlyCollection<OptionInstrument> ?? [.. instruments];
        connections.Add(list.Select(i => DeribitConnections.TickerChannel(i.Symbol)));
        List<string>? started = null;
        lock (_lock)
        {
            foreach (var group in list.GroupBy(i => i.BaseCoin, StringComparer.Ordinal))
            {
                var currencies = CurrenciesOf(group.Key);
                if (trades.Enabled)
                    trades.TrackCoin(group.Key, currencies);
                foreach (var currency in currencies)
                {
                    if (!_trackedByCurrency.TryGetValue(currency, out var coins))
                        _trackedByCurrency[currency] = coins = new Dictionary<string, int>(StringComparer.Ordinal);
                    if (coins.Count == 0)
                        (started ??= []).Add(currency);
                    coins[group.Key] = coins.GetValueOrDefault(group.Key) + group.Count();
                }
            }
        }
        if (started is not null)
            connections.Add(CurrencyChannels(started));
    }

    public void Untrack(IEnumerable<OptionInstrument> instruments)
    {
        var list = instruments as IReadOnlyCollection<OptionInstrument> ?? [.. instruments];
        connections.Remove(list.Select(i => DeribitConnections.TickerChannel(i.Symbol)));
        List<string>? stopped = null;
        var untracked = new List<(string Coin, List<string> Dropped)>();
        lock (_lock)
        {
            foreach (var group in list.GroupBy(i => i.BaseCoin, StringComparer.Ordinal))
            {
                var dropped = new List<string>();
                var coinGone = true;
                foreach (var currency in CurrenciesOf(group.Key))
                {
                    if (!_trackedByCurrency.TryGetValue(currency, out var coins) || !coins.TryGetValue(group.Key, out var count))
                        continue;
                    count -= group.Count();
                    if (count > 0)
                    {
                        coins[group.Key] = count;
                        coinGone = false;
                        continue;
                    }
                    coins.Remove(group.Key);
                    if (coins.Count == 0)
                    {
                        _trackedByCurrency.Remove(currency);
                        (stopped ??= []).Add(currency);
                        dropped.Add(currency);
                    }
                }
                if (coinGone)
                    untracked.Add((group.Key, dropped));
            }
        }
        if (stopped is not null)
            connections.Remove(CurrencyChannels(stopped));
        foreach (var (coin, dropped) in untracked)
            trades.UntrackCoin(coin, dropped);
    }

    /// <summary>The channels of a currency with tracked options: its listings and ends, and its trades when the tape is on.</summary>
    private IEnumerable<string> CurrencyChannels(List<string> currencies) =>
        trades.Enabled
            ? currencies.SelectMany(c => new[] { DeribitInstrumentStates.ChannelOf(c), DeribitTradeFeed.ChannelOf(c) })
            : currencies.Select(DeribitInstrumentStates.ChannelOf);

    public async Task<bool> ListsOptionsAsync(string coin, CancellationToken cancellationToken)
    {
        gate.ThrowIfPaused();
        return (await ListAsync(coin, cancellationToken)).Count > 0;
    }

    public async Task StopAsync()
    {
        lock (_lock)
            _trackedByCurrency.Clear();
        await connections.StopAllAsync();
        trades.StopAll();
    }

    public VenueStatus GetStatus()
    {
        var shards = connections.GetStatus(out var totals);
        var refused = shards.SelectMany(s => s.RefusedTopics)
            .Select(c => c.StartsWith(DeribitConnection.TickerPrefix, StringComparison.Ordinal) ? DeribitConnections.InstrumentOf(c) : c)
            .Order(StringComparer.Ordinal).ToList();
        var pause = gate.PausedUntil is { } until
            ? new VenuePause(until, "Deribit refused requests for too many (error 10028 too_many_requests): every request and reconnect waits for its credits to refill")
            : null;
        return new VenueStatus(shards, totals, connections.ChannelCount, refused, _requestError, pause, trades.Problem);
    }

    /// <summary>Re-reads the book summary of every coin whose connection came back, and runs the trade feed's work.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tradeWork = trades.RunAsync(both.Token);
        try
        {
            var reader = connections.SnapshotRequests;
            var coins = new HashSet<string>(StringComparer.Ordinal);
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                coins.Clear();
                while (reader.TryRead(out var coin))
                    coins.Add(coin);
                foreach (var coin in coins)
                {
                    try
                    {
                        await LoadSnapshotAsync(coin, cancellationToken);
                    }
                    catch (VenueRefusedException)
                    {
                        // Logged by the client; the live feed goes on.
                    }
                }
            }
        }
        finally
        {
            await both.CancelAsync();
            try
            {
                await tradeWork;
            }
            catch (OperationCanceledException)
            {
                // Stopped with the re-snapshots.
            }
        }
    }

    /// <summary>
    /// Asks Deribit for the delivery price of every delivered option still without one, per price index
    /// (<c>public/get_delivery_prices</c>: one price per index and day; Deribit delivers at 08:00 UTC).
    /// </summary>
    public async Task<DateTimeOffset> SettleAsync(CancellationToken cancellationToken)
    {
        var waiting = book.Index.All
            .Where(s => s.Instrument.Venue == Id && s.ReadQuote() is { Status: ListingStatus.Delivering } quote && double.IsNaN(quote.DeliveryPrice))
            .GroupBy(s => PriceIndexOf(s.Instrument), StringComparer.Ordinal)
            .ToList();
        var missing = 0;
        foreach (var group in waiting)
        {
            IReadOnlyDictionary<DateOnly, double> prices;
            try
            {
                prices = await rest.GetDeliveryPricesAsync(group.Key, options.Value.DeliveryPricesCount, cancellationToken);
                _requestError = null;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                missing += group.Count();
                if (ex is not DeribitApiException { IsTooManyRequests: true })
                    Log.RestRetry(logger, $"Reading {group.Key} delivery prices", ex.Message, DeliveryPriceRetry);
                continue;
            }
            foreach (var slot in group)
            {
                if (prices.TryGetValue(slot.Instrument.ExpiryDate, out var price))
                    book.SetListing(slot, ListingStatus.Delivering, price);
                else
                    missing++;
            }
        }
        return missing > 0 ? time.GetUtcNow() + DeliveryPriceRetry : DateTimeOffset.MaxValue;
    }

    private string PriceIndexOf(OptionInstrument instrument)
    {
        lock (_lock)
        {
            if (_priceIndexOf.TryGetValue(instrument.Symbol, out var index))
                return index;
        }
        var coin = instrument.BaseCoin.ToLowerInvariant();
        return instrument.IsCoinPriced ? $"{coin}_usd" : $"{coin}_{(instrument.SettleCoin ?? "usdc").ToLowerInvariant()}";
    }

    private async Task<T> RefusedForGood<T>(string coin, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DeribitApiException refused) when (refused.IsParameterError)
        {
            _requestError = $"{coin}: {refused.Message}";
            throw new VenueRefusedException(refused.Message, refused);
        }
    }

    /// <summary>Retries a REST call until it succeeds (<see cref="RestRetry"/>), by <see cref="Classify"/>.</summary>
    private async Task<T> RetryAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var result = await RestRetry.UntilAnsweredAsync(call, Classify, failure => _requestError = failure.Reason,
            (failure, delay) => Log.RestRetry(logger, what, failure.Reason, delay),
            new Backoff(options.Value.RestRetryDelay, options.Value.MaxRestRetryDelay), time, cancellationToken);
        _requestError = null;
        return result;
    }

    /// <summary>
    /// Deribit's reading of a failed request: a parameter error is for good; after a 10028 the call is asked again at once
    /// (the gate logged it and holds it, with every other request, until the pause ends); anything else backs off.
    /// </summary>
    private RestCallFailure Classify(Exception ex) => ex switch
    {
        DeribitApiException { IsParameterError: true } => new RestCallFailure(RestFailureKind.Permanent, ex.Message, ""),
        DeribitApiException { IsTooManyRequests: true } => new RestCallFailure(RestFailureKind.Paused, ex.Message, ""),
        HttpRequestException http => new RestCallFailure(RestFailureKind.Transient, $"cannot reach {RestUrl}: {http.Message}", ex.GetType().Name),
        _ => new RestCallFailure(RestFailureKind.Transient, ex.Message, ex.GetType().Name),
    };
}
