namespace OptionsTracker.Alerts;

/// <summary>
/// One notification, from the feed's health (<see cref="Source"/> <c>feed</c>, <c>store</c>) or from a rule on
/// market data (<c>rule</c>). The webhook receives it as JSON with snake_case names.
/// </summary>
/// <param name="Source"><c>feed</c>, <c>store</c> or <c>rule</c>.</param>
/// <param name="Name">Stable id of what happened: <c>feed_down</c>, <c>feed_back</c>, <c>feed_stale</c>,
/// <c>reconnect_storm</c>, <c>reconnects_calm</c>, <c>store_down</c>, <c>store_back</c>, or the rule's name.</param>
/// <param name="Text">One line for people.</param>
/// <param name="At">When it was noticed.</param>
public sealed record Alert(string Source, string Name, string Text, DateTimeOffset At)
{
    public string? Asset { get; init; }

    /// <summary>The measured value (ATM IV in percent, a ratio, an OI rise in contracts).</summary>
    public double? Value { get; init; }

    /// <summary>The threshold crossed.</summary>
    public double? Threshold { get; init; }

    /// <summary>Options concerned (OI jumps).</summary>
    public IReadOnlyList<string>? Symbols { get; init; }
}
