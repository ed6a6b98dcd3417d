namespace OptionsTracker.Simulator;

/// <summary>One ranged <c>/v5/market/historical-volatility</c> request the simulator answered: coin, period (days) and the span asked.</summary>
public readonly record struct HistoricalVolatilityRequest(string BaseCoin, int Period, DateTimeOffset Start, DateTimeOffset End);
