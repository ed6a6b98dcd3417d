using OptionsTracker.Dashboard;
using OptionsTracker.Strategies;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// The builder's address (<c>legs=</c>, docs/strategy-builder.md): what it writes it reads back, a bad token is named and
/// skipped while the good ones are kept, and saved legs come and go through the same shape.
/// </summary>
public sealed class StrategyLinkTests
{
    [Fact]
    public void Legs_written_to_the_address_read_back_the_same()
    {
        List<LinkLeg> legs =
        [
            new("BTC-26DEC25-100000-C", null, null, LegSide.Buy, 1),
            new("BTC-26DEC25-90000-P", "deribit", null, LegSide.Sell, 2.5),
            new(null, null, new DateOnly(2025, 12, 26), LegSide.Sell, 0.1234),
        ];
        var text = StrategyLink.Format(legs);
        Assert.Equal("BTC-26DEC25-100000-C:b:1,deribit/BTC-26DEC25-90000-P:s:2.5,FWD-26DEC25:s:0.1234", text);
        var (read, problems) = StrategyLink.Parse(text);
        Assert.Empty(problems);
        Assert.Equal(legs, read);
        Assert.Null(StrategyLink.Format([]));
    }

    [Theory]
    [InlineData("BTC-26DEC25-100000-C:x:1", "the side is b (buy) or s (sell)")]
    [InlineData("BTC-26DEC25-100000-C:b:0", "above 0")]
    [InlineData("BTC-26DEC25-100000-C:b:1e9", "at most 100,000")]
    [InlineData("BTC-26DEC25-100000-C:b", "is not a leg")]
    [InlineData("FWD-31FOO25:b:1", "names its expiry")]
    [InlineData("not a venue!/BTC-26DEC25-100000-C:b:1", "is not a venue")]
    public void A_malformed_leg_is_named_and_the_others_are_kept(string bad, string expected)
    {
        var (legs, problems) = StrategyLink.Parse($"btc-26dec25-100000-c:B:1,{bad},BTC-26DEC25-90000-P:s:2");
        Assert.Equal(["BTC-26DEC25-100000-C", "BTC-26DEC25-90000-P"], legs.Select(l => l.Symbol));
        Assert.Equal([LegSide.Buy, LegSide.Sell], legs.Select(l => l.Side));
        var problem = Assert.Single(problems);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_of_more_legs_than_a_strategy_may_have_keeps_the_first_and_says_so()
    {
        var text = string.Join(',', Enumerable.Range(1, StrategyLimits.MaxLegs + 3).Select(i => $"BTC-26DEC25-{i}000-C:b:1"));
        var (legs, problems) = StrategyLink.Parse(text);
        Assert.Equal(StrategyLimits.MaxLegs, legs.Count);
        Assert.Contains($"More than {StrategyLimits.MaxLegs} legs", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Saved_legs_and_address_legs_are_one_shape()
    {
        LinkLeg[] legs =
        [
            new("ETH-27MAR26-4000-C", "bybit", null, LegSide.Sell, 3),
            new(null, null, new DateOnly(2026, 3, 27), LegSide.Buy, 0.5),
        ];
        var saved = legs.Select(l => l.ToSaved()).ToList();
        Assert.Equal("27MAR26", saved[1].Forward);
        Assert.Equal(legs, saved.Select(l => LinkLeg.FromSaved(l)!));
        Assert.Null(LinkLeg.FromSaved(new SavedLeg { Symbol = "ETH-27MAR26-4000-C", Side = LegSide.Buy, Quantity = -1 }));
    }

    [Fact]
    public void Settings_in_the_address_leave_out_their_defaults_and_read_back()
    {
        var defaults = StrategySettingsLink.Parse(null, null, null, null);
        Assert.Equal(StrategySettingsLink.Default, defaults);
        Assert.Null(defaults.VolModelText);
        Assert.Null(defaults.EntryText);
        Assert.Null(defaults.ShiftText);
        Assert.Null(defaults.DateText);

        var chosen = StrategySettingsLink.Parse("delta", "mark", "-7.5", "2026-12-10");
        Assert.Equal(new StrategySettingsLink(VolModel.StickyDelta, EntryBasis.Mark, -7.5, new DateOnly(2026, 12, 10)), chosen);
        Assert.Equal(chosen, StrategySettingsLink.Parse(chosen.VolModelText, chosen.EntryText, chosen.ShiftText, chosen.DateText));
        // An unreadable setting is its default, never an error page.
        Assert.Equal(StrategySettingsLink.Default, StrategySettingsLink.Parse("smile", "bid", "lots", "tomorrow"));
    }
}
