namespace OptionsTracker.Dashboard;

/// <summary>A click on the chain's bid (sell) or ask (buy) while the strategy builder shows it: the leg to add.</summary>
public sealed record ChainPick(string Symbol, string Venue, bool Buy);
