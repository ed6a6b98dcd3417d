using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Alerts;
using OptionsTracker.Book;

namespace OptionsTracker.Tests.Alerts;

/// <summary>
/// The <c>VenueIvGap</c> rule: the same option on two venues whose mark IVs differ by more than the threshold fires once
/// per crossing, is re-armed only after the gap closes, ignores options on one venue and options without a mark IV; a
/// rule without a positive threshold stops start-up naming the setting.
/// </summary>
public sealed class VenueIvGapRuleTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Delivery = new(2030, 1, 31, 8, 0, 0, TimeSpan.Zero);

    // A second venue's id: the rule knows venues only as ids, so any id other than Bybit's stands for Deribit here.
    private static readonly Venue Other = Venue.Parse("deribit");

    /// <summary>BTC 31JAN30 calls at 90k, 100k, 110k on both venues, and a 120k call on Bybit only.</summary>
    private static OptionBook Board(FakeTimeProvider time)
    {
        var book = new OptionBook(time);
        var instruments = new List<OptionInstrument>();
        foreach (var strike in new[] { 90_000m, 100_000m, 110_000m })
        {
            instruments.Add(new OptionInstrument(Venue.Bybit, $"BTC-31JAN30-{strike}-C-USDT", "BTC", Delivery, strike, OptionType.Call));
            instruments.Add(new OptionInstrument(Other, $"BTC-31JAN30-{strike}-C", "BTC", Delivery, strike, OptionType.Call, priceCurrency: "BTC"));
        }
        instruments.Add(new OptionInstrument(Venue.Bybit, "BTC-31JAN30-120000-C-USDT", "BTC", Delivery, 120_000m, OptionType.Call));
        book.AddInstruments(instruments);
        return book;
    }

    private static void SetIv(OptionBook book, Venue venue, decimal strike, double iv)
    {
        var slot = book.Index.All.Single(s => s.Instrument.Venue == venue && s.Instrument.Strike == strike);
        var update = new QuoteUpdate { ExchangeTimeMs = book.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() };
        update.Set(QuoteField.MarkIv, iv);
        book.Apply(slot, update);
    }

    private static List<Alert> Evaluate(MarketRules rules, OptionBook book, FakeTimeProvider time)
    {
        time.Advance(TimeSpan.FromSeconds(1));
        var alerts = new List<Alert>();
        rules.Evaluate(book.Index, time.GetUtcNow(), alerts);
        foreach (var alert in alerts)
            TestContext.Current.TestOutputHelper?.WriteLine(alert.Text);
        return alerts;
    }

    private static MarketRules Rules(params AlertRuleOptions[] rules) =>
        new(Options.Create(new AlertsOptions { Rules = rules }), NullLogger<MarketRules>.Instance);

    [Fact]
    public void Fires_once_per_crossing_of_the_gap_and_again_only_after_it_closed()
    {
        var time = new FakeTimeProvider(T0);
        var book = Board(time);
        // A cool-down of zero: the crossing alone decides, so a gap that stays wide must not fire again.
        var rules = Rules(new AlertRuleOptions { Kind = AlertRuleKind.VenueIvGap, Asset = "btc", Above = 2, Cooldown = TimeSpan.Zero });
        SetIv(book, Venue.Bybit, 90_000m, 0.55);
        SetIv(book, Other, 90_000m, 0.56);   // 1 vol point
        SetIv(book, Venue.Bybit, 100_000m, 0.50);
        SetIv(book, Other, 100_000m, 0.535); // 3.5 vol points
        SetIv(book, Venue.Bybit, 110_000m, 0.48);
        SetIv(book, Venue.Bybit, 120_000m, 0.90); // one venue only: never compared

        var first = Assert.Single(Evaluate(rules, book, time));
        Assert.Equal("BTC venue IV gap", first.Name);
        Assert.Equal("BTC", first.Asset);
        Assert.Equal(3.5, first.Value!.Value, 9);
        Assert.Equal(2, first.Threshold);
        Assert.Equal(["BTC-31JAN30-100000-C", "BTC-31JAN30-100000-C-USDT"], first.Symbols);
        Assert.Contains("BTC-31JAN30-100000-C deribit 53.5 % vs bybit 50.0 % (3.5 vol points)", first.Text, StringComparison.Ordinal);

        SetIv(book, Other, 100_000m, 0.54);
        Assert.Empty(Evaluate(rules, book, time)); // still above: the same crossing

        SetIv(book, Other, 110_000m, double.NaN);
        Assert.Empty(Evaluate(rules, book, time)); // 110k has no mark IV on Deribit: missing is no gap

        SetIv(book, Other, 100_000m, 0.51);
        Assert.Empty(Evaluate(rules, book, time)); // back within: re-armed, silent

        SetIv(book, Venue.Bybit, 100_000m, 0.47); // 4 vol points, Deribit now the higher
        SetIv(book, Other, 90_000m, 0.58);        // 3 vol points
        var again = Assert.Single(Evaluate(rules, book, time));
        Assert.Equal(4, again.Value!.Value, 9);
        // Widest first.
        Assert.True(again.Text.IndexOf("100000", StringComparison.Ordinal) < again.Text.IndexOf("90000", StringComparison.Ordinal), again.Text);
        Assert.Equal(4, again.Symbols!.Count);
    }

    [Fact]
    public void Expiry_narrows_the_rule_and_a_board_of_one_venue_never_fires()
    {
        var time = new FakeTimeProvider(T0);
        var book = Board(time);
        SetIv(book, Venue.Bybit, 100_000m, 0.50);
        SetIv(book, Other, 100_000m, 0.60);
        var rules = Rules(
            new AlertRuleOptions { Kind = AlertRuleKind.VenueIvGap, Asset = "BTC", Above = 5, Expiry = "2030-01-31" },
            new AlertRuleOptions { Kind = AlertRuleKind.VenueIvGap, Asset = "BTC", Above = 5, Expiry = "28FEB30" });
        var alert = Assert.Single(Evaluate(rules, book, time));
        Assert.Equal("BTC 31JAN30 venue IV gap", alert.Name);

        var single = new OptionBook(time);
        single.AddInstruments(book.Index.All.Where(s => s.Instrument.Venue == Venue.Bybit)
            .Select(s => new OptionInstrument(Venue.Bybit, s.Instrument.Symbol, "BTC", Delivery, s.Instrument.Strike, s.Instrument.Type)));
        foreach (var slot in single.Index.All)
            SetIv(single, Venue.Bybit, slot.Instrument.Strike, 0.3 + (double)(slot.Instrument.Strike / 1_000_000m));
        Assert.Empty(Evaluate(Rules(new AlertRuleOptions { Kind = AlertRuleKind.VenueIvGap, Asset = "BTC", Above = 0.1 }), single, time));
    }

    private static ValidateOptionsResult Validate(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = configuration.GetSection(AlertsOptions.Section).Get<AlertsOptions>() ?? new AlertsOptions();
        return new AlertsOptionsValidator(configuration).Validate(null, options);
    }

    [Fact]
    public void A_venue_iv_gap_rule_needs_a_positive_threshold_in_vol_points_and_no_below()
    {
        Assert.True(Validate(new()
        {
            ["Alerts:Rules:0:Kind"] = "VenueIvGap", ["Alerts:Rules:0:Asset"] = "BTC", ["Alerts:Rules:0:Above"] = "3",
            ["Alerts:Rules:1:Kind"] = "VenueIvGap", ["Alerts:Rules:1:Asset"] = "ETH", ["Alerts:Rules:1:Above"] = "2.5", ["Alerts:Rules:1:Expiry"] = "26DEC25",
        }).Succeeded);

        var failed = Validate(new()
        {
            ["Alerts:Rules:0:Kind"] = "VenueIvGap", ["Alerts:Rules:0:Asset"] = "BTC",
            ["Alerts:Rules:1:Kind"] = "VenueIvGap", ["Alerts:Rules:1:Asset"] = "BTC", ["Alerts:Rules:1:Above"] = "0",
            ["Alerts:Rules:2:Kind"] = "VenueIvGap", ["Alerts:Rules:2:Asset"] = "BTC", ["Alerts:Rules:2:Above"] = "3", ["Alerts:Rules:2:Below"] = "1",
            ["Alerts:Rules:3:Kind"] = "VenueIvGap", ["Alerts:Rules:3:Asset"] = "BTC", ["Alerts:Rules:3:Above"] = "3", ["Alerts:Rules:3:Expiry"] = "soon",
            ["Alerts:Rules:4:Kind"] = "VenueIvGap", ["Alerts:Rules:4:Asset"] = "BTC", ["Alerts:Rules:4:Above"] = "3", ["Alerts:Rules:4:TenorDays"] = "30",
        });
        Assert.True(failed.Failed);
        var failures = failed.Failures!.ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(Environment.NewLine, failures));
        Assert.Contains(failures, f => f.StartsWith("Alerts:Rules:0:Above is required for Kind=VenueIvGap", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alerts:Rules:1:Above is required for Kind=VenueIvGap", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alerts:Rules:2:Below does not apply to Kind=VenueIvGap", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alerts:Rules:3:Expiry must be an expiry", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alerts:Rules:4:TenorDays applies only to", StringComparison.Ordinal));
    }
}
