using OptionsTracker.Book;

namespace OptionsTracker.Strategies;

/// <summary>
/// One leg of a strategy with the market it is evaluated on: an option (its strike, type and expiry) or, when
/// <see cref="Type"/> is null, the underlying at the expiry's forward (a futures-like leg for a delta hedge, entered at
/// the forward). Prices in USD, quantities in contracts of the base coin, IVs as fractions.
/// </summary>
public sealed record StrategyLeg
{
    /// <summary>The option's symbol (or a name for an underlying leg, e.g. <c>BTC-25DEC26 forward</c>).</summary>
    public required string Symbol { get; init; }

    public required LegSide Side { get; init; }

    /// <summary>Contracts, positive.</summary>
    public required double Quantity { get; init; }

    /// <summary>The instant the option settles (and the underlying leg's forward is for).</summary>
    public required DateTimeOffset ExpiryUtc { get; init; }

    /// <summary>The strike; 0 for an underlying leg.</summary>
    public double Strike { get; init; }

    /// <summary>Call or put; null for an underlying leg.</summary>
    public OptionType? Type { get; init; }

    /// <summary>The market of the leg now.</summary>
    public required LegMarket Market { get; init; }

    /// <summary>The smile of the leg's expiry now, for sticky-delta revaluation (empty: its own mark IV, sticky strike).</summary>
    public ExpirySmile Smile { get; init; } = ExpirySmile.Empty;

    public bool IsUnderlying => Type is null;

    /// <summary>+1 for a buy, −1 for a sell.</summary>
    public int Sign => Side == LegSide.Buy ? 1 : -1;

    /// <summary>Signed quantity: what each unit of value is multiplied by in the strategy's value.</summary>
    public double SignedQuantity => Sign * Quantity;
}

/// <summary>
/// What a leg's instrument quotes now. For an option: the touch (bid, ask and their sizes; NaN when absent), mark price
/// and IV, the expiry's forward (Bybit's <c>underlyingPrice</c>), and the exchange's Greeks. For an underlying leg:
/// <see cref="Forward"/> only (its bid, ask and mark are the forward).
/// </summary>
public sealed record LegMarket
{
    public double Bid { get; init; } = double.NaN;
    public double BidSize { get; init; } = double.NaN;
    public double Ask { get; init; } = double.NaN;
    public double AskSize { get; init; } = double.NaN;
    public double Mark { get; init; } = double.NaN;
    public double MarkIv { get; init; } = double.NaN;

    /// <summary>The expiry's forward, USD.</summary>
    public required double Forward { get; init; }

    public double Delta { get; init; } = double.NaN;
    public double Gamma { get; init; } = double.NaN;
    public double Vega { get; init; } = double.NaN;
    public double Theta { get; init; } = double.NaN;
}
