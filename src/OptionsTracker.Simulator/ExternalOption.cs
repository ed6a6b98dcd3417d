namespace OptionsTracker.Simulator;

/// <summary>
/// One option of a market played from outside (<see cref="SimulatorOptions.ExternalMarket"/>, <see cref="BybitSimulator.Play"/>):
/// what instruments-info lists for it and, while it trades, the ticker the pushes and REST answers carry. Plain values:
/// the replay of a recorded history feeds them, and nothing here knows where they came from.
/// </summary>
/// <param name="Instrument">The listing: symbol, coin, type, strike, delivery time and status (<c>PreLaunch</c>,
/// <c>Trading</c> or <c>Delivering</c>).</param>
/// <param name="Ticker">The values to serve while it trades (<see cref="double.NaN"/> is sent as <c>""</c>, missing).</param>
/// <param name="DeliveryPrice">Its settlement price once <c>Delivering</c>; <see cref="double.NaN"/> when not known.</param>
public readonly record struct ExternalOption(SimulatedInstrument Instrument, SimulatedTicker Ticker, double DeliveryPrice);
