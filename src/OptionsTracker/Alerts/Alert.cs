namespace OptionsTracker.Alerts;

/// <summary>
/// One notification, from the feed's health (<see cref="Source"/> <c>feed</c>, <c>store</c>) or from a rule on
/// market data (<c>rule</c>). The webhook receives it as JSON with snake_case names.
/// </summary>
/// <param name="Source"><c>feed</c>, <c>store</c> or <c>rule</c> (rules on the book and on the tape's trades alike).</param>
/// <param name="Name">Stable id of what happened: <c>feed_down</c>, <c>feed_back</c>, <c>feed_stale</c>,
/// <c>reconnect_storm</c>, <c>reconnects_calm</c>, <c>store_down</c>, <c>store_back</c>, or the rule's name.</param>
/// <param name="Text">One line for people.</param>
/// <param name="At">When it was noticed.</param>
public sealed record Alert(string Source, string Name, string Text, DateTimeOffset At)
{
    public string? Asset { get; init; }

    /// <summary>
    /// The venue a rule read (its <c>Venue</c> setting) or a trade alert's trades are on; absent for a rule on every
    /// venue's combined figures, and for the feed's and the store's alerts.
    /// </summary>
    public string? Venue { get; init; }

    /// <summary>The measured value (ATM IV in percent, a ratio, an OI rise in contracts).</summary>
    public double? Value { get; init; }

    /// <summary>The threshold crossed.</summary>
    public double? Threshold { get; init; }

    /// <summary>Options concerned (OI jumps; a trade's option, a block's legs in order).</summary>
    public IReadOnlyList<string>? Symbols { get; init; }

    /// <summary>Trade rules: the venue's ids of the trades alerted (one, or a block's legs, as <see cref="Symbols"/>).</summary>
    public IReadOnlyList<string>? TradeIds { get; init; }

    /// <summary>Block trades: the block id its legs share, when the venue gave one.</summary>
    public string? BlockId { get; init; }
}
