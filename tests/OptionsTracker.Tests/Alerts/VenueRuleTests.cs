using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsTracker.Alerts;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Alerts;

/// <summary>
/// A market rule's <c>Venue</c> (<c>Alerts:Rules:N:Venue</c>), with both venues' simulators over real sockets: a rule on
/// Deribit reads Deribit's figure only (the analytics snapshot of <c>?venue=deribit</c>), one without a venue the combined
/// figure (<see cref="CoinAnalytics.Combine"/>), and the alert names the venue in its name and its payload; a venue that
/// is not configured, or one on the rule that compares venues, stops start-up naming the setting.
/// </summary>
public sealed class VenueRuleTests
{
    private const string Coin = "BTC";
    private const double Tenor = 30;

    private static readonly Venue Deribit = Venue.Parse("deribit");

    /// <summary>The 30-day ATM IV, in percent, of a venue's options (null: every venue's combined), as the term endpoint serves it.</summary>
    private static double? AtmIv30(MarketAnalytics analytics, Venue? venue) =>
        analytics.Get(Coin, venue)?.Tenors.FirstOrDefault(t => t.TenorDays == Tenor) is { } tenor && double.IsFinite(tenor.AtmIv) ? tenor.AtmIv * 100 : null;

    private static async Task<TrackerApp> StartBothVenuesAsync(Dictionary<string, string?> settings)
    {
        // Deribit's IVs well apart from Bybit's (a venue-wide bias of a quarter of this, and per-strike offsets), so the two
        // venues' ATM IVs are told apart by far more than the market moves within a test.
        var app = await TrackerApp.StartWithBothVenuesAsync(settings, deribit => deribit.IvOffsetPoints = 16);
        var analytics = app.Services.GetRequiredService<MarketAnalytics>();
        await Eventually.Until(() => AtmIv30(analytics, Venue.Bybit) is not null && AtmIv30(analytics, Deribit) is not null && AtmIv30(analytics, null) is not null,
            "a 30-day ATM IV of each venue and combined");
        return app;
    }

    [Fact]
    public async Task A_rule_on_deribit_fires_from_deribits_figure_only()
    {
        await using var app = await StartBothVenuesAsync([]);
        var analytics = app.Services.GetRequiredService<MarketAnalytics>();
        var deribit = AtmIv30(analytics, Deribit)!.Value;
        var bybit = AtmIv30(analytics, Venue.Bybit)!.Value;
        var combined = AtmIv30(analytics, null)!.Value;
        TestContext.Current.TestOutputHelper?.WriteLine($"30-day ATM IV: deribit {deribit:0.###} %, bybit {bybit:0.###} %, combined {combined:0.###} %");
        Assert.True(Math.Abs(deribit - bybit) > 0.5, $"the venues' figures too close to tell apart: {deribit} and {bybit}");

        // A threshold between the two venues' figures, on Deribit's side: crossed by Deribit's figure, not by Bybit's.
        var between = (deribit + bybit) / 2;
        AlertRuleOptions Between(string? venue) => deribit > bybit
            ? new() { Kind = AlertRuleKind.AtmIv, Asset = Coin, TenorDays = Tenor, Above = between, Venue = venue }
            : new() { Kind = AlertRuleKind.AtmIv, Asset = Coin, TenorDays = Tenor, Below = between, Venue = venue };
        // Always crossed: the value each reads is the alert's.
        AlertRuleOptions Any(string? venue) => new() { Kind = AlertRuleKind.AtmIv, Asset = Coin, TenorDays = Tenor, Above = 0.001, Venue = venue, Name = $"any {venue ?? "all"}" };
        var rules = new MarketRules(Options.Create(new AlertsOptions
        {
            Rules = [Between("deribit"), Between("bybit"), Any("deribit"), Any("bybit"), Any(null),
                new() { Kind = AlertRuleKind.PutCallOiRatio, Asset = Coin, Above = 0, Venue = "Deribit" }],
        }), NullLogger<MarketRules>.Instance, analytics);
        var alerts = new List<Alert>();
        rules.Evaluate(app.Book.Index, TimeProvider.System.GetUtcNow(), alerts);
        foreach (var alert in alerts)
            TestContext.Current.TestOutputHelper?.WriteLine($"{alert.Venue ?? "all"}: {alert.Text}");

        var onDeribit = Assert.Single(alerts, a => a.Name == "BTC 30-day ATM IV on deribit");
        Assert.DoesNotContain(alerts, a => a.Name == "BTC 30-day ATM IV on bybit");
        Assert.Equal("deribit", onDeribit.Venue);
        Assert.Equal(between, onDeribit.Threshold);
        // Each value is its own venue's figure, or the combined one: nearer to it than to the other venue's by far.
        var tolerance = Math.Abs(deribit - bybit) / 4;
        Assert.Equal(deribit, onDeribit.Value!.Value, tolerance);
        Assert.Equal(deribit, Assert.Single(alerts, a => a.Name == "any deribit").Value!.Value, tolerance);
        Assert.Equal(bybit, Assert.Single(alerts, a => a.Name == "any bybit").Value!.Value, tolerance);
        var all = Assert.Single(alerts, a => a.Name == "any all");
        Assert.Null(all.Venue);
        Assert.Equal(AtmIv30(analytics, null)!.Value, all.Value!.Value, tolerance);

        // Put/call OI of Deribit's options alone (OI counts contracts: the combined ratio sums the venues).
        var ratio = Assert.Single(alerts, a => a.Name == "BTC put/call OI ratio on deribit");
        Assert.True(app.Book.Index.TryGetCoin(Coin, out var coin));
        Assert.True(coin.TryGetVenue(Deribit, out var deribitOptions));
        Assert.Equal(MarketMeasures.PutCallOiRatio(deribitOptions, null)!.Value, ratio.Value!.Value, 0.05);
        Assert.Equal("deribit", ratio.Venue);
    }

