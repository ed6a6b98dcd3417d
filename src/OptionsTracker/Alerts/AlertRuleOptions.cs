using System.ComponentModel.DataAnnotations;

namespace OptionsTracker.Alerts;

/// <summary>One rule on market data, checked on every evaluation; it fires at most once per <see cref="Cooldown"/>.</summary>
public sealed class AlertRuleOptions
{
    /// <summary>What is measured.</summary>
    [Required]
    public AlertRuleKind? Kind { get; set; }

    /// <summary>A name for messages; default: built from the rule.</summary>
    [StringLength(100)]
    public string? Name { get; set; }

    /// <summary>Base coin, e.g. <c>BTC</c>.</summary>
    [Required]
    [StringLength(16, MinimumLength = 1)]
    public string Asset { get; set; } = "";

    /// <summary>
    /// <see cref="AlertRuleKind.AtmIv"/>, <see cref="AlertRuleKind.RiskReversal"/>, <see cref="AlertRuleKind.Butterfly"/> and
    /// <see cref="AlertRuleKind.VolRiskPremium"/>: the tenor in days (e.g. 30), interpolated between the expiries around it.
    /// </summary>
    [Range(0.01, 3650)]
    public double? TenorDays { get; set; }

    /// <summary>
    /// <see cref="AlertRuleKind.PutCallOiRatio"/> and <see cref="AlertRuleKind.VenueIvGap"/>: only this expiry (<c>26DEC25</c> or
    /// <c>2025-12-26</c>); default all.
    /// </summary>
    public string? Expiry { get; set; }

    /// <summary>
    /// Fires when the value is above this: ATM IV in percent (60 = 60 %), a put/call ratio (1.2), or an OI jump in
    /// contracts (OI now minus OI at the start of the window); a risk reversal, butterfly, volatility risk premium or
    /// the mark IV gap between two venues in vol points (2 = 2 percentage points of IV, a fraction of 0.02).
    /// </summary>
    public double? Above { get; set; }

    /// <summary>Fires when the value is below this (ATM IV in percent, put/call ratio).</summary>
    public double? Below { get; set; }

    /// <summary>
    /// <see cref="AlertRuleKind.OiJump"/>: compare with the OI this long ago (the last evaluation at least this old,
    /// or the first one while the rule is younger than its window); default: the previous evaluation.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00")]
    public TimeSpan? Window { get; set; }

    /// <summary>
    /// A configured venue's id (<c>bybit</c>, <c>deribit</c>; see <c>Tracker:Venues</c>): the rule reads that venue's
    /// options and figures alone (<c>/api/analytics/{asset}/…?venue=</c>'s), and its alerts name it. Absent: every
    /// venue's, combined as the analytics endpoints combine them without <c>venue</c> (IV figures from the venue with most
    /// OI in each expiry, OI summed). Trade rules: only that venue's trades. Not for <see cref="AlertRuleKind.VenueIvGap"/>.
    /// </summary>
    [StringLength(OptionsTracker.Book.Venue.MaxLength)]
    public string? Venue { get; set; }

    /// <summary>After firing, the rule (for an OI jump: the rule and that option) stays quiet this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// <see cref="AlertRuleKind.RiskReversal"/> and <see cref="AlertRuleKind.Butterfly"/>: the delta of the wings, 25
    /// (25Δ call and put) or 10.
    /// </summary>
    public int? Delta { get; set; }

    /// <summary>
    /// <see cref="AlertRuleKind.LargeTrade"/>: fires for a trade of more than this many contracts (base coin);
    /// <see cref="AlertRuleKind.BlockTrade"/>: only for a block whose largest leg is more than this.
    /// </summary>
    [Range(0d, 1e12)]
    public double? SizeAbove { get; set; }

    /// <summary><see cref="AlertRuleKind.LargeTrade"/>: fires for a trade whose premium (price × size) is more than this, USD.</summary>
    [Range(0d, 1e15)]
    public double? PremiumAbove { get; set; }
}

public enum AlertRuleKind
{
    /// <summary>At-the-money mark IV of a coin at a tenor, in percent.</summary>
    AtmIv,

    /// <summary>Total open interest of puts over that of calls, for a coin (optionally one expiry).</summary>
    PutCallOiRatio,

    /// <summary>Any option whose open interest rose by more than <see cref="AlertRuleOptions.Above"/> contracts.</summary>
    OiJump,

    /// <summary>Risk reversal of a coin at a tenor and delta: IV of the call minus IV of the put at that delta, in vol points.</summary>
    RiskReversal,

    /// <summary>Butterfly of a coin at a tenor and delta: mean IV of the call and put at that delta minus ATM IV, in vol points.</summary>
    Butterfly,

    /// <summary>Volatility risk premium of a coin at a tenor: ATM IV minus realised volatility over as many days, in vol points.</summary>
    VolRiskPremium,

    /// <summary>
    /// The coin's index crossed its gamma flip (the level where total GEX of all expiries changes sign) between two
    /// evaluations: from one side of the flip to the other. No threshold.
    /// </summary>
    GammaFlip,

    /// <summary>
    /// The same option (coin, expiry, strike, type) on two venues with mark IVs more than <see cref="AlertRuleOptions.Above"/>
    /// vol points apart. Fires once per crossing: when an option's gap rises above the threshold (or is first seen above
    /// it), and again only after it has been back at or below it; <see cref="AlertRuleOptions.Cooldown"/> is not used.
    /// </summary>
    VenueIvGap,

    /// <summary>
    /// A trade on the coin's tape of more than <see cref="AlertRuleOptions.SizeAbove"/> contracts or more than
    /// <see cref="AlertRuleOptions.PremiumAbove"/> USD of premium: every such trade alerts once (no cool-down).
    /// </summary>
    LargeTrade,

    /// <summary>
    /// A block trade on the coin's tape (its legs together when they share a block id), optionally only one whose largest
    /// leg is more than <see cref="AlertRuleOptions.SizeAbove"/> contracts: every such block alerts once (no cool-down).
    /// </summary>
    BlockTrade,
}

public static class AlertRuleKinds
{
    /// <summary>The kinds checked on each trade of the tape (by sequence) rather than on the book at every evaluation.</summary>
    public static bool IsTradeRule(this AlertRuleKind kind) => kind is AlertRuleKind.LargeTrade or AlertRuleKind.BlockTrade;
}
