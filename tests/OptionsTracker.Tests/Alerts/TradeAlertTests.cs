using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptionsTracker.Alerts;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Feed;
using OptionsTracker.Health;
using OptionsTracker.Store;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Alerts;

/// <summary>
/// The trade rules (LargeTrade, BlockTrade) in the real host: trades appended to its tape as the feed appends them,
/// alerts delivered through the dispatcher to a webhook listening on a real socket.
/// </summary>
public class TradeAlertTests
{
    private static readonly DateTimeOffset Expiry = new(2030, 3, 29, 8, 0, 0, TimeSpan.Zero);

    private static Trade TradeOf(string id, DateTimeOffset time, double size, double price, string coin = "BTC",
        bool block = false, string? blockId = null, TradeSide side = TradeSide.Buy, decimal strike = 120_000, OptionType type = OptionType.Call) => new()
    {
        Venue = Venue.Bybit,
        Id = id,
        Symbol = BookBuilder.Symbol(coin, DateOnly.FromDateTime(Expiry.UtcDateTime), (double)strike, type),
        BaseCoin = coin,
        ExpiryUtc = Expiry,
        Strike = strike,
        Type = type,
        TimeMs = time.ToUnixTimeMilliseconds(),
        Side = side,
        Size = size,
        Price = price,
        Iv = 0.62,
        MarkIv = 0.60,
        IsBlock = block,
        BlockId = blockId,
    };

