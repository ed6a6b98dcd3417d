using OptionsTracker.Book;

namespace OptionsTracker.Measures;

/// <summary>
/// Open interest and 24 h volume of calls and of puts, summed as options are added; missing values count as none. The
/// put/call ratios (docs/measures.md) are puts over calls, null without calls. A mutable struct so the summary can sum
/// its rows without allocating.
/// </summary>
public struct PutCallTotals
{
    public double CallOi { get; private set; }
    public double PutOi { get; private set; }
    public double CallVolume { get; private set; }
    public double PutVolume { get; private set; }

    /// <summary>Σ put OI / Σ call OI; null without call OI.</summary>
    public readonly double? OiRatio => CallOi > 0 ? PutOi / CallOi : null;

    /// <summary>Σ put 24 h volume / Σ call 24 h volume; null without call volume.</summary>
    public readonly double? VolumeRatio => CallVolume > 0 ? PutVolume / CallVolume : null;

    public void Add(OptionType type, double openInterest, double volume24h)
    {
        if (type == OptionType.Call)
        {
            CallOi += OrZero(openInterest);
            CallVolume += OrZero(volume24h);
        }
        else
        {
            PutOi += OrZero(openInterest);
            PutVolume += OrZero(volume24h);
        }
    }

    private static double OrZero(double value) => double.IsFinite(value) ? value : 0;
}
