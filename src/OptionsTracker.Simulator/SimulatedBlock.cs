namespace OptionsTracker.Simulator;

/// <summary>
/// One multi-leg block trade (an RFQ executed), as <c>rfq.open.public.trades</c> and <c>/v5/rfq/public-trades</c> publish
/// it; each leg also went out as a <c>publicTrade</c> item with <c>BT</c> true.
/// </summary>
/// <param name="RfqId">The inquiry id (<c>rfqId</c>): a 34-digit string as in Bybit's examples.</param>
/// <param name="BaseCoin">The coin of its legs (all on one expiry).</param>
/// <param name="StrategyType"><c>strategyType</c>: <c>custom</c>, the only value Bybit's examples show for such blocks.</param>
/// <param name="CreatedAtMs">When the inquiry was created (<c>createdAt</c>), before the trade.</param>
/// <param name="UpdatedAtMs">When it traded (<c>updatedAt</c>), equal to each leg's <see cref="SimulatedTrade.TimeMs"/>.</param>
/// <param name="Strategy">What the legs make (straddle, strangle, vertical, butterfly, condor, or given), for humans.</param>
/// <param name="Legs">The legs in the message's order.</param>
public sealed record SimulatedBlock(
    string RfqId, string BaseCoin, string StrategyType, long CreatedAtMs, long UpdatedAtMs, string Strategy,
    IReadOnlyList<SimulatedTrade> Legs);

/// <summary>One leg asked of <see cref="BybitSimulator.EmitBlock(IReadOnlyList{BlockLeg})"/>.</summary>
/// <param name="Symbol">A listed option.</param>
/// <param name="Side">The inquirer's (taker's) side: <c>Buy</c> or <c>Sell</c>.</param>
/// <param name="Size">Contracts, a positive multiple of the coin's quantity step.</param>
public sealed record BlockLeg(string Symbol, string Side, double Size);