    private static Dictionary<string, string?> Settings(FakeWebhookReceiver webhook, params (string Key, string Value)[] rules)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Alerts:WebhookUrl"] = webhook.Url.AbsoluteUri,
            // Health alerts stay out of the way: this host has no exchange, so the feed is down from the start.
            ["Alerts:FeedDownAfter"] = "1.00:00:00",
            ["Alerts:MaxMessagesPerMinute"] = "600",
            // The test host keeps the tape off unless asked; these rules read it.
            ["Tape:Enabled"] = "true",
        };
        foreach (var (key, value) in rules)
            settings[$"Alerts:Rules:{key}"] = value;
        return settings;
    }

    private static List<JsonElement> Named(FakeWebhookReceiver webhook, string name) =>
        [.. webhook.Posts.Where(p => p.GetProperty("name").GetString() == name)];

    private static string[] Strings(JsonElement alert, string property) =>
        [.. alert.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task Large_trades_alert_once_each_by_size_or_by_premium_and_trades_made_before_start_do_not()
    {
        await using var webhook = await FakeWebhookReceiver.StartAsync();
        await using var app = await TrackerApp.StartWithoutExchangeAsync(Settings(webhook,
            ("0:Kind", "LargeTrade"), ("0:Asset", "btc"), ("0:SizeAbove", "100"), ("0:PremiumAbove", "1000000"),
            ("1:Kind", "LargeTrade"), ("1:Asset", "BTC"), ("1:Name", "BTC whale"), ("1:PremiumAbove", "5000000")));
        var tape = app.Services.GetRequiredService<TradeTape>();
        var service = app.Services.GetRequiredService<TradeAlertService>();
        var now = TimeProvider.System.GetUtcNow();

        tape.Append([
            // Made an hour before start (a backfill): large, but old news.
            TradeOf("old", now - TimeSpan.FromHours(1), size: 500, price: 2_000),
            TradeOf("small", now, size: 5, price: 2_000),
            TradeOf("big-size", now, size: 250, price: 1_000),                  // 250 > 100 contracts; premium 250,000
            TradeOf("big-premium", now, size: 50, price: 40_000, side: TradeSide.Sell), // premium 2,000,000 > 1,000,000
            TradeOf("huge", now, size: 300, price: 20_000),                     // both rules: 300 contracts, premium 6,000,000
        ]);
        // The same trades again (a WebSocket and a REST backfill overlapping): the tape drops them, nothing alerts twice.
        tape.Append([TradeOf("big-size", now, size: 250, price: 1_000), TradeOf("huge", now, size: 300, price: 20_000)]);
        await Eventually.Until(() => service.Checked == 5, "the five trades checked");
        await Eventually.Until(() => webhook.Posts.Count == 4, "four alerts at the webhook");

        Assert.Equal(4, app.Dispatcher.Posted);
        var large = Named(webhook, "BTC large trade");
        Assert.Equal(["big-size", "big-premium", "huge"], large.Select(a => Strings(a, "trade_ids").Single()));
        Assert.Equal([250d, 2_000_000d, 300d], large.Select(a => a.GetProperty("value").GetDouble()));
        Assert.Equal([100d, 1_000_000d, 100d], large.Select(a => a.GetProperty("threshold").GetDouble()));
        Assert.All(large, a => Assert.Equal("rule", a.GetProperty("source").GetString()));
        Assert.All(large, a => Assert.Equal("BTC", a.GetProperty("asset").GetString()));
        var symbol = BookBuilder.Symbol("BTC", DateOnly.FromDateTime(Expiry.UtcDateTime), 120_000, OptionType.Call);
        Assert.Equal(
            $"BTC large trade: sell 50 {symbol} at 40,000 USD, premium 2,000,000 USD, IV 62.0 % (mark 60.0 %); premium above 1,000,000 USD",
            large[1].GetProperty("text").GetString());
        var whale = Assert.Single(Named(webhook, "BTC whale"));
        Assert.Equal(["huge"], Strings(whale, "trade_ids"));
        Assert.Equal([symbol], Strings(whale, "symbols"));
        Assert.Equal(6_000_000, whale.GetProperty("value").GetDouble());

        // A later large trade alerts too, and only it: each trade once per rule, no cool-down.
        tape.Append([TradeOf("later", now + TimeSpan.FromSeconds(1), size: 101, price: 100)]);
        await Eventually.Until(() => webhook.Posts.Count == 5, "the later trade's alert");
        Assert.Equal(["later"], Strings(webhook.Posts[4], "trade_ids"));
        Assert.Equal(5, app.Dispatcher.Posted);
    }

    [Fact]
    public async Task A_block_alerts_once_naming_its_legs_when_they_share_a_block_id()
    {
        await using var webhook = await FakeWebhookReceiver.StartAsync();
        await using var app = await TrackerApp.StartWithoutExchangeAsync(Settings(webhook,
            ("0:Kind", "BlockTrade"), ("0:Asset", "BTC"),
            ("1:Kind", "BlockTrade"), ("1:Asset", "BTC"), ("1:Name", "BTC big block"), ("1:SizeAbove", "50"),
            ("2:Kind", "BlockTrade"), ("2:Asset", "ETH")));
        var tape = app.Services.GetRequiredService<TradeTape>();
        var service = app.Services.GetRequiredService<TradeAlertService>();
        var now = TimeProvider.System.GetUtcNow();

        // A two-leg block (a 100-lot risk reversal: the feed appends an RFQ's legs together), an ordinary trade, a
        // one-leg block of 10 the public trade stream flagged without an id, and a block made before start.
        tape.Append([
            TradeOf("leg-call", now, size: 100, price: 1_500, block: true, blockId: "rfq-7"),
            TradeOf("leg-put", now, size: 100, price: 900, block: true, blockId: "rfq-7", side: TradeSide.Sell, strike: 90_000, type: OptionType.Put),
            TradeOf("plain", now, size: 1_000, price: 1_000),
            TradeOf("lone", now, size: 10, price: 500, block: true),
            TradeOf("old-block", now - TimeSpan.FromMinutes(5), size: 100, price: 1_000, block: true, blockId: "rfq-6"),
        ]);
        await Eventually.Until(() => service.Checked == 5, "the five trades checked");
        await Eventually.Until(() => webhook.Posts.Count == 3, "three block alerts");

        var every = Named(webhook, "BTC block trade");
        Assert.Equal(2, every.Count);
        var lone = Assert.Single(every, a => !a.TryGetProperty("block_id", out _));
        Assert.Equal(["lone"], Strings(lone, "trade_ids"));
        var pair = Assert.Single(every, a => a.TryGetProperty("block_id", out _));
        Assert.Equal("rfq-7", pair.GetProperty("block_id").GetString());
        Assert.Equal(["leg-call", "leg-put"], Strings(pair, "trade_ids"));
        var call = BookBuilder.Symbol("BTC", DateOnly.FromDateTime(Expiry.UtcDateTime), 120_000, OptionType.Call);
        var put = BookBuilder.Symbol("BTC", DateOnly.FromDateTime(Expiry.UtcDateTime), 90_000, OptionType.Put);
        Assert.Equal([call, put], Strings(pair, "symbols"));
        Assert.Equal(100, pair.GetProperty("value").GetDouble());
        Assert.Equal(
            $"BTC block trade: 2 legs, block rfq-7: buy 100 {call} at 1,500 USD; sell 100 {put} at 900 USD; premium 240,000 USD",
            pair.GetProperty("text").GetString());
        var big = Assert.Single(Named(webhook, "BTC big block"));
        Assert.Equal(["leg-call", "leg-put"], Strings(big, "trade_ids"));
        Assert.Equal(50, big.GetProperty("threshold").GetDouble());

        // An ETH block reaches the ETH rule alone; it comes after every BTC block, so nothing else was pending.
        tape.Append([TradeOf("eth-block", now, size: 20, price: 50, coin: "ETH", block: true, blockId: "rfq-8")]);
        await Eventually.Until(() => webhook.Posts.Count == 4, "the ETH block's alert");
        Assert.Equal(["eth-block"], Strings(Assert.Single(Named(webhook, "ETH block trade")), "trade_ids"));
        Assert.Equal(4, app.Dispatcher.Posted);
    }

    public static TheoryData<string, Dictionary<string, string?>> BadRules => new()
    {
        { "Alerts:Rules:0:SizeAbove or Alerts:Rules:0:PremiumAbove is required", Rule("LargeTrade") },
        { "Alerts:Rules:0:Above/Below do not apply to Kind=LargeTrade", Rule("LargeTrade", ("Above", "100")) },
        { "Alerts:Rules:0:Cooldown does not apply to Kind=BlockTrade", Rule("BlockTrade", ("Cooldown", "00:10:00")) },
        { "Alerts:Rules:0:PremiumAbove does not apply to Kind=BlockTrade", Rule("BlockTrade", ("PremiumAbove", "100000")) },
        { "Alerts:Rules:0:SizeAbove applies only to Kind=LargeTrade and Kind=BlockTrade", Rule("AtmIv", ("TenorDays", "30"), ("Above", "60"), ("SizeAbove", "5")) },
        { "Alerts:Rules:0:TenorDays applies only to", Rule("LargeTrade", ("SizeAbove", "5"), ("TenorDays", "30")) },
        { "SizeAbove", Rule("LargeTrade", ("SizeAbove", "-1")) },
        { "Alerts:Rules:0:SizeAbove", Rule("LargeTrade", ("SizeAbove", "lots")) },
        { "Alerts:Rules:0:Asset must be a base coin", Rule("BlockTrade", ("Asset", "BTC-USDT")) },
    };

    private static Dictionary<string, string?> Rule(string kind, params (string Key, string Value)[] settings)
    {
        var rule = new Dictionary<string, string?>
        {
            ["Alerts:WebhookUrl"] = "http://127.0.0.1:9/hook",
            ["Alerts:Rules:0:Kind"] = kind,
            ["Alerts:Rules:0:Asset"] = "BTC",
        };
        foreach (var (key, value) in settings)
            rule[$"Alerts:Rules:0:{key}"] = value;
        return rule;
    }

    [Theory]
    [MemberData(nameof(BadRules))]
    public async Task A_bad_trade_rule_stops_start_up_saying_why(string expected, Dictionary<string, string?> settings)
    {
        var error = await StartupErrorAsync(settings);

        Assert.True(error.Contains(expected, StringComparison.Ordinal), error);
    }

    /// <summary>Builds the host as Program.cs does (the tape included) and starts it, expecting it to refuse.</summary>
    private static async Task<string> StartupErrorAsync(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bybit:RestUrl"] = "http://127.0.0.1:1/",
            ["Bybit:WsUrl"] = "ws://127.0.0.1:1/v5/public/option",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddBook();
        builder.AddTape();
        builder.AddStore();
        builder.AddBybit();
        builder.AddFeed();
        builder.AddHealth();
        builder.AddAlerts();
        await using var app = builder.Build();
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        catch (Exception e)
        {
            return e.ToString();
        }
        await app.StopAsync(TestContext.Current.CancellationToken);
        Assert.Fail("the host started");
        return "";
    }
}
