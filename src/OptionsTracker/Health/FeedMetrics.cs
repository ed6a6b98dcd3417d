using OptionsTracker.Book;
using OptionsTracker.Diagnostics;
using Prometheus;

namespace OptionsTracker.Health;

/// <summary>
/// Prometheus metrics of the feed and the book, read from the feed report when <c>/metrics</c> is scraped:
/// the hot path keeps its own plain counters and pays nothing for metrics. They live in the host's
/// <see cref="MetricsRegistry"/>.
/// </summary>
public sealed class FeedMetrics
{
    private readonly Counter _messages;
    private readonly Counter _venueMessages;
    private readonly Counter _malformed;
    private readonly Counter _reconnects;
    private readonly Gauge _connections;
    private readonly Gauge _subscribedTopics;
    private readonly Gauge _refusedTopics;
    private readonly Gauge _bookOptions;
    private readonly Gauge _lastMessageAge;
    private readonly Gauge _feedLag;
    private readonly Gauge _feedUp;
    private readonly FeedMonitor _monitor;
    private readonly IOptionStore _store;
    private readonly TimeProvider _time;
    private readonly HashSet<string> _knownCoins = new(StringComparer.Ordinal);
    private readonly Lock _updateLock = new();

    public FeedMetrics(FeedMonitor monitor, IOptionStore store, TimeProvider time, MetricsRegistry metrics)
    {
        _monitor = monitor;
        _store = store;
        _time = time;
        var factory = metrics.Factory;
        _messages = factory.CreateCounter("optionstracker_messages_received_total", "Ticker messages received from the exchange WebSocket.");
        // Per venue beside the total (issue 19): the total keeps its one unlabelled series for existing dashboards.
        _venueMessages = factory.CreateCounter("optionstracker_venue_messages_received_total", "Ticker messages received from one venue's WebSocket.",
            new CounterConfiguration { LabelNames = ["venue"] });
        _malformed = factory.CreateCounter("optionstracker_malformed_messages_total", "Messages that could not be parsed and were skipped.");
        _reconnects = factory.CreateCounter("optionstracker_reconnects_total", "WebSocket connections replaced after a drop, a missing pong or silence.");
        _connections = factory.CreateGauge("optionstracker_connections", "WebSocket connections that are live.");
        _subscribedTopics = factory.CreateGauge("optionstracker_subscribed_topics", "Topics acknowledged by the exchange: every option's ticker and, with the tape, each coin's trade topic.");
        _refusedTopics = factory.CreateGauge("optionstracker_refused_topics", "Topics (ticker or trade) the exchange refused repeatedly; retried rarely, named in /health.");
        _bookOptions = factory.CreateGauge("optionstracker_book_options", "Options in the book, per base coin.", new GaugeConfiguration { LabelNames = ["base_coin"] });
        _lastMessageAge = factory.CreateGauge("optionstracker_last_message_age_seconds", "Seconds since the last message from the exchange.");
        _feedLag = factory.CreateGauge("optionstracker_feed_lag_seconds", "Median delay from the exchange timestamp to the update being applied, over options updated in the last 10 s.");
        _feedUp = factory.CreateGauge("optionstracker_feed_up", "1 while the feed is live, 0 otherwise.");
        metrics.Registry.AddBeforeCollectCallback(Update);
    }

    private void Update()
    {
        lock (_updateLock)
        {
            var report = _monitor.GetReport();
            _messages.IncTo(report.MessagesProcessed);
            foreach (var venue in report.Venues)
                _venueMessages.WithLabels(venue.Venue).IncTo(venue.Totals.Messages);
            _malformed.IncTo(report.MalformedMessages);
            _reconnects.IncTo(report.Reconnects);
            _connections.Set(report.LiveConnections);
            _subscribedTopics.Set(report.SubscribedTopics);
            _refusedTopics.Set(report.RefusedTopics);
            _feedUp.Set(report.State == FeedState.Live ? 1 : 0);
            var now = _time.GetUtcNow();
            _lastMessageAge.Set(report.LastUpdate is { } last ? Math.Max(0, (now - last).TotalSeconds) : double.NaN);

            var index = _store.Book.Index;
            foreach (var coin in _knownCoins.Except(index.Coins).ToList())
            {
                _bookOptions.RemoveLabelled(coin);
                _knownCoins.Remove(coin);
            }
            foreach (var coin in index.Coins)
            {
                index.TryGetCoin(coin, out var coinIndex);
                _bookOptions.WithLabels(coin).Set(coinIndex.Slots.Count);
                _knownCoins.Add(coin);
            }

            var since = now.ToUnixTimeMilliseconds() - 10_000;
            var lags = new List<long>();
            foreach (var slot in index.All)
            {
                var quote = slot.ReadQuote();
                if (quote.ReceivedAtMs >= since && quote.ExchangeTimeMs > 0)
                    lags.Add(quote.ReceivedAtMs - quote.ExchangeTimeMs);
            }
            if (lags.Count > 0)
            {
                lags.Sort();
                _feedLag.Set(lags[lags.Count / 2] / 1000.0);
            }
        }
    }
}
