namespace OptionsTracker.Simulator;

/// <summary>
/// One option's ticker as the next push or REST answer carries it. Prices in USDT, IVs as fractions (0.52 = 52 %),
/// <see cref="Vega"/> per vol point and <see cref="Theta"/> per day, like Bybit. An option that never traded has 0 in
/// <see cref="LastPrice"/>, <see cref="HighPrice24h"/>, <see cref="LowPrice24h"/> and <see cref="Change24h"/>, which Bybit
/// sends as <c>"0"</c> (its examples; ccxt PR 21878). <see cref="double.NaN"/> is written as <c>""</c>: the model produces it
/// nowhere, as no documented option ticker field is <c>""</c>.
/// </summary>
/// <param name="Symbol">The exchange symbol.</param>
/// <param name="BidPrice">Best bid; 0 when the bid side is empty.</param>
/// <param name="BidSize">Size at the best bid; 0 when empty.</param>
/// <param name="BidIv">IV of the best bid; 0 when empty.</param>
/// <param name="AskPrice">Best ask; 0 when the ask side is empty.</param>
/// <param name="AskSize">Size at the best ask.</param>
/// <param name="AskIv">IV of the best ask.</param>
/// <param name="LastPrice">Last trade price; 0 if never traded.</param>
/// <param name="HighPrice24h">24 h high; 0 if never traded.</param>
/// <param name="LowPrice24h">24 h low; 0 if never traded.</param>
/// <param name="MarkPrice">Mark price.</param>
/// <param name="IndexPrice">Index (spot) price of the base coin.</param>
/// <param name="MarkIv">Mark IV (REST <c>markIv</c>, WebSocket <c>markPriceIv</c>).</param>
/// <param name="UnderlyingPrice">Forward price of the expiry.</param>
/// <param name="OpenInterest">Open interest in contracts.</param>
/// <param name="Turnover24h">24 h turnover in USDT.</param>
/// <param name="Volume24h">24 h volume in contracts.</param>
/// <param name="TotalVolume">Volume since listing.</param>
/// <param name="TotalTurnover">Turnover since listing.</param>
/// <param name="Delta">Delta.</param>
/// <param name="Gamma">Gamma.</param>
/// <param name="Vega">Vega per vol point.</param>
/// <param name="Theta">Theta per day.</param>
/// <param name="PredictedDeliveryPrice">0 except in the 30 minutes before delivery.</param>
/// <param name="Change24h">24 h change as a fraction; 0 if never traded.</param>
public readonly record struct SimulatedTicker(
    string Symbol,
    double BidPrice, double BidSize, double BidIv,
    double AskPrice, double AskSize, double AskIv,
    double LastPrice, double HighPrice24h, double LowPrice24h,
    double MarkPrice, double IndexPrice, double MarkIv, double UnderlyingPrice,
    double OpenInterest, double Turnover24h, double Volume24h, double TotalVolume, double TotalTurnover,
    double Delta, double Gamma, double Vega, double Theta,
    double PredictedDeliveryPrice, double Change24h);
