namespace OptionsTracker.Simulator;

/// <summary>One listed option as the simulator's instruments-info serves it.</summary>
/// <param name="Symbol">The exchange symbol, e.g. <c>BTC-27MAR26-70000-P-USDT</c>.</param>
/// <param name="BaseCoin">The underlying coin, e.g. <c>BTC</c>.</param>
/// <param name="OptionsType"><c>Call</c> or <c>Put</c>.</param>
/// <param name="Strike">The strike in USDT.</param>
/// <param name="DeliveryTime">Expiry, always 08:00 UTC.</param>
/// <param name="Status">The listing status: <c>PreLaunch</c> (listed, not trading yet), <c>Trading</c>, or <c>Delivering</c>
/// (from delivery at 08:00 until 12:00 UTC, as Bybit's delivery-price documentation says).</param>
public sealed record SimulatedInstrument(
    string Symbol, string BaseCoin, string OptionsType, decimal Strike, DateTimeOffset DeliveryTime, string Status)
{
    /// <summary><c>USDT</c>; <c>USDC</c> for the legacy options whose symbol has no settle suffix.</summary>
    public string SettleCoin { get; init; } = "USDT";
}
