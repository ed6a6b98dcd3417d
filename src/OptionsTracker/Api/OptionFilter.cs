using OptionsTracker.Book;

namespace OptionsTracker.Api;

/// <summary>
/// Which options a request selects. Instrument conditions are checked before the quote is read, so a
/// request for one expiry or type never copies quotes it will not return.
/// </summary>
internal sealed class OptionFilter
{
    /// <summary>Only this venue's options; null = every venue.</summary>
    public Venue? Venue { get; init; }

    public DateOnly? Expiry { get; init; }
    public OptionType? Type { get; init; }
    public decimal? Strike { get; init; }
    public decimal? MinStrike { get; init; }
    public decimal? MaxStrike { get; init; }

    /// <summary>Inclusive; options without a 24 h volume never match.</summary>
    public double? MinVolume { get; init; }

    /// <summary>Inclusive, a fraction like Bybit's IVs (0.8 = 80 %); options without a mark IV never match.</summary>
    public double? MinIv { get; init; }

    /// <summary>Only options whose last update arrived at or after this local time (Unix ms).</summary>
    public long? ReceivedSinceMs { get; init; }

    public static readonly OptionFilter None = new();

    public bool Matches(OptionInstrument instrument) =>
        (Venue is not { } venue || instrument.Venue == venue)
        && (Expiry is not { } expiry || instrument.ExpiryDate == expiry)
        && (Type is not { } type || instrument.Type == type)
        && (Strike is not { } strike || instrument.Strike == strike)
        && (MinStrike is not { } min || instrument.Strike >= min)
        && (MaxStrike is not { } max || instrument.Strike <= max);

    public bool Matches(in OptionQuote quote) =>
        (MinVolume is not { } minVolume || quote.Volume24h >= minVolume)
        && (MinIv is not { } minIv || quote.MarkIv >= minIv)
        && (ReceivedSinceMs is not { } since || (quote.HasData && quote.ReceivedAtMs >= since));
}