    [Fact]
    public async Task A_rule_on_a_venue_reaches_the_webhook_naming_the_venue()
    {
        await using var webhook = await FakeWebhookReceiver.StartAsync();
        await using var app = await StartBothVenuesAsync(new()
        {
            ["Alerts:WebhookUrl"] = webhook.Url.AbsoluteUri,
            ["Alerts:EvaluationInterval"] = "00:00:00.200",
            ["Alerts:FeedDownAfter"] = "1.00:00:00",
            ["Alerts:Rules:0:Kind"] = "AtmIv", ["Alerts:Rules:0:Asset"] = Coin, ["Alerts:Rules:0:TenorDays"] = "30",
            ["Alerts:Rules:0:Above"] = "0.001", ["Alerts:Rules:0:Venue"] = "deribit",
        });
        var analytics = app.Services.GetRequiredService<MarketAnalytics>();

        await Eventually.Until(() => webhook.Posts.Any(p => p.GetProperty("source").GetString() == "rule"), "the rule's alert at the webhook");
        var json = webhook.Posts.First(p => p.GetProperty("source").GetString() == "rule");
        TestContext.Current.TestOutputHelper?.WriteLine(json.ToString());
        Assert.Equal("BTC 30-day ATM IV on deribit", json.GetProperty("name").GetString());
        Assert.Equal("deribit", json.GetProperty("venue").GetString());
        Assert.StartsWith("BTC 30-day ATM IV on deribit is ", json.GetProperty("text").GetString(), StringComparison.Ordinal);
        var (deribit, bybit) = (AtmIv30(analytics, Deribit)!.Value, AtmIv30(analytics, Venue.Bybit)!.Value);
        Assert.Equal(deribit, json.GetProperty("value").GetDouble(), Math.Abs(deribit - bybit) / 4);
    }

