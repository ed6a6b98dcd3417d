using OptionsTracker.Book;
using OptionsTracker.Tape;

namespace OptionsTracker.Dashboard;

/// <summary>
/// Which trades the tape view lists: an expiry (null for all), a type, the taker's side, a least size and premium, blocks
/// only, or one option (the option detail's trades). A record, so a changed filter compares unequal and the view reads
/// the tape again (<see cref="TapeBoard"/>).
/// </summary>
public sealed record TapeFilter
{
    public static readonly TapeFilter All = new();

    public DateTimeOffset? ExpiryUtc { get; init; }
    public OptionType? Type { get; init; }
    public TradeSide? Side { get; init; }

    /// <summary>The least size, in contracts (base coin); 0 for any.</summary>
    public double MinSize { get; init; }

    /// <summary>The least premium (price × size), USD; 0 for any.</summary>
    public double MinPremium { get; init; }

    public bool BlocksOnly { get; init; }

    /// <summary>One option's trades only (its symbol); null for every option.</summary>
    public string? Symbol { get; init; }

    /// <summary>Trades at or before this instant only (a board of the past shows the tape as it stood then); null for live.</summary>
    public long? UntilMs { get; init; }

    public bool IsEmpty => this == All;

    public bool Matches(Trade trade) =>
        (ExpiryUtc is not { } expiry || trade.ExpiryUtc == expiry)
        && (Type is not { } type || trade.Type == type)
        && (Side is not { } side || trade.Side == side)
        && trade.Size >= MinSize
        && (MinPremium <= 0 || trade.PremiumUsd >= MinPremium)
        && (!BlocksOnly || trade.IsBlock)
        && (Symbol is null || string.Equals(trade.Symbol, Symbol, StringComparison.Ordinal))
        && (UntilMs is not { } until || trade.TimeMs <= until);
}
