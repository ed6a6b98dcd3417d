using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Alerts;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Alerts;

/// <summary>Rules over a book filled directly: the measures, the thresholds and the cool-downs.</summary>
public class MarketRulesTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Near = new(2030, 1, 21); // 20 days
    private static readonly DateOnly Far = new(2030, 2, 10);  // 40 days

    private static MarketRules Rules(params AlertRuleOptions[] rules) =>
        new(Options.Create(new AlertsOptions { Rules = rules }), NullLogger<MarketRules>.Instance);

    private static List<Alert> Evaluate(MarketRules rules, OptionBook book, DateTimeOffset now)
    {
        var alerts = new List<Alert>();
        rules.Evaluate(book.Index, now, alerts);
        return alerts;
    }

    [Fact]
    public void Atm_iv_at_a_tenor_interpolates_total_variance_between_the_expiries_around_it()
    {
        var book = new OptionBook(new FakeTimeProvider(T0));
        BookBuilder.AddSmiles(book, "BTC", (Near, 0.60), (Far, 0.80));
        Assert.True(book.Index.TryGetCoin("BTC", out var coin));

        var iv = MarketMeasures.AtmIvAtTenor(coin, T0, 30);

        // w = σ²T linear in T between 20 and 40 days: (0.36·20 + 0.64·40) / 2 / 30 days.
        var expected = Math.Sqrt((0.36 * 20 + 0.64 * 40) / 2 / 30);
        Assert.Equal(expected, iv, 9);
        Assert.True(double.IsNaN(MarketMeasures.AtmIvAtTenor(coin, T0, 7)));   // before the first expiry: none (ANALYTICS.md)
        Assert.True(double.IsNaN(MarketMeasures.AtmIvAtTenor(coin, T0, 90)));  // past the last: none
    }

    [Fact]
    public void Atm_iv_rule_outside_the_quoted_expiries_raises_nothing()
    {
        var book = new OptionBook(new FakeTimeProvider(T0));
        BookBuilder.AddSmiles(book, "BTC", (Near, 0.90), (Far, 0.90));
        var rules = Rules(new AlertRuleOptions { Kind = AlertRuleKind.AtmIv, Asset = "BTC", TenorDays = 90, Above = 60 });

        Assert.Empty(Evaluate(rules, book, T0));
    }

    [Fact]
    public void Atm_iv_rule_fires_above_its_threshold_in_percent_and_stays_quiet_during_its_cooldown()
    {
        var book = new OptionBook(new FakeTimeProvider(T0));
        BookBuilder.AddSmiles(book, "BTC", (Near, 0.70), (Far, 0.70));
        var rules = Rules(new AlertRuleOptions { Kind = AlertRuleKind.AtmIv, Asset = "btc", TenorDays = 30, Above = 60, Cooldown = TimeSpan.FromHours(1) });

        var first = Evaluate(rules, book, T0);
        var during = Enumerable.Range(1, 59).SelectMany(m => Evaluate(rules, book, T0.AddMinutes(m))).ToList();
        var after = Evaluate(rules, book, T0.AddMinutes(60));

        var alert = Assert.Single(first);
        Assert.Equal("BTC 30-day ATM IV", alert.Name);
        Assert.Equal("BTC 30-day ATM IV is 70.0 %, above 60 %", alert.Text);
        Assert.Equal(70, alert.Value!.Value, 6);
        Assert.Empty(during);
        Assert.Single(after);
    }

    [Fact]
    public void Atm_iv_rule_below_its_threshold_does_not_fire()
    {
        var book = new OptionBook(new FakeTimeProvider(T0));
        BookBuilder.AddSmiles(book, "BTC", (Near, 0.50), (Far, 0.55));
        var rules = Rules(new AlertRuleOptions { Kind = AlertRuleKind.AtmIv, Asset = "BTC", TenorDays = 30, Above = 60 });

        Assert.Empty(Evaluate(rules, book, T0));
    }

    [Fact]
    public void Put_call_oi_ratio_rule_fires_for_the_asset_and_for_one_expiry()
    {
        var book = new OptionBook(new FakeTimeProvider(T0));
        var nearCall = BookBuilder.Symbol("BTC", Near, 100_000, OptionType.Call);
        var nearPut = BookBuilder.Symbol("BTC", Near, 100_000, OptionType.Put);
        var farCall = BookBuilder.Symbol("BTC", Far, 100_000, OptionType.Call);
        var farPut = BookBuilder.Symbol("BTC", Far, 100_000, OptionType.Put);
        BookBuilder.Add(book, nearCall, nearPut, farCall, farPut);
        BookBuilder.Quote(book, nearCall, openInterest: 100);
        BookBuilder.Quote(book, nearPut, openInterest: 200);
        BookBuilder.Quote(book, farCall, openInterest: 300);
        BookBuilder.Quote(book, farPut, openInterest: 100);
        var rules = Rules(
            new AlertRuleOptions { Kind = AlertRuleKind.PutCallOiRatio, Asset = "BTC", Above = 1.2 },
            new AlertRuleOptions { Kind = AlertRuleKind.PutCallOiRatio, Asset = "BTC", Expiry = "21JAN30", Above = 1.2 },
            new AlertRuleOptions { Kind = AlertRuleKind.PutCallOiRatio, Asset = "BTC", Below = 0.5, Name = "BTC puts scarce" });

        var alerts = Evaluate(rules, book, T0);

        // All expiries: 300 / 400 = 0.75 (neither above 1.2 nor below 0.5); 21JAN30 alone: 200 / 100 = 2.
        var alert = Assert.Single(alerts);
        Assert.Equal("BTC 21JAN30 put/call OI ratio", alert.Name);
        Assert.Equal(2, alert.Value);
    }

    [Fact]
    public void Oi_jump_fires_per_option_once_per_cooldown()
    {
        var time = new FakeTimeProvider(T0);
        var book = new OptionBook(time);
        var a = BookBuilder.Symbol("BTC", Near, 100_000, OptionType.Call);
        var b = BookBuilder.Symbol("BTC", Near, 110_000, OptionType.Call);
        BookBuilder.Add(book, a, b);
        BookBuilder.Quote(book, a, openInterest: 100);
        BookBuilder.Quote(book, b, openInterest: 100);
        var rules = Rules(new AlertRuleOptions { Kind = AlertRuleKind.OiJump, Asset = "BTC", Above = 50, Cooldown = TimeSpan.FromMinutes(30) });

        var baseline = Evaluate(rules, book, T0);
        BookBuilder.Quote(book, a, openInterest: 200);
        BookBuilder.Quote(book, b, openInterest: 120);
        var jumped = Evaluate(rules, book, T0.AddMinutes(1));
        BookBuilder.Quote(book, a, openInterest: 400);
        var againDuringCooldown = Evaluate(rules, book, T0.AddMinutes(2));
        BookBuilder.Quote(book, b, openInterest: 300);
        var otherOption = Evaluate(rules, book, T0.AddMinutes(3));
        BookBuilder.Quote(book, a, openInterest: 600);
        var afterCooldown = Evaluate(rules, book, T0.AddMinutes(31));

        Assert.Empty(baseline);
        var alert = Assert.Single(jumped);
        Assert.Equal([a], alert.Symbols);
        Assert.Equal(100, alert.Value);
        Assert.Contains($"{a} +100 (100 → 200)", alert.Text);
        Assert.Empty(againDuringCooldown);
        Assert.Equal([b], Assert.Single(otherOption).Symbols);
        Assert.Equal([a], Assert.Single(afterCooldown).Symbols);
    }

    [Fact]
    public void Oi_jump_over_a_window_compares_with_the_oi_a_window_ago()
    {
        var book = new OptionBook(new FakeTimeProvider(T0));
        var a = BookBuilder.Symbol("BTC", Near, 100_000, OptionType.Call);
        BookBuilder.Add(book, a);
        var rules = Rules(new AlertRuleOptions { Kind = AlertRuleKind.OiJump, Asset = "BTC", Above = 50, Window = TimeSpan.FromMinutes(10) });

        // +10 a minute: never 50 between two evaluations, 60 or more over ten minutes.
        var alerts = new List<Alert>();
        for (var minute = 0; minute <= 10; minute++)
        {
            BookBuilder.Quote(book, a, openInterest: 100 + 10 * minute);
            alerts.AddRange(Evaluate(rules, book, T0.AddMinutes(minute)));
        }

        var alert = Assert.Single(alerts);
        Assert.Equal(T0.AddMinutes(6), alert.At);
        Assert.Equal(60, alert.Value);
    }

    [Fact]
    public void A_rule_for_an_asset_not_in_the_book_raises_nothing()
    {
        var book = new OptionBook(new FakeTimeProvider(T0));
        BookBuilder.AddSmiles(book, "BTC", (Near, 0.70));
        var rules = Rules(new AlertRuleOptions { Kind = AlertRuleKind.AtmIv, Asset = "SOL", TenorDays = 30, Above = 1 });

        Assert.Empty(Evaluate(rules, book, T0));
    }
}
