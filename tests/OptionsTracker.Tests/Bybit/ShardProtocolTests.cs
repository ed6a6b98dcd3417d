using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using OptionsTracker.Bybit;
using OptionsTracker.Feed;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Bybit;

/// <summary>
/// One shard against the simulator over a real socket: how it reads refusals and rejections, unsubscribes, and what it
/// counts as subscribed. Each test runs its own simulator and shard.
/// </summary>
public class ShardProtocolTests
{
    /// <summary>A shard running against a simulator, with the count of re-snapshot requests it made.</summary>
    private sealed class RunningShard : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;
        private int _resubscribed;

        public RunningShard(BybitSimulator simulator, IEnumerable<string> topics, Action<BybitOptions>? configure)
        {
            var options = new BybitOptions
            {
                WsUrl = simulator.WsUrl,
                PingInterval = TimeSpan.FromSeconds(1),
                PongTimeout = TimeSpan.FromSeconds(30),
                DataTimeout = TimeSpan.FromSeconds(60),
                ReconnectDelay = TimeSpan.FromMilliseconds(50),
                MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
                MaxProbeDelay = TimeSpan.FromMilliseconds(200),
                AckTimeout = TimeSpan.FromSeconds(5),
                SubscribeRetryDelay = TimeSpan.FromMilliseconds(100),
            };
            configure?.Invoke(options);
            var book = BookBuilder.WithSymbols(TimeProvider.System, [.. simulator.GetInstruments().Select(i => i.Symbol)]);
            Shard = new WebSocketShard(1, book, options, TimeProvider.System,
                new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 100, QueueLimit = 100 }),
                new ExchangeGate(options.WsUrl, options, TimeProvider.System, NullLogger.Instance), NullLogger.Instance,
                _ => Interlocked.Increment(ref _resubscribed));
            Shard.Assign(topics);
            _run = Shard.RunAsync(_stop.Token);
        }

        public WebSocketShard Shard { get; }

        public int Resubscribed => Volatile.Read(ref _resubscribed);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run;
            _stop.Dispose();
        }
    }

    private static Task<BybitSimulator> Simulator() =>
        BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC"], TargetInstrumentCount = 100 }, TestContext.Current.CancellationToken);

    private static string[] Topics(BybitSimulator simulator, int count) =>
        [.. simulator.GetInstruments("BTC").Take(count).Select(i => ShardSupervisor.TopicOf(i.Symbol))];

    [Fact]
    public async Task A_rejected_subscribe_request_is_read_as_a_rejection_of_its_topics_and_retried_after_a_short_backoff()
    {
        await using var simulator = await Simulator();
        simulator.Faults.RejectNextSubscribeRequests(1);
        var topics = Topics(simulator, 20);
        // An ack timeout of an hour: only reading the rejection (it names no topic, only the req_id) can bring the topics
        // back within the test.
        await using var running = new RunningShard(simulator, topics, o => o.AckTimeout = TimeSpan.FromHours(1));

        await Eventually.Until(() => running.Shard.State == ShardState.Live, "the shard to be live after the rejection");

        Assert.Equal(20, running.Shard.SubscribedCount);
        Assert.Equal(20, simulator.Connections.Single().SubscribedTopicCount);
        Assert.Equal(2, simulator.SubscribeRequestsReceived);
        Assert.Empty(running.Shard.RefusedTopics());
    }

    [Fact]
    public async Task Topics_rejected_again_and_again_are_counted_refused_and_no_longer_resent_every_ack_timeout()
    {
        await using var simulator = await Simulator();
        simulator.Faults.RejectNextSubscribeRequests(1000);
        var topics = Topics(simulator, 10);
        await using var running = new RunningShard(simulator, topics, o =>
        {
            o.RefuseLimit = 3;
            o.RefusedTopicRetryInterval = TimeSpan.FromHours(1);
            o.AckTimeout = TimeSpan.FromMilliseconds(300);
        });

        // Live: nothing left to wait for; every topic is counted as refused by the exchange.
        await Eventually.Until(() => running.Shard.State == ShardState.Live, "the shard to be live with every topic refused");

        Assert.Equal(topics.Order(StringComparer.Ordinal), running.Shard.RefusedTopics().Order(StringComparer.Ordinal));
        Assert.Equal(0, running.Shard.SubscribedCount);
        // One request, then two retries with backoff; the next only in an hour, however short the ack timeout.
        var requests = simulator.SubscribeRequestsReceived;
        Assert.Equal(3, requests);
        var pings = simulator.Connections.Single().PingsReceived;
        await Eventually.Until(() => simulator.Connections.Single().PingsReceived >= pings + 3, "three more pings (seconds) on the connection");
        Assert.Equal(requests, simulator.SubscribeRequestsReceived);
    }

    [Fact]
    public async Task A_topic_refused_for_good_does_not_hold_the_shard_back_and_is_accepted_when_the_exchange_takes_it()
    {
        await using var simulator = await Simulator();
        var topics = Topics(simulator, 20);
        simulator.Faults.RefuseTopicsForever(topics[3], topics[11]);
        await using var running = new RunningShard(simulator, topics, o =>
        {
            o.RefuseLimit = 3;
            o.RefusedTopicRetryInterval = TimeSpan.FromMilliseconds(500);
        });

        await Eventually.Until(() => running.Shard.State == ShardState.Live, "the shard to be live despite two refused topics");
        Assert.Equal(new[] { topics[3], topics[11] }.Order(StringComparer.Ordinal), running.Shard.RefusedTopics().Order(StringComparer.Ordinal));
        Assert.Equal(18, running.Shard.SubscribedCount);
        var status = running.Shard.Status();
        Assert.Equal(2, status.RefusedTopics.Count);

        // Retried every RefusedTopicRetryInterval: once the exchange takes them, they are subscribed and no longer reported.
        simulator.Faults.AcceptTopics();
        await Eventually.Until(() => running.Shard.SubscribedCount == 20, "the refused topics to be subscribed");
        Assert.Empty(running.Shard.RefusedTopics());
        Assert.Equal(20, simulator.Connections.Single().SubscribedTopicCount);
    }

    [Fact]
    public async Task After_a_reconnect_a_refused_topic_does_not_block_the_re_snapshot()
    {
        await using var simulator = await Simulator();
        var topics = Topics(simulator, 20);
        simulator.Faults.RefuseTopicsForever(topics[0]);
        await using var running = new RunningShard(simulator, topics, o => o.RefuseLimit = 2);
        await Eventually.Until(() => running.Shard.State == ShardState.Live, "the shard to be live");
        Assert.Equal(0, running.Resubscribed);

        simulator.Faults.DropAllConnections();

        await Eventually.Until(() => running.Shard.Reconnects == 1 && running.Shard.State == ShardState.Live, "the shard to be live again");
        await Eventually.Until(() => running.Resubscribed == 1, "the re-snapshot to be asked for");
        Assert.Equal([topics[0]], running.Shard.RefusedTopics());
        Assert.Equal(19, running.Shard.SubscribedCount);
    }

    [Fact]
    public async Task Untracking_a_topic_whose_subscribe_is_unanswered_unsubscribes_it()
    {
        await using var simulator = await Simulator();
        var topics = Topics(simulator, 10);
        // Silent: the simulator applies requests but answers none, so every subscribe stays unanswered.
        simulator.Faults.SilentConnections = true;
        // Replies dropped while silent are never sent: after the silence the ack timeout sends what is still awaited again.
        await using var running = new RunningShard(simulator, topics, o => o.AckTimeout = TimeSpan.FromSeconds(2));
        await Eventually.Until(() => simulator.Connections.SingleOrDefault()?.SubscribedTopicCount == 10, "the simulator to hold all ten topics");
        Assert.Equal(ShardState.Subscribing, running.Shard.State);
        Assert.Equal(0, running.Shard.SubscribedCount);

        running.Shard.Unassign(topics[..4]);

        await Eventually.Until(() => simulator.Connections.Single().SubscribedTopicCount == 6, "the four untracked topics to be unsubscribed at the exchange");
        simulator.Faults.SilentConnections = false;
        await Eventually.Until(() => running.Shard.State == ShardState.Live, "the shard to be live on the six left");
        Assert.Equal(6, running.Shard.SubscribedCount);
        Assert.Equal(6, simulator.Connections.Single().SubscribedTopicCount);
        Assert.Equal(0, running.Shard.Reconnects);
    }

    [Fact]
    public async Task A_dropped_connection_counts_no_subscribed_topic()
    {
        await using var simulator = await Simulator();
        var topics = Topics(simulator, 30);
        await using var running = new RunningShard(simulator, topics, o => o.MaxProbeDelay = TimeSpan.FromSeconds(1));
        await Eventually.Until(() => running.Shard.State == ShardState.Live, "the shard to be live");
        Assert.Equal(30, running.Shard.SubscribedCount);

        simulator.Faults.RejectNewConnections = true;
        simulator.Faults.DropAllConnections();

        await Eventually.Until(() => running.Shard.State is ShardState.Reconnecting && simulator.ConnectionsRejected >= 2, "the shard to be reconnecting");
        Assert.Equal(0, running.Shard.SubscribedCount);
        Assert.Equal(0, running.Shard.Status().SubscribedTopics);
        Assert.Equal(30, running.Shard.AssignedCount);

        simulator.Faults.RejectNewConnections = false;
        await Eventually.Until(() => running.Shard.State == ShardState.Live && running.Shard.SubscribedCount == 30, "all thirty subscribed again");
    }
}
