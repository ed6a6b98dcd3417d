using System.Net;
using System.Text.Json;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Health;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Feed;

/// <summary>The whole feed over real loopback sockets: simulator ⇄ client ⇄ book.</summary>
public class FeedTests
{
    private static Task<BybitSimulator> Simulator(Action<SimulatorOptions>? configure = null)
    {
        var options = new SimulatorOptions { BaseCoins = ["BTC"], PushInterval = TimeSpan.FromMilliseconds(200) };
        configure?.Invoke(options);
        return BybitSimulator.StartAsync(options, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Whole_default_board_loads_and_equals_the_simulators()
    {
        await using var simulator = await Simulator(o => o.BaseCoins = ["BTC", "ETH", "SOL"]);
        await using var app = await TrackerApp.StartAsync(simulator);

        await app.WaitForFullBoardAsync();

        var expected = simulator.GetInstruments().Select(i => i.Symbol).Order(StringComparer.Ordinal);
        Assert.Equal(expected, app.Book.Index.All.Select(s => s.Instrument.Symbol).Order(StringComparer.Ordinal));
        Assert.True(simulator.InstrumentCount >= 2000);
        foreach (var instrument in simulator.GetInstruments())
        {
            Assert.True(app.Book.Index.TryGetSlot(Venue.Bybit, instrument.Symbol, out var slot));
            Assert.Equal(instrument.DeliveryTime, slot.Instrument.ExpiryUtc);
            Assert.Equal(instrument.Strike, slot.Instrument.Strike);
        }
    }

    [Fact]
    public async Task Live_updates_reach_the_book()
    {
        await using var simulator = await Simulator();
        await using var app = await TrackerApp.StartAsync(simulator);
        await app.WaitForFullBoardAsync();
        var symbol = simulator.GetInstruments("BTC")[10].Symbol;
        app.Book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot);

        simulator.SetMarkPrice(symbol, 4321.5);

        await Eventually.Until(() => slot!.ReadQuote().MarkPrice == 4321.5, "the pinned mark price to arrive");
        var messages = app.Report.MessagesProcessed;
        await Eventually.Until(() => app.Report.MessagesProcessed > messages + 100, "pushes to keep arriving");
    }

    [Fact]
    public async Task Topics_are_sharded_within_the_per_connection_limits()
    {
        // Default limits (2,000 args, 21,000 characters) over a large board: the characters bind first.
        await using var simulator = await Simulator(o => o.BaseCoins = ["BTC", "ETH", "SOL"]);
        await using var app = await TrackerApp.StartAsync(simulator);
        await app.WaitForFullBoardAsync();

        var connections = simulator.Connections;
        Assert.Equal(app.Supervisor.ShardCount, connections.Count);
        Assert.True(connections.Count >= (int)Math.Ceiling(simulator.InstrumentCount / 2000.0));
        Assert.All(connections, c =>
        {
            Assert.InRange(c.SubscribedTopicCount, 1, 2000);
            Assert.InRange(c.SubscribedArgsChars, 1, 21000);
        });
        Assert.Equal(simulator.InstrumentCount, connections.Sum(c => c.SubscribedTopicCount));
    }

    [Fact]
    public async Task Tighter_exchange_limits_spread_topics_over_more_connections()
    {
        await using var simulator = await Simulator(o => o.MaxArgsPerConnection = 150);
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?> { ["Bybit:MaxTopicsPerConnection"] = "150" });
        await app.WaitForFullBoardAsync();

        Assert.Equal((int)Math.Ceiling(simulator.InstrumentCount / 150.0), simulator.ConnectionCount);
        Assert.All(simulator.Connections, c => Assert.InRange(c.SubscribedTopicCount, 1, 150));
    }

    [Fact]
    public async Task Dropped_connections_are_replaced_and_every_topic_resubscribed()
    {
        await using var simulator = await Simulator();
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?> { ["Bybit:MaxTopicsPerConnection"] = "300" });
        await app.WaitForFullBoardAsync();
        var shards = app.Supervisor.ShardCount;
        var restRequests = simulator.RestRequestsReceived;

        simulator.Faults.DropAllConnections();

