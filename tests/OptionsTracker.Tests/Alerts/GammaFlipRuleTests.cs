using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Alerts;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Alerts;

/// <summary>
/// The <c>GammaFlip</c> rule: it fires when the index moves from one side of the snapshot's gamma flip to the other
/// between evaluations, and at no other time; and a rule that gives it a threshold stops start-up naming the setting.
/// </summary>
public sealed class GammaFlipRuleTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Expiry = new(2030, 1, 31);

    /// <summary>
    /// One expiry, strikes 70k to 130k, flat 50 % IV; puts held below the money and calls above (so total GEX is
    /// negative below the flip and positive above), or only calls (no flip). Quoted at index and forward 100,000.
    /// </summary>
    private static OptionBook Board(FakeTimeProvider time, bool callsOnly = false)
    {
        var book = new OptionBook(time);
        var instruments = new List<OptionInstrument>();
        for (var strike = 70_000m; strike <= 130_000m; strike += 2_500m)
        {
            instruments.Add(BookBuilder.Create("BTC", Expiry, strike, 'C'));
            instruments.Add(BookBuilder.Create("BTC", Expiry, strike, 'P'));
        }
        book.AddInstruments(instruments);
        foreach (var slot in book.Index.All)
        {
            var isPut = slot.Instrument.Type == OptionType.Put;
            var heavy = isPut ? slot.Instrument.StrikeValue < 100_000 : slot.Instrument.StrikeValue > 100_000;
            var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = T0.ToUnixTimeMilliseconds() };
            update.Set(QuoteField.MarkIv, 0.5);
            update.Set(QuoteField.OpenInterest, callsOnly && isPut ? 0 : heavy ? 300 : 30);
            book.Apply(slot, update);
        }
        MoveIndex(book, 100_000);
        return book;
    }

    /// <summary>The index and every forward moved to <paramref name="index"/>, as a push of every option would.</summary>
    private static void MoveIndex(OptionBook book, double index)
    {
        var at = book.Index.All.Max(s => s.ReadQuote().ExchangeTimeMs) + 1;
        foreach (var slot in book.Index.All)
        {
            var update = new QuoteUpdate { ExchangeTimeMs = at };
            update.Set(QuoteField.IndexPrice, index);
            update.Set(QuoteField.UnderlyingPrice, index);
            book.Apply(slot, update);
        }
    }

    private static (MarketRules Rules, MarketAnalytics Analytics) Rules(OptionBook book, FakeTimeProvider time, params AlertRuleOptions[] rules)
    {
        var analytics = new MarketAnalytics(new InMemoryOptionStore(book), new RealisedVolatility(), time, Options.Create(new AnalyticsOptions()));
        return (new MarketRules(Options.Create(new AlertsOptions { Rules = rules }), NullLogger<MarketRules>.Instance, analytics), analytics);
    }

    /// <summary>One evaluation a second after the last, so the snapshot is recomputed from the book as it is now.</summary>
    private static List<Alert> Evaluate(MarketRules rules, OptionBook book, FakeTimeProvider time)
    {
        time.Advance(TimeSpan.FromSeconds(1));
        var alerts = new List<Alert>();
        rules.Evaluate(book.Index, time.GetUtcNow(), alerts);
        return alerts;
    }

    [Fact]
    public void Fires_when_the_index_crosses_the_flip_either_way_and_not_while_it_stays_on_one_side()
    {
        var time = new FakeTimeProvider(T0);
        var book = Board(time);
        var (rules, analytics) = Rules(book, time,
            new AlertRuleOptions { Kind = AlertRuleKind.GammaFlip, Asset = "btc", Cooldown = TimeSpan.Zero },
            new AlertRuleOptions { Kind = AlertRuleKind.GammaFlip, Asset = "BTC", Name = "slow", Cooldown = TimeSpan.FromHours(1) });
        var flip = analytics.Get("BTC")!.Positioning.GexFlip;
        Assert.True(double.IsFinite(flip), "the board has a gamma flip");
        TestContext.Current.TestOutputHelper?.WriteLine($"flip {flip:0.##} with the index at 100,000");

        MoveIndex(book, flip * 0.98);
        Assert.Empty(Evaluate(rules, book, time)); // the first evaluation only learns the side
        Assert.Empty(Evaluate(rules, book, time)); // unchanged
        MoveIndex(book, flip * 0.995);
        Assert.Empty(Evaluate(rules, book, time)); // closer, still below

        MoveIndex(book, flip * 1.02);
        var up = Evaluate(rules, book, time);
        Assert.Equal(2, up.Count);
        var alert = up[0];
        Assert.Equal("BTC gamma flip", alert.Name);
        Assert.Equal("BTC", alert.Asset);
        Assert.Equal(flip * 1.02, alert.Value!.Value, 6);
        // The same crossing of total GEX (a scale of index and forwards together leaves it where it is), interpolated on a
        // grid that moved with the index: within a fraction of a 0.5 % step.
        Assert.Equal(flip, alert.Threshold!.Value, flip * 1e-3);
        Assert.StartsWith($"BTC gamma flip: the index ({flip * 1.02:#,0.##}) crossed above the gamma flip (", alert.Text, StringComparison.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine(alert.Text);
        Assert.Empty(Evaluate(rules, book, time)); // staying above

        MoveIndex(book, flip * 0.97);
        var down = Assert.Single(Evaluate(rules, book, time)); // the slow rule is in its cool-down
        Assert.Contains("crossed below the gamma flip", down.Text, StringComparison.Ordinal);
        Assert.Equal("BTC gamma flip", down.Name);
    }

    [Fact]
    public void Stays_quiet_without_a_flip_and_in_a_host_without_the_analytics()
    {
        var time = new FakeTimeProvider(T0);
        var book = Board(time, callsOnly: true);
        var (rules, analytics) = Rules(book, time, new AlertRuleOptions { Kind = AlertRuleKind.GammaFlip, Asset = "BTC", Cooldown = TimeSpan.Zero });

        Assert.True(double.IsNaN(analytics.Get("BTC")!.Positioning.GexFlip));
        Assert.Empty(Evaluate(rules, book, time));
        MoveIndex(book, 80_000);
        Assert.Empty(Evaluate(rules, book, time));
        Assert.Empty(Evaluate(new MarketRules(Options.Create(new AlertsOptions
        {
            Rules = [new AlertRuleOptions { Kind = AlertRuleKind.GammaFlip, Asset = "BTC" }],
        }), NullLogger<MarketRules>.Instance), book, time)); // no analytics in the host: no value, no alert
    }

    private static ValidateOptionsResult Validate(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = configuration.GetSection(AlertsOptions.Section).Get<AlertsOptions>() ?? new AlertsOptions();
        return new AlertsOptionsValidator(configuration).Validate(null, options);
    }

    [Fact]
    public void A_gamma_flip_rule_needs_only_its_asset_and_a_threshold_or_tenor_on_it_is_named()
    {
        Assert.True(Validate(new() { ["Alerts:Rules:0:Kind"] = "GammaFlip", ["Alerts:Rules:0:Asset"] = "BTC", ["Alerts:Rules:0:Cooldown"] = "00:30:00" }).Succeeded);

        var failed = Validate(new()
        {
            ["Alerts:Rules:0:Kind"] = "PutCallOiRatio", ["Alerts:Rules:0:Asset"] = "ETH", ["Alerts:Rules:0:Above"] = "1.2",
            ["Alerts:Rules:1:Kind"] = "GammaFlip", ["Alerts:Rules:1:Asset"] = "BTC",
            ["Alerts:Rules:2:Kind"] = "GammaFlip", ["Alerts:Rules:2:Asset"] = "ETH", ["Alerts:Rules:2:Below"] = "3000",
            ["Alerts:Rules:3:Kind"] = "GammaFlip", ["Alerts:Rules:3:Asset"] = "BTC", ["Alerts:Rules:3:Above"] = "100000",
            ["Alerts:Rules:4:Kind"] = "GammaFlip", ["Alerts:Rules:4:Asset"] = "BTC", ["Alerts:Rules:4:TenorDays"] = "30",
            ["Alerts:Rules:5:Kind"] = "GammaFlip", ["Alerts:Rules:5:Asset"] = "",
        });

        Assert.True(failed.Failed);
        var failures = failed.Failures!.ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(Environment.NewLine, failures));
        Assert.Contains(failures, f => f.StartsWith("Alerts:Rules:2:Below does not apply to Kind=GammaFlip", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alerts:Rules:3:Above does not apply to Kind=GammaFlip", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alerts:Rules:4:TenorDays applies only to", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alerts:Rules:5:Asset", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.StartsWith("Alerts:Rules:0", StringComparison.Ordinal) || f.StartsWith("Alerts:Rules:1", StringComparison.Ordinal));
    }
}
