using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Health;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Feed;

/// <summary>
/// Exchange behaviours the documentation allows, end to end over real sockets: PreLaunch listings, paged and
/// percent-encoded cursors, legacy USDC symbols, an IP ban (HTTP 403) and a parameter error (retCode 10001).
/// </summary>
public class ExchangeBehaviourTests
{
    private static Task<BybitSimulator> Simulator(Action<SimulatorOptions>? configure = null)
    {
        var options = new SimulatorOptions { BaseCoins = ["BTC"], PushInterval = TimeSpan.FromMilliseconds(200) };
        configure?.Invoke(options);
        return BybitSimulator.StartAsync(options, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_PreLaunch_option_is_listed_as_not_trading_unsubscribed_and_never_holds_health_back()
    {
        await using var simulator = await Simulator();
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?> { ["Tracker:InstrumentRefreshInterval"] = "00:00:00.300" });
        await app.WaitForFullBoardAsync();

        var symbol = simulator.ListPreLaunchInstrument("BTC", TimeSpan.FromDays(1));

        await Eventually.Until(() => app.Book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot) && slot.ReadQuote().Status == ListingStatus.PreLaunch,
            "the PreLaunch option in the book");
        var item = await OptionsTracker.Tests.Api.OptionsApiTests.GetJsonAsync(app.Client, $"/api/option/{symbol}");
        Assert.Equal("PreLaunch", (string?)item["status"]);
        Assert.Null(item["mark_price"]);
        Assert.Equal(simulator.InstrumentCount, app.Supervisor.TopicCount);
        Assert.Equal(simulator.InstrumentCount + 1, app.Book.Index.Count);
        Assert.Equal(FeedState.Live, app.Report.State);
        using (var health = await app.Client.GetAsync("/health", TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        simulator.Launch(symbol);

        await Eventually.Until(() => app.Book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot)
            && slot.ReadQuote() is { Status: ListingStatus.Trading, HasData: true }, "the launched option trading and quoted");
        await Eventually.Until(() => app.Report.SubscribedTopics == simulator.InstrumentCount, "its topic subscribed");
        Assert.Equal(simulator.InstrumentCount, app.Book.Index.Count);
    }

    [Fact]
    public async Task Short_pages_with_percent_encoded_cursors_and_legacy_USDC_symbols_load_in_full()
    {
        await using var simulator = await Simulator(o =>
        {
            o.MaxInstrumentsPageSize = 90;
            o.LegacyUsdcOptions = true;
        });
        await using var app = await TrackerApp.StartAsync(simulator);

        await app.WaitForFullBoardAsync();

        Assert.Equal(simulator.GetInstruments().Select(i => i.Symbol).Order(StringComparer.Ordinal),
            app.Book.Index.All.Select(s => s.Instrument.Symbol).Order(StringComparer.Ordinal));
        var legacy = simulator.GetInstruments().First(i => i.SettleCoin == "USDC");
        Assert.True(app.Book.Index.TryGetSlot(Venue.Bybit, legacy.Symbol, out var usdc));
        Assert.True(app.Book.Index.TryGetSlot(Venue.Bybit, legacy.Symbol + "-USDT", out var usdt));
        Assert.Null(usdc.Instrument.SettleCoin);
        Assert.Equal("USDT", usdt.Instrument.SettleCoin);
        Assert.Equal(usdt.Instrument.Strike, usdc.Instrument.Strike);
        Assert.Equal(usdt.Instrument.ExpiryUtc, usdc.Instrument.ExpiryUtc);
    }

    [Fact]
    public async Task An_IP_ban_at_start_up_is_unhealthy_with_its_end_and_nothing_is_retried_until_then()
    {
        await using var simulator = await Simulator(o => o.BaseCoins = ["BTC", "ETH", "SOL"]);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        simulator.Faults.BanIp(TimeSpan.FromDays(1)); // lifted by hand below: the simulator runs on the wall clock
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?> { ["Bybit:IpBanBackoff"] = "00:10:00" }, time);

        await Eventually.Until(() => app.Report.Reason.Contains("HTTP 403", StringComparison.Ordinal), "the ban in the health reason");
        Assert.Equal(FeedState.Unreachable, app.Report.State);
        Assert.Contains($"until {time.GetUtcNow().AddMinutes(10):yyyy-MM-dd HH:mm}", app.Report.Reason, StringComparison.Ordinal);
        using (var health = await app.Client.GetAsync("/health", TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            using var json = JsonDocument.Parse(await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Contains("banned", json.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        // Nine minutes on, where retry backoffs (≤ 0.5 s here) would have asked again many times: the only requests of
        // the whole ban are the three coins' first ones, in flight together when the first 403 came.
        await AdvanceMinutesAsync(app, time, 9);
        var duringBan = simulator.RestRequestsReceived;
        TestContext.Current.TestOutputHelper?.WriteLine($"REST requests during the ban (3 coins): {duringBan}");
        Assert.InRange(duringBan, 1, 3);

        simulator.Faults.BanIp(TimeSpan.Zero);
        await AdvanceMinutesAsync(app, time, 2);
        await Eventually.Until(() => app.Book.Index.Count == simulator.InstrumentCount, "every coin loaded after the ban");
        await Eventually.Until(() => !app.Report.Reason.Contains("banned", StringComparison.Ordinal), "the ban gone from health");
    }

    [Fact]
    public async Task One_403_pauses_every_REST_caller_not_only_the_one_that_got_it()
    {
        await using var simulator = await Simulator(o => o.BaseCoins = ["BTC", "ETH"]);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?>
        {
            ["Bybit:IpBanBackoff"] = "00:10:00",
            ["Tracker:InstrumentRefreshInterval"] = "00:01:00",
        }, time);
        await app.WaitForFullBoardAsync();

        // Every REST caller counts here, the realised volatility poller too (the simulator counts its requests apart): on the
        // stepped clock its paced round may be the first to meet the ban instead of the refresh.
        long Requests() => simulator.RestRequestsReceived + simulator.HistoricalVolatilityRequestsReceived;
        simulator.Faults.BanIp(TimeSpan.FromDays(1));
        var before = Requests();
        await AdvanceMinutesAsync(app, time, 1); // the periodic refresh (or the poller) meets the ban
        await Eventually.Until(() => app.Report.Reason.Contains("banned", StringComparison.Ordinal), "the ban in the health reason");
        await Eventually.Until(() => Requests() > before, "the first 403 counted");
        // The book still has data to serve: not Unreachable, and never Live while REST is paused. (The stepped clock may
        // also make the feed look stale or disconnected; the ban is named either way.)
        Assert.NotEqual(FeedState.Unreachable, app.Report.State);
        Assert.NotEqual(FeedState.Live, app.Report.State);

        // Every minute a refresh is due, and the connections are cut so both coins want their snapshot again: without one
        // gate for all, each of these callers would meet its own 403 and prolong the ban. With it, only the refresh's
        // request (and at most a snapshot and a realised volatility request already on their way) reaches the exchange
        // during the whole ban.
        simulator.Faults.DropAllConnections();
        await AdvanceMinutesAsync(app, time, 8);
        var duringBan = Requests() - before;
        TestContext.Current.TestOutputHelper?.WriteLine($"REST requests during the ban: {duringBan}");
        Assert.InRange(duringBan, 1, 3);
        var atLift = Requests();

        simulator.Faults.BanIp(TimeSpan.Zero);
        await AdvanceMinutesAsync(app, time, 2);
        await Eventually.Until(() => !app.Report.Reason.Contains("banned", StringComparison.Ordinal), "the ban gone from health");
        await Eventually.Until(() => Requests() > atLift, "REST calls again after the ban");
    }

    /// <summary>Steps the tracker's clock a minute at a time, letting each step's work run (a /health answer in between).</summary>
    private static async Task AdvanceMinutesAsync(TrackerApp app, FakeTimeProvider time, int minutes)
    {
        for (var minute = 0; minute < minutes; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            using var health = await app.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_parameter_error_is_not_retried_forever_and_shows_in_health()
    {
        await using var simulator = await Simulator(o => o.BaseCoins = ["BTC", "ETH"]);
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?> { ["Tracker:Assets"] = "BTC" });
        // BTC only: Tracker:Assets wins over the simulator's coins.
        await Eventually.Until(() => app.Book.Index.Count == simulator.GetInstruments("BTC").Count && app.Report.State == FeedState.Live, "BTC live");

        var requests = simulator.RestRequestsReceived;
        simulator.Faults.FailNextRestRequests(1, RestFailure.RetCode10001);
        var assets = (OptionsTracker.Feed.TrackedAssets)app.Services.GetService(typeof(OptionsTracker.Feed.TrackedAssets))!;
        await assets.AddAsync("ETH", TestContext.Current.CancellationToken);

        await Eventually.Until(() => app.Services.GetService(typeof(OptionsTracker.Feed.FeedStatus)) is OptionsTracker.Feed.FeedStatus status
            && status.Coins.TryGetValue("ETH", out var state) && state == OptionsTracker.Feed.CoinLoadState.Refused, "ETH refused");
        Assert.Equal(FeedState.Degraded, app.Report.State);
        Assert.Contains("refused the request for ETH", app.Report.Reason, StringComparison.Ordinal);
        // The refused request was made once and not again, while the live feed ran on for a good while (a retry every
        // RestRetryDelay, 50 ms here, would have repeated it dozens of times).
        var messages = app.Report.MessagesProcessed;
        await Eventually.Until(() => app.Report.MessagesProcessed > messages + 2 * simulator.InstrumentCount, "the live feed to run on");
        Assert.Equal(requests + 1, simulator.RestRequestsReceived);
        Assert.Equal(FeedState.Degraded, app.Report.State);
        Assert.False(app.Book.Index.TryGetCoin("ETH", out _));
    }

    [Fact]
    public async Task The_demo_lists_every_option_coin_so_the_asset_editor_adds_XRP_and_its_check_is_refused_at_once_during_an_IP_ban()
    {
        var options = SimulatorOptions.ForDemo(["BTC"]);
        options.TargetInstrumentCount = 900;
        options.PushInterval = TimeSpan.FromMilliseconds(200);
        await using var simulator = await BybitSimulator.StartAsync(options, TestContext.Current.CancellationToken);
        Assert.Equal(["BTC", "ETH", "SOL", "XRP", "DOGE", "MNT"], simulator.BaseCoins);
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?>
        {
            ["Tracker:Assets"] = "BTC",
            ["Bybit:IpBanBackoff"] = "00:10:00",
        });
        await Eventually.Until(() => app.Book.Index.Count == simulator.GetInstruments("BTC").Count && app.Report.State == FeedState.Live, "BTC live");
        using var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.CreateScope(app.Services);
        var editor = (OptionsTracker.Dashboard.AssetEditor)scope.ServiceProvider.GetService(typeof(OptionsTracker.Dashboard.AssetEditor))!;

        Assert.Null(await editor.AddAsync("xrp", TestContext.Current.CancellationToken));
        await Eventually.Until(() => app.Book.Index.TryGetCoin("XRP", out var xrp) && xrp.Slots.Count == simulator.GetInstruments("XRP").Count,
            "XRP options in the book");

        // Banned: the check that meets the 403 says so, and the next one is refused at once without asking.
        simulator.Faults.BanIp(TimeSpan.FromDays(1));
        var first = await editor.AddAsync("DOGE", TestContext.Current.CancellationToken);
        var requests = simulator.RestRequestsReceived;
        var second = await editor.AddAsync("MNT", TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine($"{first}\n{second}");
        Assert.Contains("403", first, StringComparison.Ordinal);
        Assert.Contains("banned this IP", second, StringComparison.Ordinal);
        Assert.Equal(requests, simulator.RestRequestsReceived);
    }
}
