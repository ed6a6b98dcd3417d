namespace OptionsTracker.Tape;

/// <summary>The taker's side of a trade: <see cref="Buy"/> when the taker lifted an offer, <see cref="Sell"/> when it hit a bid.</summary>
public enum TradeSide : byte
{
    Buy,
    Sell,
}
