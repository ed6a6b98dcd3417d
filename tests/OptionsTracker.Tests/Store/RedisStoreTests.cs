using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;
using OptionsTracker.Feed;
using OptionsTracker.Dashboard;
using OptionsTracker.Simulator;
using OptionsTracker.Store;
using OptionsTracker.Tests.Fixtures;
using StackExchange.Redis;

namespace OptionsTracker.Tests.Store;

/// <summary>The Redis store against real redis-servers the tests start: collectors, web instances, faults, a cluster.</summary>
public class RedisStoreTests
{
    private static readonly string[] OriginalFields =
    [
        "symbol", "bid_iv", "ask_iv", "last_price", "mark_price", "index_price", "mark_iv", "underlying_price",
        "open_interest", "delta", "gamma", "vega", "theta", "volume_24h", "turnover_24h",
    ];

    private static Task<BybitSimulator> Simulator(params string[] coins) =>
        BybitSimulator.StartAsync(new SimulatorOptions
        {
            BaseCoins = coins.Length == 0 ? ["BTC"] : coins,
            PushInterval = TimeSpan.FromMilliseconds(200),
        }, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Whole_board_round_trips_through_redis_in_the_original_layout()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator("BTC", "ETH", "SOL");
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await collector.WaitForFullBoardAsync();
        var database = await redis.DatabaseAsync();

        await WaitUntilRedisHoldsAsync(database, collector.Book);

        // The original's hash, fields and TTL, and index sets per coin and expiry.
        var sample = collector.Book.Index.All[collector.Book.Index.Count / 2];
        var hash = (await database.HashGetAllAsync($"option:{sample.Instrument.Symbol}")).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.All(OriginalFields, f => Assert.True(hash.ContainsKey(f), $"field {f} missing"));
        Assert.Equal(sample.Instrument.Symbol, hash["symbol"]);
        var ttl = await database.KeyTimeToLiveAsync($"option:{sample.Instrument.Symbol}");
        Assert.InRange(ttl!.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
        foreach (var coin in simulator.BaseCoins)
        {
            var expected = simulator.GetInstruments(coin).Select(i => i.Symbol).Order(StringComparer.Ordinal);
            var members = (await database.SetMembersAsync($"options:coin:{coin}")).Select(m => (string)m!).Order(StringComparer.Ordinal);
            Assert.Equal(expected, members);
        }
        Assert.Contains(sample.Instrument.Symbol,
            (await database.SetMembersAsync($"options:expiry:{sample.Instrument.BaseCoin}:{sample.Instrument.ExpiryLabel}")).Select(m => (string)m!));

        // A web instance rebuilds the same board from Redis alone. Once the market stops (the simulator goes
        // away), the web instance holds the very values the collector holds. (Exchange times may differ: an
        // update that changes no value is not a change, so it is not written.)
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web"));
        await WaitForBookAsync(web, simulator.InstrumentCount);
        await simulator.DisposeAsync();
        var slots = collector.Book.Index.All;
        await Eventually.Until(() => slots.All(s => web.Book.Index.TryGetSlot(Venue.Bybit, s.Instrument.Symbol, out var copy) && SameValues(s.ReadQuote(), copy.ReadQuote())),
            "the web instance to hold the collector's values of every option");
        foreach (var slot in slots)
        {
            Assert.True(web.Book.Index.TryGetSlot(Venue.Bybit, slot.Instrument.Symbol, out var copy));
            Assert.Equal(slot.Instrument.ExpiryUtc, copy.Instrument.ExpiryUtc);
            Assert.Equal(slot.Instrument.Strike, copy.Instrument.Strike);
            Assert.Equal(slot.Instrument.Type, copy.Instrument.Type);
            Assert.Equal(slot.Instrument.ExpiryLabel, copy.Instrument.ExpiryLabel);
        }
        await AssertNoKeyspaceListingAsync(redis);

        // The collector's flushes are timed for Prometheus.
        var metrics = await collector.Client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        var count = System.Text.RegularExpressions.Regex.Match(metrics, @"^optionstracker_store_write_seconds_count (\d+)", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(count.Success && long.Parse(count.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, "store write latency is measured");
    }

    [Fact]
    public async Task A_coin_added_on_a_web_instance_is_collected_and_every_instance_shares_the_set()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator("BTC", "SOL");
        var trackBtc = new Dictionary<string, string?> { ["Tracker:Assets"] = "BTC", ["Store:ResyncInterval"] = "00:00:01" };
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector").With(trackBtc));
        await WaitForBookAsync(collector, simulator.GetInstruments("BTC").Count);
        var standbyFile = Path.Combine(Path.GetTempPath(), $"optionstracker-test-{Guid.NewGuid():N}.json");
        await using var standby = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector").With(trackBtc)
            .With(new Dictionary<string, string?> { ["Tracker:AssetsFile"] = standbyFile }));
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web").With(trackBtc));
        var database = await redis.DatabaseAsync();
        await Eventually.Until(async () => await database.KeyExistsAsync("config:assets"), "the first instance to seed the shared set");
        var webAssets = web.Services.GetRequiredService<TrackedAssets>();
        await Eventually.Until(() => webAssets.Location.StartsWith("Redis", StringComparison.Ordinal), "the web instance to use the shared set");

        // The dashboard of the web instance adds SOL: the active collector subscribes it, and every instance serves it.
        Assert.Null(await Editor(web).AddAsync("sol", TestContext.Current.CancellationToken));

        var sol = simulator.GetInstruments("SOL").Count;
        await WaitForBookAsync(collector, simulator.InstrumentCount);
        await Eventually.Until(() => collector.Supervisor.TopicCount == simulator.InstrumentCount, "the collector to subscribe SOL");
        await WaitForBookAsync(web, simulator.InstrumentCount);
        var standbyAssets = standby.Services.GetRequiredService<TrackedAssets>();
        await Eventually.Until(() => standbyAssets.Enabled.Contains("SOL"), "the standby to know SOL is tracked");
        // Each instance keeps a copy in its own file, for a start while Redis is away.
        Assert.Contains("\"SOL\"", await File.ReadAllTextAsync(standbyFile, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Contains("\"SOL\"", (string?)await database.StringGetAsync("config:assets"), StringComparison.Ordinal);

        // Disabled on the standby's dashboard this time: the collector drops it.
        Assert.Null(await Editor(standby).DisableAsync("SOL", TestContext.Current.CancellationToken));
        await Eventually.Until(() => !collector.Book.Index.TryGetCoin("SOL", out _), "SOL's options to leave the collector's book");
        await Eventually.Until(() => collector.Supervisor.TopicCount == simulator.InstrumentCount - sol, "SOL's topics to leave the feed");
        await Eventually.Until(() => !webAssets.IsEnabled("SOL"), "the web instance to see SOL disabled");
    }

    [Fact]
    public async Task A_change_made_to_a_set_changed_elsewhere_meanwhile_is_refused_and_the_set_read_again()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator("BTC", "SOL");
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web").With(new Dictionary<string, string?> { ["Tracker:Assets"] = "BTC" }));
        var assets = web.Services.GetRequiredService<TrackedAssets>();
        await Eventually.Until(() => assets.Location.StartsWith("Redis", StringComparison.Ordinal), "the shared set in use");
        var database = await redis.DatabaseAsync();

        // Another instance adds ETH; its announcement has not arrived here yet (it was never sent).
        await database.StringSetAsync("config:assets", """{"assets":[{"coin":"BTC","enabled":true},{"coin":"ETH","enabled":true}],"configured":["BTC"]}""");
        var error = await Editor(web).AddAsync("SOL", TestContext.Current.CancellationToken);

        Assert.NotNull(error);
        Assert.Contains("another instance changed them", error, StringComparison.Ordinal);
        await Eventually.Until(() => assets.IsEnabled("ETH"), "the set to be read again");
        Assert.Null(await Editor(web).AddAsync("SOL", TestContext.Current.CancellationToken));
        var shared = (string?)await database.StringGetAsync("config:assets");
        Assert.Contains("\"ETH\"", shared, StringComparison.Ordinal);
        Assert.Contains("\"SOL\"", shared, StringComparison.Ordinal);
    }

    /// <summary>The dashboard's editor, as a page's circuit gets it.</summary>
    private static AssetEditor Editor(TrackerApp app) => app.Services.CreateScope().ServiceProvider.GetRequiredService<AssetEditor>();

    [Fact]
    public async Task A_change_redis_cannot_take_is_refused_with_the_reason()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator("BTC", "SOL");
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web").With(new Dictionary<string, string?> { ["Tracker:Assets"] = "BTC" }));
        var assets = web.Services.GetRequiredService<TrackedAssets>();
        await Eventually.Until(() => assets.Location.StartsWith("Redis", StringComparison.Ordinal), "the shared set in use");

        await redis.StopAsync();
        var error = await Editor(web).AddAsync("SOL", TestContext.Current.CancellationToken);

        Assert.NotNull(error);
        Assert.StartsWith("Could not save the tracked coins to Redis", error, StringComparison.Ordinal);
        Assert.False(assets.IsEnabled("SOL"));
    }

    [Fact]
    public async Task Two_web_instances_see_the_same_board_and_live_changes()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator();
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await using var web1 = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web"));
        await using var web2 = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web"));
        await WaitForBookAsync(web1, simulator.InstrumentCount);
        await WaitForBookAsync(web2, simulator.InstrumentCount);
        Assert.Equal(web1.Book.Index.All.Select(s => s.Instrument.Symbol), web2.Book.Index.All.Select(s => s.Instrument.Symbol));

        var symbol = simulator.GetInstruments("BTC")[7].Symbol;
        simulator.SetMarkPrice(symbol, 1234.5);
        await Eventually.Until(() => MarkOf(web1, symbol) == 1234.5 && MarkOf(web2, symbol) == 1234.5, "the new mark price on both web instances");

        // A listing reaches them too, through the change channel.
        var listed = simulator.ListNewInstrument("BTC");
        await collector.Services.GetRequiredService<OptionsTracker.Feed.FeedService>().RefreshCoinAsync("BTC", TestContext.Current.CancellationToken);
        await Eventually.Until(() => web1.Book.Index.TryGetSlot(Venue.Bybit, listed, out _) && web2.Book.Index.TryGetSlot(Venue.Bybit, listed, out _), "the new listing on both web instances");

        // Their /api/stats speak for the collector.
        await Eventually.Until(async () =>
        {
            var stats = await web1.Client.GetFromJsonAsync<JsonElement>("/api/stats", TestContext.Current.CancellationToken);
            return stats.GetProperty("messages_processed").GetInt64() > 0
                && stats.GetProperty("store").GetString() == "redis"
                && stats.GetProperty("feed_state").GetString() == "live"
                && stats.GetProperty("connections").GetInt32() > 0;
        }, "the web instance's /api/stats to show the collector's counters");
    }