        await Eventually.Until(() => app.Report.Reconnects >= shards, "every shard to reconnect");
        await Eventually.Until(() => app.Report.State == FeedState.Live && app.Report.SubscribedTopics == simulator.InstrumentCount,
            "all topics subscribed again");
        await Eventually.Until(() => simulator.Connections.Sum(c => c.SubscribedTopicCount) == simulator.InstrumentCount,
            "the simulator to see every topic subscribed on the new connections");
        Assert.Equal(shards, simulator.ConnectionCount);
        // The REST snapshot of the affected coin was read again, so no gap is left.
        await Eventually.Until(() => simulator.RestRequestsReceived > restRequests, "the ticker snapshot to be re-read");
    }

    [Fact]
    public async Task A_silent_connection_is_declared_dead_and_replaced()
    {
        await using var simulator = await Simulator();
        await using var app = await TrackerApp.StartAsync(simulator);
        await app.WaitForFullBoardAsync();

        simulator.Faults.SilentConnections = true;
        await Eventually.Until(() => app.Report.Reconnects >= 1, "the silent connection to be replaced");
        Assert.Contains(app.Report.Shards, s => s.LastError is { } e && (e.Contains("no pong") || e.Contains("no message")));
        simulator.Faults.SilentConnections = false;

        await Eventually.Until(() => app.Report.State == FeedState.Live, "the feed to be live again");
    }

    [Fact]
    public async Task Unanswered_pings_alone_are_detected()
    {
        await using var simulator = await Simulator();
        await using var app = await TrackerApp.StartAsync(simulator);
        await app.WaitForFullBoardAsync();

        simulator.Faults.SuppressPongs = true;

        await Eventually.Until(() => app.Report.Shards.Any(s => s.LastError?.Contains("no pong") == true), "a missing pong to be noticed");
        simulator.Faults.SuppressPongs = false;
        await Eventually.Until(() => app.Report.State == FeedState.Live, "the feed to be live again");
    }

    [Fact]
    public async Task Malformed_frames_are_counted_and_the_feed_goes_on()
    {
        await using var simulator = await Simulator();
        await using var app = await TrackerApp.StartAsync(simulator);
        await app.WaitForFullBoardAsync();

        simulator.Faults.SendMalformedFrames(4);

        await Eventually.Until(() => app.Report.MalformedMessages >= 4, "malformed frames to be counted");
        var symbol = simulator.GetInstruments("BTC")[3].Symbol;
        simulator.SetMarkPrice(symbol, 777.25);
        app.Book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot);
        await Eventually.Until(() => slot!.ReadQuote().MarkPrice == 777.25, "updates after the bad frames");
        Assert.Equal(0, app.Report.Reconnects);
    }

    [Fact]
    public async Task Fragmented_frames_from_the_exchange_are_joined()
    {
        await using var simulator = await Simulator();
        simulator.Faults.FragmentFrames = true;
        await using var app = await TrackerApp.StartAsync(simulator);

        await app.WaitForFullBoardAsync();

        var before = app.Report.MessagesProcessed;
        await Eventually.Until(() => app.Report.MessagesProcessed > before + 500, "fragmented pushes to be processed");
        Assert.Equal(0, app.Report.MalformedMessages);
    }

    [Fact]
    public async Task Refused_topics_are_retried_until_subscribed()
    {
        await using var simulator = await Simulator();
        simulator.Faults.RefuseTopics(25);
        await using var app = await TrackerApp.StartAsync(simulator);

        await app.WaitForFullBoardAsync();

        Assert.Equal(simulator.InstrumentCount, simulator.Connections.Sum(c => c.SubscribedTopicCount));
    }

    [Fact]
    public async Task Rest_errors_and_rate_limits_at_start_up_are_retried()
    {
        await using var simulator = await Simulator();
        simulator.Faults.FailNextRestRequests(2, RestFailure.Http429);
        await using var app = await TrackerApp.StartAsync(simulator);
        await app.WaitForFullBoardAsync();

        simulator.Faults.FailNextRestRequests(1, RestFailure.RetCode10006);
        simulator.Faults.FailNextRestRequests(1, RestFailure.Http403);
        Assert.Equal(simulator.InstrumentCount, app.Book.Index.Count);
    }

    [Fact]
    public async Task Newly_listed_instruments_are_subscribed_without_a_restart()
    {
        await using var simulator = await Simulator();
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?> { ["Tracker:InstrumentRefreshInterval"] = "00:00:00.300" });
        await app.WaitForFullBoardAsync();
        var shards = app.Supervisor.ShardCount;

        var symbol = simulator.ListNewInstrument("BTC");

        await Eventually.Until(() => app.Book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot) && slot.ReadQuote().HasData, "the new option in the book with a quote");
        await Eventually.Until(() => app.Report.SubscribedTopics == simulator.InstrumentCount, "its topic subscribed");
        Assert.Equal(0, app.Report.Reconnects);
        Assert.Equal(shards, app.Supervisor.ShardCount);
    }

    [Fact]
    public async Task Delivered_options_are_unsubscribed_and_kept_with_their_last_values_and_delivery_price()
    {
        await using var simulator = await Simulator();
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?> { ["Tracker:InstrumentRefreshInterval"] = "00:00:00.300" });
        await app.WaitForFullBoardAsync();
        var trading = simulator.InstrumentCount;

        // The exchange delivers (on the tracker's clock the expiry is still ahead): the refresh reads "Delivering".
        var delivered = simulator.DeliverNextExpiry("BTC");

        Assert.NotEmpty(delivered);
        Assert.True(simulator.TryGetDeliveryPrice(delivered[0], out var settlement));
        await Eventually.Until(() => delivered.All(s => app.Book.Index.TryGetSlot(Venue.Bybit, s, out var slot)
            && slot.ReadQuote() is { Status: ListingStatus.Delivering } quote && quote.DeliveryPrice == settlement),
            "the delivered options marked Delivering with their delivery price");
        await Eventually.Until(() => simulator.Connections.Sum(c => c.SubscribedTopicCount) == simulator.InstrumentCount, "their topics to be unsubscribed");
        Assert.Equal(trading, app.Book.Index.Count);
        Assert.True(app.Book.Index.TryGetSlot(Venue.Bybit, delivered[0], out var kept) && kept.ReadQuote().HasData, "the last values stay");
        Assert.Equal(0, app.Report.Reconnects);

        var item = await OptionsTracker.Tests.Api.OptionsApiTests.GetJsonAsync(app.Client, $"/api/option/{delivered[0]}");
        Assert.Equal("Delivering", (string?)item["status"]);
        Assert.Equal(settlement, (double)item["delivery_price"]!);
        Assert.NotNull(item["mark_price"]);
        await Eventually.Until(() => app.Report.State == FeedState.Live, "health live: delivered options are no missing data");
    }

    [Fact]
    public async Task An_unreachable_exchange_is_reported_and_retried()
    {
        var closed = new Uri("http://127.0.0.1:9/");
        await using var app = await TrackerApp.StartAsync(closed, new Uri("ws://127.0.0.1:9/v5/public/option"), ["BTC"]);

        await Eventually.Until(() => app.Report.State == FeedState.Unreachable, "the feed to say the exchange cannot be reached");

        using var health = await app.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        using var json = JsonDocument.Parse(await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Unhealthy", json.RootElement.GetProperty("status").GetString());
        Assert.Contains("cannot reach the exchange", json.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Stats_report_the_feed_in_the_original_field_names()
    {
        await using var simulator = await Simulator(o => o.BaseCoins = ["BTC", "SOL"]);
        await using var app = await TrackerApp.StartAsync(simulator);
        await app.WaitForFullBoardAsync();
        await Eventually.Until(() => app.Report.MessagesProcessed > 0, "the first pushes");

        using var json = JsonDocument.Parse(await app.Client.GetStringAsync("/api/stats", TestContext.Current.CancellationToken));
        var root = json.RootElement;

        Assert.Equal(simulator.InstrumentCount, root.GetProperty("total_options").GetInt32());
        Assert.Equal(simulator.GetInstruments("BTC").Count, root.GetProperty("assets").GetProperty("BTC").GetInt32());
        Assert.Equal(simulator.GetInstruments("SOL").Count, root.GetProperty("assets").GetProperty("SOL").GetInt32());
        Assert.True(root.GetProperty("messages_processed").GetInt64() > 0);
        Assert.Equal(0, root.GetProperty("malformed_messages").GetInt64());
        Assert.Equal(0, root.GetProperty("reconnects").GetInt64());
        Assert.Equal(app.Supervisor.ShardCount, root.GetProperty("connections").GetInt32());
        Assert.Equal(simulator.InstrumentCount, root.GetProperty("subscribed_topics").GetInt32());
        Assert.Equal("live", root.GetProperty("feed_state").GetString());
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("last_update").GetString(), out _));
        Assert.True(root.GetProperty("uptime_seconds").GetInt64() >= 0);
        Assert.True(root.GetProperty("memory_bytes").GetInt64() > 0);

        using var health = await app.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Options_are_delivered_at_0800_utc_and_leave_at_the_first_refresh_after_1200_utc()
    {
        await using var simulator = await Simulator();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TrackerApp.StartAsync(simulator, timeProvider: time);
        await Eventually.Until(() => app.Book.Index.Count == simulator.InstrumentCount, "the board to load");
        await Eventually.Until(() => app.Report.SubscribedTopics == simulator.InstrumentCount, "every topic subscribed");
        var nearest = app.Book.Index.All.Min(s => s.Instrument.ExpiryUtc);
        Assert.Equal(new TimeSpan(8, 0, 0), nearest.UtcDateTime.TimeOfDay);
        var expiring = app.Book.Index.All.Where(s => s.Instrument.ExpiryUtc == nearest).Select(s => s.Instrument.Symbol).ToList();

        time.SetUtcNow(nearest - TimeSpan.FromSeconds(1));
        Assert.All(expiring, s => Assert.True(app.Book.Index.TryGetSlot(Venue.Bybit, s, out var slot) && slot.ReadQuote().Status == ListingStatus.Trading));
        time.SetUtcNow(nearest);

        // From the delivery instant (within the lifecycle's one-minute plan: the clock is stepped a second at a time, so
        // a plan the loop made just before the step still comes due): Delivering, unsubscribed, still in the book.
        var deadline = nearest + TimeSpan.FromMinutes(1);
        await Eventually.Until(() =>
        {
            if (expiring.All(s => app.Book.Index.TryGetSlot(Venue.Bybit, s, out var slot) && slot.ReadQuote().Status == ListingStatus.Delivering))
                return true;
            if (time.GetUtcNow() < deadline)
                time.Advance(TimeSpan.FromSeconds(1));
            return false;
        }, "the expiry marked Delivering within a minute of its delivery instant");
        await Eventually.Until(() => app.Supervisor.TopicCount == simulator.InstrumentCount - expiring.Count, "its topics dropped");
        Assert.Equal(simulator.InstrumentCount, app.Book.Index.Count);
        Assert.All(expiring, s => Assert.True(app.Book.Index.TryGetSlot(Venue.Bybit, s, out var slot) && slot.ReadQuote().HasData));

        // 12:00 UTC has passed: the next refresh (the periodic one, 15 minutes after start) drops them.
        time.SetUtcNow(nearest.AddHours(4).AddMinutes(1));
        await Eventually.Until(() => expiring.All(s => !app.Book.Index.TryGetSlot(Venue.Bybit, s, out _)), "the delivered options to leave after 12:00 UTC");
        Assert.Equal(simulator.InstrumentCount - expiring.Count, app.Book.Index.Count);
    }

    [Fact]
    public async Task The_daily_refresh_after_delivery_picks_up_new_listings()
    {
        await using var simulator = await Simulator();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        // Only the daily schedule can refresh in this test: the periodic one is a day away.
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?>
        {
            ["Tracker:InstrumentRefreshInterval"] = "1.00:00:00",
            ["Tracker:DailyRefreshCron"] = "5 8 * * *",
        }, time);
        await Eventually.Until(() => app.Book.Index.Count == simulator.InstrumentCount, "the board to load");
        simulator.ListNewInstrument("BTC");
        var farExpiryListing = simulator.ListNewInstrument("BTC"); // a new expiry after the farthest: still live tomorrow
        // 08:05 on the day of the nearest expiry, so at least that expiry has passed.
        var next0805 = app.Book.Index.All.Min(s => s.Instrument.ExpiryUtc).AddMinutes(5);
        Assert.Equal(new TimeSpan(8, 5, 0), next0805.UtcDateTime.TimeOfDay);

        Assert.False(app.Book.Index.TryGetSlot(Venue.Bybit, farExpiryListing, out _));
        // Expiries that have passed by then: the exchange still lists them until 12:00 UTC (status Delivering), and the
        // simulator, on its own clock, lists them as before.
        var passed = app.Book.Index.All.Where(s => s.Instrument.ExpiryUtc <= next0805).Select(s => s.Instrument.Symbol).ToList();
        Assert.NotEmpty(passed);

        time.SetUtcNow(next0805);

        await Eventually.Until(() => app.Book.Index.TryGetSlot(Venue.Bybit, farExpiryListing, out _), "the 08:05 refresh to list the new option");
        // Still listed, so they stay (delivered, with their last values) instead of trading again: the listing says
        // Trading, the clock says delivered, the clock wins.
        Assert.All(passed, symbol => Assert.True(app.Book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot) && slot.ReadQuote().Status == ListingStatus.Delivering,
            $"{symbol} should be kept as Delivering until 12:00 UTC"));
        // Subscribed: exactly the options still trading (the first new listing is a strike of the delivered expiry).
        await Eventually.Until(() => app.Supervisor.TopicCount == app.Book.Index.All.Count(s => s.ReadQuote().Status == ListingStatus.Trading)
            && app.Book.Index.All.Count(s => s.ReadQuote().Status == ListingStatus.Delivering) >= passed.Count, "no delivered option subscribed again");

        // The next refresh after 12:00 UTC (here the next day's 08:05) does not bring them back.
        time.SetUtcNow(next0805.AddDays(1));
        await Eventually.Until(() => passed.All(symbol => !app.Book.Index.TryGetSlot(Venue.Bybit, symbol, out _)), "the delivered options to leave");
    }

    [Fact]
    public async Task A_strike_range_and_expiry_range_limit_what_is_tracked_and_subscribed()
    {
        await using var simulator = await Simulator();
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?>
        {
            ["Tracker:StrikeRangePercent"] = "5",
            ["Tracker:MaxDaysToExpiry"] = "40",
        });
        var index = simulator.GetIndexPrice("BTC");
        var expected = simulator.GetInstruments("BTC")
            .Where(i => Math.Abs((double)i.Strike / index - 1) <= 0.05 + 0.01 && (i.DeliveryTime - DateTimeOffset.UtcNow).TotalDays <= 40)
            .ToList();

        await Eventually.Until(() => app.Report.State == OptionsTracker.Health.FeedState.Live && app.Report.SubscribedTopics == app.Book.Index.Count,
            "the filtered board subscribed");

        var tracked = app.Book.Index.All.Select(s => s.Instrument).ToList();
        Assert.NotEmpty(tracked);
        Assert.True(tracked.Count < simulator.InstrumentCount / 2);
        Assert.All(tracked, i =>
        {
            Assert.InRange(i.StrikeValue, index * 0.94, index * 1.06);
            Assert.True((i.ExpiryUtc - DateTimeOffset.UtcNow).TotalDays <= 40.01);
        });
        Assert.True(tracked.Count <= expected.Count);
        Assert.Equal(tracked.Count, simulator.Connections.Sum(c => c.SubscribedTopicCount));
    }

    [Fact]
    public async Task An_empty_instrument_answer_removes_nothing()
    {
        await using var simulator = await Simulator();
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?> { ["Tracker:InstrumentRefreshInterval"] = "00:00:00.200" });
        await app.WaitForFullBoardAsync();
        var held = app.Book.Index.Count;

        // Bybit answers with an empty list (the tool we replace deleted every option when that happened). All at once:
        // delivering expiry after expiry instead would let a refresh between two deliveries rightly remove some.
        simulator.Faults.EmptyInstrumentLists = true;
        var requests = simulator.RestRequestsReceived;
        await Eventually.Until(() => simulator.RestRequestsReceived >= requests + 3, "a few refreshes to see the empty list");

        Assert.Equal(held, app.Book.Index.Count);
    }
}
