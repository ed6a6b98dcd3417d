namespace OptionsTracker.Feed;

/// <summary>
/// What a venue reports for the feed's health verdict, stats and metrics. Counters cover every connection the process
/// has had, so they never go backwards.
/// </summary>
/// <param name="Connections">Its connections now.</param>
/// <param name="Totals">Message counters over every connection since start.</param>
/// <param name="Topics">Topics handed to its connections.</param>
/// <param name="RefusedSymbols">Symbols whose topics the venue keeps refusing (not retried often, not awaited).</param>
/// <param name="RequestError">The last failed request, cleared by the next success.</param>
/// <param name="RequestsPaused">While the venue bars our requests (a ban): until when, and why, in a sentence.</param>
/// <param name="TradesProblem">What is wrong with the venue's trades (the tape), in a sentence; null when nothing is.</param>
public sealed record VenueStatus(
    IReadOnlyList<ShardStatus> Connections,
    ShardTotals Totals,
    int Topics,
    IReadOnlyList<string> RefusedSymbols,
    string? RequestError,
    VenuePause? RequestsPaused,
    string? TradesProblem = null);