    [Fact]
    public async Task Standby_collector_takes_over_within_the_lease_bound_when_the_active_one_dies()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator();
        var database = await redis.DatabaseAsync();
        await using var active = CollectorProcess.Start(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await Eventually.Until(async () => ((string?)await database.StringGetAsync("collector:lease"))?.Contains($"/{active.Id}/", StringComparison.Ordinal) == true,
            "the first collector process to take the lease", 60);
        await using var standby = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web"));
        await WaitForBookAsync(web, simulator.InstrumentCount);
        var lease = standby.Services.GetRequiredService<CollectorLease>();
        Assert.False(lease.IsHeld);
        // A standby serves the board too, from Redis, like a web instance.
        await WaitForBookAsync(standby, simulator.InstrumentCount);
        Assert.Equal(0, standby.Supervisor.TopicCount);

        await active.KillAsync();
        var killedAt = TimeProvider.System.GetTimestamp();
        var symbol = simulator.GetInstruments("BTC")[3].Symbol;
        simulator.SetMarkPrice(symbol, 777.25);

        // The bound is the lease TTL plus one renewal period (13.3 s here); the deadlines are generous because a
        // loaded CI machine may be several times slower. The figures are printed, not asserted.
        await Eventually.Until(() => lease.IsHeld, "the standby to take the lease", 30);
        var takeover = TimeProvider.System.GetElapsedTime(killedAt);
        await Eventually.Until(() => MarkOf(web, symbol) == 777.25, "a change made after the kill to reach the web instance", 30);
        var gap = TimeProvider.System.GetElapsedTime(killedAt);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"takeover {takeover.TotalSeconds:F2} s after the kill (lease TTL {RedisTestSettings.LeaseTtl.TotalSeconds} s); web instance without new data for {gap.TotalSeconds:F2} s");
        Assert.Equal(simulator.InstrumentCount, web.Book.Index.Count);
        await standby.WaitForFullBoardAsync();
    }

    [Fact]
    public async Task Clean_stop_hands_the_lease_over_without_waiting_for_it_to_expire()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator();
        var settings = RedisTestSettings.For(redis.Endpoint, "collector");
        // A TTL far longer than the standby's retry period (a third of it): a takeover before the TTL has run out
        // can only come from the release, however slow the machine.
        var ttl = TimeSpan.FromSeconds(45);
        settings["Store:LeaseTtl"] = ttl.ToString("c");
        var first = await TrackerApp.StartAsync(simulator, settings);
        TrackerApp second;
        try
        {
            await Eventually.Until(() => first.Services.GetRequiredService<CollectorLease>().Holder == first.Services.GetRequiredService<CollectorLease>().Id,
                "the first collector to hold the lease");
            second = await TrackerApp.StartAsync(simulator, settings);
            await Eventually.Until(() => second.Services.GetRequiredService<CollectorLease>().Holder is not null, "the second collector to stand by");
        }
        finally
        {
            await first.DisposeAsync();
        }
        await using var _ = second;
        var stoppedAt = TimeProvider.System.GetTimestamp();
        var lease = second.Services.GetRequiredService<CollectorLease>();

        await Eventually.Until(() => lease.IsHeld, "the second collector to take over");

        var takeover = TimeProvider.System.GetElapsedTime(stoppedAt);
        TestContext.Current.TestOutputHelper?.WriteLine($"takeover {takeover.TotalSeconds:F2} s after a clean stop (lease TTL {ttl.TotalSeconds} s)");
        Assert.True(takeover < ttl, $"the takeover took {takeover}, as long as waiting for the lease to expire");
        await second.WaitForFullBoardAsync();
    }

    [Fact]
    public async Task Redis_restart_mid_feed_loses_nothing_current_and_web_serves_stale_data_meanwhile()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator();
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "all"));
        var webSettings = RedisTestSettings.For(redis.Endpoint, "web");
        webSettings["Tracker:StaleAfter"] = "00:00:03";
        await using var web = await TrackerApp.StartAsync(simulator, webSettings);
        await collector.WaitForFullBoardAsync();
        await WaitForBookAsync(web, simulator.InstrumentCount);
        var database = await redis.DatabaseAsync();
        await WaitUntilRedisHoldsAsync(database, collector.Book);

        await Eventually.Until(() => web.Services.GetRequiredService<IOptionStore>().RemoteCollector is not null, "the web instance to read the collector's stats");
        await redis.StopAsync();
        await Eventually.Until(async () => await FeedStateAsync(web) == "stale", "the web instance to mark its data stale");
        await Eventually.Until(async () => await HealthAsync(collector) == "Degraded", "the collector's health to degrade");
        await Eventually.Until(async () => await HealthAsync(web) == "Degraded", "the web instance's health to degrade");
        // The feed goes on in memory; the web instance keeps its last known board.
        var symbol = simulator.GetInstruments("BTC")[5].Symbol;
        simulator.SetMarkPrice(symbol, 4242.5);
        await Eventually.Until(() => MarkOf(collector, symbol) == 4242.5, "the collector to keep collecting without Redis");
        Assert.Equal(simulator.InstrumentCount, web.Book.Index.Count);

        await redis.StartAgainAsync();
        database = await redis.DatabaseAsync();
        await WaitUntilRedisHoldsAsync(database, collector.Book);
        var members = (await database.SetMembersAsync("options:coin:BTC")).Select(m => (string)m!).Order(StringComparer.Ordinal);
        Assert.Equal(simulator.GetInstruments("BTC").Select(i => i.Symbol).Order(StringComparer.Ordinal), members);
        Assert.Equal("4242.5", (string?)await database.HashGetAsync($"option:{symbol}", "mark_price"));
        Assert.True(simulator.TryGetTicker(symbol, out var ticker));
        Assert.Equal(ticker.MarkPrice.ToString("R", System.Globalization.CultureInfo.InvariantCulture), (string?)await database.HashGetAsync($"option:{symbol}", "mark_price"));
        await Eventually.Until(() => MarkOf(web, symbol) == 4242.5, "the web instance to catch up after Redis returns");
        await Eventually.Until(async () => await HealthAsync(collector) == "Healthy", "the collector's health to recover");
        await Eventually.Until(async () => await HealthAsync(web) == "Healthy", "the web instance's health to recover");
        Assert.Equal("live", await FeedStateAsync(web));
    }

    [Fact]
    public async Task Frozen_redis_never_holds_up_the_feed()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator();
        // A writer that held up the feed would hold it for a whole command timeout: make that timeout longer
        // than the wait below, so the check does not depend on how fast the machine is.
        var commandTimeout = TimeSpan.FromSeconds(30);
        var settings = RedisTestSettings.For(redis.Endpoint, "all");
        settings["Store:CommandTimeout"] = commandTimeout.ToString("c");
        await using var collector = await TrackerApp.StartAsync(simulator, settings);
        await collector.WaitForFullBoardAsync();
        var database = await redis.DatabaseAsync();
        await WaitUntilRedisHoldsAsync(database, collector.Book);

        // SIGSTOP: connections stay open and nothing answers, the worst case for a writer that would wait.
        await redis.SignalAsync("STOP");
        var symbol = simulator.GetInstruments("BTC")[4].Symbol;
        var frozenAt = TimeProvider.System.GetTimestamp();
        simulator.SetMarkPrice(symbol, 2468.25);
        await Eventually.Until(() => MarkOf(collector, symbol) == 2468.25, "the feed to go on while Redis is frozen",
            (int)(commandTimeout.TotalSeconds * 2 / 3));
        TestContext.Current.TestOutputHelper?.WriteLine($"change in the book {TimeProvider.System.GetElapsedTime(frozenAt).TotalMilliseconds:F0} ms after Redis froze");
        await Eventually.Until(async () => await HealthAsync(collector) == "Degraded", "health to notice Redis does not answer (after the command timeout)", 90);

        await redis.SignalAsync("CONT");
        await WaitUntilRedisHoldsAsync(database, collector.Book);
        Assert.Equal("2468.25", (string?)await database.HashGetAsync($"option:{symbol}", "mark_price"));
        await Eventually.Until(async () => await HealthAsync(collector) == "Healthy", "health to recover");
    }

    [Fact]
    public async Task Three_node_redis_cluster_carries_the_board_and_live_changes()
    {
        await using var cluster = await RedisCluster.StartAsync();
        await using var simulator = await Simulator();
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(cluster.ConnectionString, "all"));
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(cluster.ConnectionString, "web"));
        await WaitForBookAsync(web, simulator.InstrumentCount);

        var symbol = simulator.GetInstruments("BTC")[2].Symbol;
        simulator.SetMarkPrice(symbol, 31.5);
        await Eventually.Until(() => MarkOf(web, symbol) == 31.5, "a live change through the cluster");
        Assert.Null(collector.Services.GetRequiredService<IOptionStore>().Problem);
        // The keys really are spread over the nodes.
        var perNode = new List<long>();
        foreach (var node in cluster.Nodes)
            perNode.Add(await (await node.DatabaseAsync()).ExecuteAsync("DBSIZE") is var size ? (long)size : 0);
        Assert.All(perNode, count => Assert.True(count > 0));
        foreach (var node in cluster.Nodes)
            await AssertNoKeyspaceListingAsync(node);
    }

    [Fact]
    public async Task Collector_that_loses_its_lease_closes_its_connections_and_resumes_when_it_is_back()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator();
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await collector.WaitForFullBoardAsync();
        var database = await redis.DatabaseAsync();
        var lease = collector.Services.GetRequiredService<CollectorLease>();
        Assert.True(lease.IsHeld);

        // Another collector holds it now (as after a partition healed in its favour).
        await database.StringSetAsync("collector:lease", "someone-else", TimeSpan.FromMinutes(1));

        await Eventually.Until(() => !lease.IsHeld, "the collector to notice it lost the lease");
        await Eventually.Until(() => simulator.Connections.Count == 0, "every exchange connection to be closed");
        Assert.Equal(0, collector.Supervisor.TopicCount);
        Assert.Equal(0, collector.Supervisor.ShardCount);
        // The closed connections' messages still count: totals (and the Prometheus counters fed by them) never go back.
        collector.Supervisor.GetStatus(out var beforeResuming);
        var processed = beforeResuming.Messages;
        Assert.True(processed > 0);

        // The other collector is gone: this one takes the lease again and feeds the whole board.
        await database.KeyDeleteAsync("collector:lease");
        await Eventually.Until(() => lease.IsHeld, "the collector to take the lease back");
        await Eventually.Until(() => simulator.Connections.Sum(c => c.SubscribedTopicCount) == simulator.InstrumentCount,
            "every topic subscribed again");
        Assert.Equal(simulator.InstrumentCount, collector.Supervisor.TopicCount);
        collector.Supervisor.GetStatus(out var afterResuming);
        Assert.True(afterResuming.Messages >= processed);
    }

    [Fact]
    public async Task New_collector_takes_options_no_longer_listed_out_of_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator();
        var database = await redis.DatabaseAsync();
        // Left behind by an earlier collector: an option Bybit does not list (any more).
        const string Gone = "BTC-2JAN26-1000-C-USDT";
        await database.HashSetAsync($"option:{Gone}", [new("symbol", Gone), new("mark_price", "1")]);
        await database.SetAddAsync("options:coin:BTC", Gone);
        await database.SetAddAsync("options:expiry:BTC:02JAN26", Gone);
        // What the writer published before it took the stale option out: every listed option must be written by then,
        // or readers would see the coin's set emptied (a reconciliation racing a coin's load once did that).
        var writtenBeforeRemoval = new HashSet<string>(StringComparer.Ordinal);
        var removal = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await database.Multiplexer.GetSubscriber().SubscribeAsync(RedisChannel.Literal("options:changes"), (_, message) =>
        {
            var tokens = ((string?)message ?? "").Split(' ');
            lock (writtenBeforeRemoval)
            {
                if (tokens.Contains("-" + Gone))
                    removal.TrySetResult(writtenBeforeRemoval.Count);
                else if (!removal.Task.IsCompleted)
                    writtenBeforeRemoval.UnionWith(tokens.Where(t => !t.StartsWith('-')));
            }
        });
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await collector.WaitForFullBoardAsync();

        await Eventually.Until(async () => !await database.SetContainsAsync("options:coin:BTC", Gone), "the option to leave the coin's set");
        Assert.False(await database.KeyExistsAsync($"option:{Gone}"));
        Assert.False(await database.SetContainsAsync("options:expiry:BTC:02JAN26", Gone));
        Assert.Equal(simulator.InstrumentCount, (int)await database.SetLengthAsync("options:coin:BTC"));
        Assert.Equal(simulator.InstrumentCount, await removal.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Collector_that_cannot_reach_redis_at_start_collects_and_fills_redis_once_it_appears()
    {
        await using var redis = RedisServer.NotStarted();
        await using var simulator = await Simulator();
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "all"));

        await WaitForBookAsync(collector, simulator.InstrumentCount);
        Assert.Equal("Degraded", await HealthAsync(collector));

        await redis.StartAgainAsync();
        await WaitUntilRedisHoldsAsync(await redis.DatabaseAsync(), collector.Book);
        await Eventually.Until(() => collector.Services.GetRequiredService<CollectorLease>().Holder == collector.Services.GetRequiredService<CollectorLease>().Id,
            "the collector to take the lease for real");
        await Eventually.Until(async () => await HealthAsync(collector) == "Healthy", "health to recover");
    }

    [Fact]
    public async Task Refused_writes_show_in_health_and_logs_without_stopping_the_tracker()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator();
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "all"));
        await collector.WaitForFullBoardAsync();
        var database = await redis.DatabaseAsync();
        await WaitUntilRedisHoldsAsync(database, collector.Book);

        await database.ExecuteAsync("CONFIG", "SET", "maxmemory-policy", "noeviction");
        await database.ExecuteAsync("CONFIG", "SET", "maxmemory", "1");
        await Eventually.Until(async () => (await HealthReasonAsync(collector)).Contains("OOM", StringComparison.Ordinal), "health to name Redis's OOM refusal");
        Assert.Equal("Degraded", await HealthAsync(collector));

        await database.ExecuteAsync("CONFIG", "SET", "maxmemory", "0");
        await Eventually.Until(async () => await HealthAsync(collector) == "Healthy", "health to recover once Redis accepts writes");
        await WaitUntilRedisHoldsAsync(database, collector.Book);
    }

    [Fact]
    public async Task Wrong_redis_password_is_reported_in_health()
    {
        await using var redis = await RedisServer.StartAsync("--requirepass", "right");
        await using var simulator = await Simulator();
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For($"{redis.Endpoint},password=wrong", "all"));

        var reason = "";
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!(reason.Contains("auth", StringComparison.OrdinalIgnoreCase) || reason.Contains("password", StringComparison.OrdinalIgnoreCase)))
        {
            // The last answer named on failure: "not connected yet" for ever and a timeout are different faults.
            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < Eventually.Timeout,
                $"timed out after {Eventually.DefaultTimeoutSeconds} s waiting for health to say Redis refuses our password; it says: {reason}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
            reason = await HealthReasonAsync(collector);
        }
        Assert.NotEqual("Healthy", await HealthAsync(collector));
    }

    [Fact]
    public async Task No_read_or_write_lists_the_keyspace()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await Simulator();
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await using var web = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "web"));
        await WaitForBookAsync(web, simulator.InstrumentCount);
        await Eventually.Until(() => web.Services.GetRequiredService<RedisReader>().FullLoads > 0, "a full load");

        await AssertNoKeyspaceListingAsync(redis);
        Assert.Matches("cmdstat_hm?set:", await redis.InfoAsync("commandstats"));
    }

    private static async Task AssertNoKeyspaceListingAsync(RedisServer redis)
    {
        var stats = await redis.InfoAsync("commandstats");
        Assert.DoesNotContain("cmdstat_keys:", stats, StringComparison.Ordinal);
        Assert.DoesNotContain("cmdstat_scan:", stats, StringComparison.Ordinal);
    }

    private static bool SameValues(OptionQuote a, OptionQuote b)
    {
        for (var field = 0; field < QuoteFields.Count; field++)
        {
            if (BitConverter.DoubleToInt64Bits(a.Values[field]) != BitConverter.DoubleToInt64Bits(b.Values[field]))
                return false;
        }
        return true;
    }

    private static double MarkOf(TrackerApp app, string symbol) =>
        app.Book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot) ? slot.ReadQuote().MarkPrice : double.NaN;

    private static async Task WaitForBookAsync(TrackerApp app, int expected) =>
        await Eventually.Until(() =>
        {
            var index = app.Book.Index;
            return index.Count == expected && index.All.All(s => s.ReadQuote().HasData);
        }, $"all {expected} options, quoted, in the book", 60);

    /// <summary>
    /// Waits until Redis holds every option of the book as current as the book holds it now: the values the
    /// book holds, or a later update. (An update changing no value is not written, so times alone do not tell.)
    /// </summary>
    private static async Task WaitUntilRedisHoldsAsync(IDatabase database, OptionBook book)
    {
        var wanted = book.Index.All.ToDictionary(s => s.Instrument.Symbol, s => s.ReadQuote().ExchangeTimeMs, StringComparer.Ordinal);
        await Eventually.Until(async () =>
        {
            var batch = database.CreateBatch();
            var reads = wanted.Keys.Select(s => (Symbol: s, Task: batch.HashGetAllAsync($"option:{s}"))).ToArray();
            batch.Execute();
            try
            {
                await Task.WhenAll(reads.Select(r => r.Task));
            }
            catch (RedisException)
            {
                return false;
            }
            return reads.All(r =>
                QuoteHash.TryReadQuote(r.Task.Result, out var update)
                && (update.ExchangeTimeMs >= wanted[r.Symbol]
                    || (book.Index.TryGetSlot(Venue.Bybit, r.Symbol, out var slot) && SameValues(slot.ReadQuote(), new OptionQuote { Values = update.Values }))));
        }, $"Redis to hold all {wanted.Count} options as current as the book", 60);
    }

    private static async Task<string> FeedStateAsync(TrackerApp app) =>
        (await app.Client.GetFromJsonAsync<JsonElement>("/api/stats", TestContext.Current.CancellationToken)).GetProperty("feed_state").GetString()!;

    private static async Task<string> HealthAsync(TrackerApp app) =>
        (await HealthJsonAsync(app)).GetProperty("status").GetString()!;

    private static async Task<string> HealthReasonAsync(TrackerApp app) =>
        (await HealthJsonAsync(app)).GetProperty("reason").GetString() ?? "";

    private static async Task<JsonElement> HealthJsonAsync(TrackerApp app)
    {
        using var response = await app.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }
}
