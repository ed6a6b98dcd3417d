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
/// The rules at a tenor (issue 15): risk reversal, butterfly and volatility risk premium, in vol points, read from the
/// analytics snapshot the API serves, on a book whose figures are known; and what start-up says about a bad one.
/// </summary>
public sealed class TenorRulesTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 8, 0, 0, TimeSpan.Zero);

    // Per expiry (days, ATM, 25Δ put, 25Δ call, 10Δ put, 10Δ call), each wing quoted at its delta exactly.
    private static readonly (int Days, double Atm, double Put25, double Call25, double Put10, double Call10) Near = (20, 0.55, 0.60, 0.57, 0.68, 0.63);
    private static readonly (int Days, double Atm, double Put25, double Call25, double Put10, double Call10) Far = (40, 0.50, 0.56, 0.52, 0.62, 0.56);

    // At 30 days, halfway: RR25 (−3 − 4) / 2 = −3.5, BF25 (3.5 + 4) / 2 = 3.75, RR10 (−5 − 6) / 2 = −5.5, BF10 (10.5 + 9) / 2 = 9.75
    // vol points; ATM IV √((0.55²·20 + 0.50²·40) / 2 / 30) = 51.72 %.
    private static readonly double Atm30 = Math.Sqrt(((0.55 * 0.55 * 20) + (0.50 * 0.50 * 40)) / 2 / 30);

    [Fact]
    public void Risk_reversal_rule_fires_above_and_below_in_vol_points_and_stays_quiet_inside()
    {
        var (analytics, book, _, _) = Market();

        var below = Evaluate(analytics, book, Rule(AlertRuleKind.RiskReversal, 30, 25, below: -3));
        var above = Evaluate(analytics, book, Rule(AlertRuleKind.RiskReversal, 30, 25, above: -4));
        var quiet = Evaluate(analytics, book, Rule(AlertRuleKind.RiskReversal, 30, 25, above: 0, below: -5));

        var alert = Assert.Single(below);
        Assert.Equal("BTC 30-day 25Δ risk reversal", alert.Name);
        Assert.Equal("BTC 30-day 25Δ risk reversal is -3.5 vol points, below -3", alert.Text);
        Assert.Equal(-3.5, alert.Value!.Value, 9);
        Assert.Equal(-3, alert.Threshold);
        Assert.Equal("BTC 30-day 25Δ risk reversal is -3.5 vol points, above -4", Assert.Single(above).Text);
        Assert.Empty(quiet);

        // The 10Δ wings and a tenor of its own (25 days: a quarter of the way from 20 to 40) the same way.
        var ten = Assert.Single(Evaluate(analytics, book, Rule(AlertRuleKind.RiskReversal, 30, 10, below: -5)));
        Assert.Equal(-5.5, ten.Value!.Value, 9);
        var at25 = Assert.Single(Evaluate(analytics, book, Rule(AlertRuleKind.RiskReversal, 25, 25, below: -3.2)));
        Assert.Equal(-3 + ((-4 - -3) * 0.25), at25.Value!.Value, 9);
    }

    [Fact]
    public void Butterfly_rule_fires_above_and_below_and_stays_quiet_inside()
    {
        var (analytics, book, _, _) = Market();

        var above = Assert.Single(Evaluate(analytics, book, Rule(AlertRuleKind.Butterfly, 30, 10, above: 9)));
        var below = Assert.Single(Evaluate(analytics, book, Rule(AlertRuleKind.Butterfly, 30, 25, below: 4)));

        Assert.Equal("BTC 30-day 10Δ butterfly is +9.8 vol points, above 9", above.Text);
        Assert.Equal(9.75, above.Value!.Value, 9);
        Assert.Equal(3.75, below.Value!.Value, 9);
        Assert.Empty(Evaluate(analytics, book, Rule(AlertRuleKind.Butterfly, 30, 10, above: 10, below: 9)));
        Assert.Empty(Evaluate(analytics, book, Rule(AlertRuleKind.Butterfly, 30, 25, above: 4, below: 3.5)));
        // Past the last expiry there is no butterfly: nothing fires however low the threshold.
        Assert.Empty(Evaluate(analytics, book, Rule(AlertRuleKind.Butterfly, 60, 25, above: -100)));
    }

    [Fact]
    public void Volatility_risk_premium_rule_fires_on_atm_iv_minus_realised_and_not_without_realised_volatility()
    {
        var (analytics, book, realised, time) = Market();
        var rich = Rule(AlertRuleKind.VolRiskPremium, 30, null, above: 5);
        var cheap = Rule(AlertRuleKind.VolRiskPremium, 30, null, below: 0);

        // No realised volatility known yet: no premium, no alert.
        Assert.Empty(Evaluate(analytics, book, rich));

        realised.Set("BTC", [new(30, 0.45, T0)]);
        // The snapshot is recomputed when the realised volatility moved, once Analytics:MinInterval has passed.
        time.Advance(TimeSpan.FromSeconds(1));
        var alert = Assert.Single(Evaluate(analytics, book, rich));
        Assert.Equal("BTC 30-day volatility risk premium", alert.Name);
        // A second later than T0 (the clock moved for the cache), so T moved by a second too: four decimals.
        Assert.Equal((Atm30 - 0.45) * 100, alert.Value!.Value, 4);
        Assert.Empty(Evaluate(analytics, book, cheap));

        // The same rule on the number the API serves: the snapshot's own 30-day premium.
        var snapshot = analytics.Get("BTC")!;
        Assert.Equal(snapshot.Tenors.Single(t => t.TenorDays == 30).Vrp * 100, alert.Value!.Value, 12);

        realised.Set("BTC", [new(30, 0.60, T0)]);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal((Atm30 - 0.60) * 100, Assert.Single(Evaluate(analytics, book, cheap)).Value!.Value, 4);
        Assert.Empty(Evaluate(analytics, book, rich));
    }

    [Fact]
    public void A_tenor_rule_fires_once_per_cooldown()
    {
        var (analytics, book, _, _) = Market();
        var rules = new MarketRules(Options.Create(new AlertsOptions { Rules = [Rule(AlertRuleKind.RiskReversal, 30, 25, below: -3)] }),
            NullLogger<MarketRules>.Instance, analytics);
        var alerts = new List<Alert>();

        rules.Evaluate(book.Index, T0, alerts);
        rules.Evaluate(book.Index, T0.AddMinutes(30), alerts);
        rules.Evaluate(book.Index, T0.AddHours(1), alerts);

        Assert.Equal([T0, T0.AddHours(1)], alerts.Select(a => a.At));
    }

    public static TheoryData<string, Dictionary<string, string?>> BadRules => new()
    {
        { "Alerts:Rules:2:Delta must be 25 or 10", Bad(("Kind", "RiskReversal"), ("TenorDays", "30"), ("Delta", "15"), ("Above", "2")) },
        { "Alerts:Rules:2:Delta must be 25 or 10", Bad(("Kind", "Butterfly"), ("TenorDays", "30"), ("Above", "2")) },
        { "Alerts:Rules:2:TenorDays is required for Kind=RiskReversal", Bad(("Kind", "RiskReversal"), ("Delta", "25"), ("Above", "2")) },
        { "Alerts:Rules:2:TenorDays is required for Kind=VolRiskPremium", Bad(("Kind", "VolRiskPremium"), ("Below", "0")) },
        { "Alerts:Rules:2:Delta applies only to Kind=RiskReversal and Kind=Butterfly", Bad(("Kind", "VolRiskPremium"), ("TenorDays", "30"), ("Delta", "25"), ("Above", "5")) },
        { "Alerts:Rules:2:Delta applies only to Kind=RiskReversal and Kind=Butterfly", Bad(("Kind", "AtmIv"), ("TenorDays", "30"), ("Delta", "25"), ("Above", "60")) },
        { "Alerts:Rules:2:TenorDays must be one of 7, 14, 21, 30, 60, 90, 180, 270 for Kind=VolRiskPremium", Bad(("Kind", "VolRiskPremium"), ("TenorDays", "45"), ("Above", "5")) },
        { "Alerts:Rules:2:Above or Alerts:Rules:2:Below is required", Bad(("Kind", "Butterfly"), ("TenorDays", "30"), ("Delta", "10")) },
        { "Alerts:Rules:2:Above/Below are in vol points", Bad(("Kind", "RiskReversal"), ("TenorDays", "30"), ("Delta", "25"), ("Below", "-5000")) },
    };

    [Theory]
    [MemberData(nameof(BadRules))]
    public void A_bad_tenor_rule_is_refused_naming_its_setting(string message, Dictionary<string, string?> settings)
    {
        var result = Validate(settings);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Good_tenor_rules_pass()
    {
        var settings = Bad(("Kind", "RiskReversal"), ("TenorDays", "30"), ("Delta", "25"), ("Above", "2"), ("Below", "-8"));
        foreach (var (key, value) in new Dictionary<string, string?>
        {
            ["Alerts:Rules:3:Kind"] = "Butterfly", ["Alerts:Rules:3:Asset"] = "ETH", ["Alerts:Rules:3:TenorDays"] = "45", ["Alerts:Rules:3:Delta"] = "10", ["Alerts:Rules:3:Above"] = "6",
            ["Alerts:Rules:4:Kind"] = "VolRiskPremium", ["Alerts:Rules:4:Asset"] = "BTC", ["Alerts:Rules:4:TenorDays"] = "30", ["Alerts:Rules:4:Below"] = "-2",
        })
        {
            settings[key] = value;
        }

        var result = Validate(settings);

        Assert.True(result.Succeeded, string.Join("; ", result.Failures ?? []));
    }

    /// <summary>Two good rules, then rule 2 with <paramref name="settings"/> (BTC), so the failure must name its index.</summary>
    private static Dictionary<string, string?> Bad(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["Alerts:Rules:0:Kind"] = "AtmIv", ["Alerts:Rules:0:Asset"] = "BTC", ["Alerts:Rules:0:TenorDays"] = "30", ["Alerts:Rules:0:Above"] = "60",
            ["Alerts:Rules:1:Kind"] = "PutCallOiRatio", ["Alerts:Rules:1:Asset"] = "ETH", ["Alerts:Rules:1:Above"] = "1.2",
            ["Alerts:Rules:2:Asset"] = "BTC",
        };
        foreach (var (key, value) in settings)
            all[$"Alerts:Rules:2:{key}"] = value;
        return all;
    }

    private static ValidateOptionsResult Validate(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new AlertsOptionsValidator(configuration).Validate(null, new AlertsOptions());
    }

    private static AlertRuleOptions Rule(AlertRuleKind kind, double tenorDays, int? delta, double? above = null, double? below = null) =>
        new() { Kind = kind, Asset = "btc", TenorDays = tenorDays, Delta = delta, Above = above, Below = below };

    private static List<Alert> Evaluate(MarketAnalytics analytics, OptionBook book, AlertRuleOptions rule)
    {
        var rules = new MarketRules(Options.Create(new AlertsOptions { Rules = [rule] }), NullLogger<MarketRules>.Instance, analytics);
        var alerts = new List<Alert>();
        rules.Evaluate(book.Index, T0, alerts);
        return alerts;
    }

    /// <summary>BTC with the <see cref="Near"/> and <see cref="Far"/> smiles at T0, behind the analytics cache the host uses.</summary>
    private static (MarketAnalytics Analytics, OptionBook Book, RealisedVolatility Realised, FakeTimeProvider Time) Market()
    {
        var time = new FakeTimeProvider(T0);
        var book = new OptionBook(time);
        var stamp = T0.ToUnixTimeMilliseconds();
        foreach (var (days, atm, put25, call25, put10, call10) in new[] { Near, Far })
        {
            var expiry = DateOnly.FromDateTime(T0.UtcDateTime).AddDays(days);
            (decimal Strike, char Type, double Delta, double Iv)[] options =
            [
                (80_000m, 'P', -0.10, put10), (90_000m, 'P', -0.25, put25), (100_000m, 'P', -0.5, atm),
                (100_000m, 'C', 0.5, atm), (110_000m, 'C', 0.25, call25), (120_000m, 'C', 0.10, call10),
            ];
            book.AddInstruments(options.Select(o => BookBuilder.Create("BTC", expiry, o.Strike, o.Type)));
            foreach (var (strike, type, delta, iv) in options)
            {
                Assert.True(book.Index.TryGetSlot(Venue.Bybit, BookBuilder.Create("BTC", expiry, strike, type).Symbol, out var slot));
                var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = stamp++ };
                update.Set(QuoteField.MarkIv, iv);
                update.Set(QuoteField.Delta, delta);
                update.Set(QuoteField.UnderlyingPrice, 100_000);
                book.Apply(slot, update);
            }
        }
        var realised = new RealisedVolatility();
        var analytics = new MarketAnalytics(new InMemoryOptionStore(book), realised, time, Options.Create(new AnalyticsOptions()));
        return (analytics, book, realised, time);
    }
}