    [Fact]
    public void A_trade_rule_on_a_venue_takes_that_venues_trades_only()
    {
        var now = DateTimeOffset.UtcNow;
        Trade Made(Venue venue, string id, string symbol, bool block = false) => new()
        {
            Venue = venue, Id = id, Symbol = symbol, BaseCoin = Coin, ExpiryUtc = now.AddDays(30), Strike = 100_000m, Type = OptionType.Call,
            TimeMs = now.ToUnixTimeMilliseconds(), Side = TradeSide.Buy, Size = 50, Price = 2_000, IsBlock = block,
        };
        var rules = new TradeRules(Coin,
        [
            new AlertRuleOptions { Kind = AlertRuleKind.LargeTrade, Asset = Coin, SizeAbove = 10, Venue = "deribit" },
            new AlertRuleOptions { Kind = AlertRuleKind.LargeTrade, Asset = Coin, SizeAbove = 10 },
            new AlertRuleOptions { Kind = AlertRuleKind.BlockTrade, Asset = Coin, Venue = "bybit" },
        ], now.AddMinutes(-1));
        var alerts = new List<Alert>();
        rules.Check([Made(Venue.Bybit, "b1", "BTC-100000-C-USDT"), Made(Deribit, "d1", "BTC-100000-C"), Made(Deribit, "d2", "BTC-100000-C", block: true)], now, alerts);
        foreach (var alert in alerts)
            TestContext.Current.TestOutputHelper?.WriteLine($"{alert.Name} [{alert.Venue}]: {alert.Text}");

        Assert.Equal(["d1", "d2"], alerts.Where(a => a.Name == "BTC large trade on deribit").SelectMany(a => a.TradeIds!));
        Assert.Equal(["b1", "d1", "d2"], alerts.Where(a => a.Name == "BTC large trade").SelectMany(a => a.TradeIds!));
        Assert.Equal(["bybit", "deribit", "deribit"], alerts.Where(a => a.Name == "BTC large trade").Select(a => a.Venue));
        // Deribit's block is not Bybit's: the block rule on Bybit stays quiet.
        Assert.DoesNotContain(alerts, a => a.Name == "BTC block trade on bybit");
    }

    private static ValidateOptionsResult Validate(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = configuration.GetSection(AlertsOptions.Section).Get<AlertsOptions>() ?? new AlertsOptions();
        return new AlertsOptionsValidator(configuration).Validate(null, options);
    }

    [Fact]
    public void A_venue_must_be_a_configured_one_and_not_on_the_venue_iv_gap_rule()
    {
        var rules = new Dictionary<string, string?>
        {
            ["Alerts:Rules:0:Kind"] = "AtmIv", ["Alerts:Rules:0:Asset"] = "BTC", ["Alerts:Rules:0:TenorDays"] = "30", ["Alerts:Rules:0:Above"] = "60",
            ["Alerts:Rules:0:Venue"] = "deribit",
            ["Alerts:Rules:1:Kind"] = "PutCallOiRatio", ["Alerts:Rules:1:Asset"] = "ETH", ["Alerts:Rules:1:Above"] = "1.2", ["Alerts:Rules:1:Venue"] = "Bybit",
            ["Alerts:Rules:2:Kind"] = "LargeTrade", ["Alerts:Rules:2:Asset"] = "BTC", ["Alerts:Rules:2:SizeAbove"] = "100", ["Alerts:Rules:2:Venue"] = "deribit",
        };
        Assert.True(Validate(new(rules) { ["Tracker:Venues"] = "bybit,deribit" }).Succeeded);

        // Bybit alone (the default): a rule on Deribit would never have a value.
        var bybitOnly = Validate(rules);
        Assert.True(bybitOnly.Failed);
        var failures = bybitOnly.Failures!.ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(Environment.NewLine, failures));
        Assert.Contains("Alerts:Rules:0:Venue must be one of the configured venues (Tracker:Venues): bybit, not 'deribit'", failures[0], StringComparison.Ordinal);
        Assert.StartsWith("Alerts:Rules:2:Venue must be one of the configured venues", failures[1], StringComparison.Ordinal);
        Assert.Equal(2, failures.Count);

        var wrong = Validate(new()
        {
            ["Tracker:Venues"] = "bybit,deribit",
            ["Alerts:Rules:0:Kind"] = "AtmIv", ["Alerts:Rules:0:Asset"] = "BTC", ["Alerts:Rules:0:TenorDays"] = "30", ["Alerts:Rules:0:Above"] = "60",
            ["Alerts:Rules:0:Venue"] = "okx",
            ["Alerts:Rules:1:Kind"] = "VenueIvGap", ["Alerts:Rules:1:Asset"] = "BTC", ["Alerts:Rules:1:Above"] = "3", ["Alerts:Rules:1:Venue"] = "deribit",
        });
        failures = [.. wrong.Failures!];
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(Environment.NewLine, failures));
        Assert.Contains(failures, f => f.StartsWith("Alerts:Rules:0:Venue must be one of the configured venues (Tracker:Venues): bybit, deribit, not 'okx'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alerts:Rules:1:Venue does not apply to Kind=VenueIvGap", StringComparison.Ordinal));
    }
}
