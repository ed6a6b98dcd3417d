namespace OptionsTracker.Simulator.Deribit;

/// <summary>One option as the Deribit simulator's <c>public/get_instruments</c> serves it.</summary>
/// <param name="InstrumentName">Deribit's name: <c>BTC-6JAN26-70000-C</c> (inverse) or <c>SOL_USDC-6JAN26-200-P</c> (linear); the day is not zero-padded.</param>
/// <param name="Currency">The <c>currency</c> it is listed under: <c>BTC</c>, <c>ETH</c> or <c>USDC</c>.</param>
/// <param name="BaseCurrency">The underlying coin (<c>base_currency</c>): BTC, ETH, SOL, XRP.</param>
/// <param name="OptionType"><c>call</c> or <c>put</c>.</param>
/// <param name="Strike">The strike in USD (inverse) or USDC (linear).</param>
/// <param name="Expiration">Expiry (<c>expiration_timestamp</c>), 08:00 UTC.</param>
/// <param name="IsInverse"><c>instrument_type</c> <c>reversed</c>: priced and settled in the coin; else <c>linear</c>, priced in USDC.</param>
/// <param name="ContractSize"><c>contract_size</c>: 1 coin for inverse options; see <see cref="DeribitMarket"/> for linear ones.</param>
/// <param name="TickSize"><c>tick_size</c> in the price currency.</param>
/// <param name="MinTradeAmount"><c>min_trade_amount</c>, the amount step, in the base coin.</param>
public sealed record DeribitInstrument(
    string InstrumentName, string Currency, string BaseCurrency, string OptionType, decimal Strike, DateTimeOffset Expiration,
    bool IsInverse, double ContractSize, double TickSize, double MinTradeAmount)
{
    /// <summary>The currency prices are quoted in: the coin for inverse options, <c>USDC</c> for linear ones.</summary>
    public string PriceCurrency => IsInverse ? BaseCurrency : "USDC";
}

/// <summary>
/// One option's ticker as the simulator pushes it on <c>ticker.{instrument}.100ms</c> and answers <c>public/ticker</c>, in
/// Deribit's own units: prices in <see cref="DeribitInstrument.PriceCurrency"/>, IVs in percent, amounts in the base coin,
/// Greeks as Black-76 gives them (vega in USD per vol point, theta in USD per day). An empty side has price, amount and IV 0.
/// <see cref="double.NaN"/> is written as <c>null</c> (last price, high, low, price change of an option that never traded).
/// </summary>
public readonly record struct DeribitTicker(
    string InstrumentName, long Timestamp, string State,
    double MarkPrice, double MarkIv,
    double BestBidPrice, double BestBidAmount, double BidIv,
    double BestAskPrice, double BestAskAmount, double AskIv,
    double LastPrice, double IndexPrice, double UnderlyingPrice, string UnderlyingIndex,
    double OpenInterest, double SettlementPrice, double EstimatedDeliveryPrice, double InterestRate,
    double MinPrice, double MaxPrice,
    double Delta, double Gamma, double Vega, double Theta, double Rho,
    double Volume, double VolumeUsd, double PriceChange, double High, double Low);

/// <summary>
/// One trade the simulator made and published on <c>trades.option.{currency}.100ms</c> (and serves in
/// <c>public/get_last_trades_by_currency</c>): the truth a tape is compared against. Prices in the price currency, IV in
/// percent, amount in the base coin.
/// </summary>
public sealed record DeribitTrade(
    string TradeId, long TradeSeq, long Timestamp, string InstrumentName, string Currency, string Direction,
    double Price, double Amount, double Contracts, double Iv, double IndexPrice, double MarkPrice, int TickDirection,
    string? BlockTradeId, int BlockTradeLegCount);

/// <summary>A change on <c>instrument.state.option.{currency}</c>: <c>created</c>, <c>started</c>, <c>settled</c> or <c>closed</c>.</summary>
public sealed record DeribitStateChange(string InstrumentName, string Currency, string State, long Timestamp);
