namespace OptionsTracker.Simulator;

/// <summary>
/// One option trade the simulator made and published: the truth tests compare the tracker's tape against. Every field is
/// what the <c>publicTrade</c> item and the recent-trade item carry (numbers written from these doubles, shortest
/// round-trip text), plus the quote it traded against. Prices in USDT, sizes in the base coin, IVs as fractions.
/// </summary>
/// <param name="Id">The trade id (<c>i</c>, <c>execId</c>): a UUID string, as Bybit's.</param>
/// <param name="Symbol">The option (<c>s</c>, <c>symbol</c>).</param>
/// <param name="BaseCoin">Its coin, upper-case.</param>
/// <param name="TimeMs">When it matched (<c>T</c>, <c>time</c>), UTC ms on the simulator's clock.</param>
/// <param name="Side">The taker's side (<c>S</c>, <c>side</c>): <c>Buy</c> or <c>Sell</c>.</param>
/// <param name="Size">Contracts (<c>v</c>, <c>size</c>), on the coin's quantity step.</param>
/// <param name="Price">Price of one contract (<c>p</c>, <c>price</c>), on the tick, within [<paramref name="BidPrice"/>, <paramref name="AskPrice"/>].</param>
/// <param name="Iv">The trade's IV (<c>iv</c>): Black-76 implied vol of <paramref name="Price"/> on <paramref name="UnderlyingPrice"/>, 4 decimals.</param>
/// <param name="MarkPrice">The mark price at the trade (<c>mP</c>).</param>
/// <param name="MarkIv">The mark IV at the trade (<c>mIv</c>).</param>
/// <param name="IndexPrice">The index price at the trade (<c>iP</c>).</param>
/// <param name="UnderlyingPrice">The expiry's forward at the trade (not published per trade; the RFQ leg's <c>markPrice</c>).</param>
/// <param name="BidPrice">The best bid it traded against or within (0 when the bid side was empty).</param>
/// <param name="AskPrice">The best ask.</param>
/// <param name="BidSize">Size at the best bid then.</param>
/// <param name="AskSize">Size at the best ask then.</param>
/// <param name="IsBlock">A leg of a block (<c>BT</c>, <c>isBlockTrade</c>).</param>
/// <param name="BlockId">The block's <c>rfqId</c> when <paramref name="IsBlock"/> (Bybit's <c>publicTrade</c> does not carry it).</param>
/// <param name="Sequence">The cross sequence (<c>seq</c>): increasing over the coin's trades.</param>
public sealed record SimulatedTrade(
    string Id, string Symbol, string BaseCoin, long TimeMs, string Side, double Size, double Price,
    double Iv, double MarkPrice, double MarkIv, double IndexPrice, double UnderlyingPrice,
    double BidPrice, double AskPrice, double BidSize, double AskSize,
    bool IsBlock, string? BlockId, long Sequence);
