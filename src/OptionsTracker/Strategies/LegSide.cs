namespace OptionsTracker.Strategies;

/// <summary>Whether a leg buys (long) or sells (short) its instrument.</summary>
public enum LegSide : byte
{
    Buy,
    Sell,
}
