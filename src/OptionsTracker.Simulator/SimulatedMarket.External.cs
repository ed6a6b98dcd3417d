namespace OptionsTracker.Simulator;

/// <summary>The market played from outside (<see cref="SimulatorOptions.ExternalMarket"/>): boards set whole by each frame.</summary>
internal sealed partial class SimulatedMarket
{
    /// <summary>
    /// Sets <paramref name="baseCoin"/>'s board to <paramref name="options"/> as of <paramref name="time"/>, under the
    /// market lock like every other change: the REST answers and pushes read the new tickers through each option's seqlock.
    /// </summary>
    public void Play(string baseCoin, DateTimeOffset time, IReadOnlyList<ExternalOption> options)
    {
        var board = GetBoard(baseCoin);
        lock (_gate)
        {
            long nowMs = time.ToUnixTimeMilliseconds();
            var known = new Dictionary<string, InstrumentState>(StringComparer.Ordinal);
            foreach (var instrument in board.Listed.Concat(board.PreLaunch).Concat(board.Delivering))
                known.TryAdd(instrument.Symbol, instrument);

            var listed = new List<InstrumentState>(options.Count);
            var preLaunch = new List<InstrumentState>();
            var delivering = new List<InstrumentState>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var delivered = 0;
            foreach (var option in options)
            {
                var info = option.Instrument;
                if (!seen.Add(info.Symbol))
                    continue;
                if (!known.TryGetValue(info.Symbol, out var instrument))
                {
                    // The grid fields (expiry kind, strike step) only serve ListNewInstrument, which a played market does not use.
                    instrument = new InstrumentState(info, _nextSymbolId++, ExpiryKind.Daily, 0m, nowMs);
                    known.Add(info.Symbol, instrument);
                }

                switch (info.Status)
                {
                    case "PreLaunch":
                        preLaunch.Add(instrument);
                        break;
                    case "Delivering":
                        if (instrument.IsListed)
                        {
                            DeliverPlayed(board, instrument, option.DeliveryPrice);
                            delivered++;
                        }
                        delivering.Add(instrument);
                        break;
                    default:
                        if (instrument.Info.Status == "PreLaunch")
                            instrument.Launch(nowMs);
                        instrument.PublishTicker(option.Ticker with { Symbol = info.Symbol });
                        _bySymbol[info.Symbol] = instrument;
                        listed.Add(instrument);
                        if (double.IsFinite(option.Ticker.IndexPrice) && option.Ticker.IndexPrice > 0)
                            board.Index = option.Ticker.IndexPrice;
                        break;
                }
            }

            foreach (var (symbol, instrument) in known)
            {
                if (seen.Contains(symbol))
                    continue;
                if (instrument.IsListed && instrument.DeliveryTimeMs <= nowMs)
                {
                    // Left the board at its delivery: delivered at the last index, Delivering until 12:00 UTC.
                    DeliverPlayed(board, instrument, RoundSignificant(board.Index, 10));
                    delivered++;
                    if (nowMs < DeliveringUntilMs(instrument))
                        delivering.Add(instrument);
                }
                else
                {
                    instrument.IsListed = false;
                    _bySymbol.TryRemove(symbol, out _);
                }
            }

            board.Listing = new BoardListing(
                [.. listed.OrderBy(i => i.SymbolId)], [.. preLaunch.OrderBy(i => i.SymbolId)], [.. delivering.OrderBy(i => i.SymbolId)]);
            if (delivered > 0)
                Log.ExpiryDelivered(_logger, board.BaseCoin, delivered);
        }
    }

    private void DeliverPlayed(CoinBoard board, InstrumentState instrument, double price)
    {
        instrument.Deliver(price);
        _bySymbol.TryRemove(instrument.Symbol, out _);
        _delivered[instrument.Symbol] = (price, instrument.DeliveryTimeMs);
        if (double.IsFinite(price))
            board.Settlements[instrument.DeliveryTimeMs] = price;
    }
}
