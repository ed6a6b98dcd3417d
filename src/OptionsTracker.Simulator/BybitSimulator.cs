namespace OptionsTracker.Simulator;

/// <summary>A local server speaking Bybit's V5 option REST and WebSocket protocol.</summary>
public sealed class BybitSimulator;
