using System.Globalization;
using OptionsTracker.Book;

namespace OptionsTracker.Bybit;

/// <summary>
/// A parsed Bybit option symbol: <c>BASE-DMMMYY-STRIKE-C|P[-SETTLE]</c>. The day is not zero-padded on the
/// exchange (<c>BTC-6JAN23-17500-C</c>) but a padded one is accepted too; legacy USDC symbols have no
/// settle suffix; strikes may be decimal (<c>DOGE-28MAR26-0.2-C-USDT</c>). Only Bybit's code reads this format: the
/// book gets the parts (<see cref="ToInstrument"/>).
/// </summary>
public readonly record struct BybitSymbol(string BaseCoin, DateOnly ExpiryDate, decimal Strike, OptionType Type, string? SettleCoin)
{
    /// <summary>Delivery instant implied by the symbol: 08:00 UTC of the expiry date.</summary>
    public DateTimeOffset ImpliedDeliveryUtc => new(ExpiryDate.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);

    public static bool TryParse(ReadOnlySpan<char> symbol, out BybitSymbol parsed)
    {
        parsed = default;
        Span<Range> parts = stackalloc Range[6];
        var count = symbol.Split(parts, '-');
        if (count is not (4 or 5))
            return false;

        var baseCoin = symbol[parts[0]];
        if (baseCoin.IsEmpty || !IsUpperAlphanumeric(baseCoin))
            return false;
        if (!TryParseExpiry(symbol[parts[1]], out var expiry))
            return false;
        if (!decimal.TryParse(symbol[parts[2]], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var strike) || strike <= 0)
            return false;

        var typeText = symbol[parts[3]];
        OptionType type;
        if (typeText is "C")
            type = OptionType.Call;
        else if (typeText is "P")
            type = OptionType.Put;
        else
            return false;

        string? settle = null;
        if (count == 5)
        {
            var settleText = symbol[parts[4]];
            if (settleText.IsEmpty || !IsUpperAlphanumeric(settleText))
                return false;
            settle = settleText.ToString();
        }

        parsed = new BybitSymbol(baseCoin.ToString(), expiry, strike, type, settle);
        return true;
    }

    /// <summary>
    /// The symbol's date code, <c>DMMMYY</c> or <c>DDMMMYY</c>: the tracker's <see cref="ExpiryLabel"/> is this code
    /// zero-padded, and its parser reads both forms.
    /// </summary>
    public static bool TryParseExpiry(ReadOnlySpan<char> text, out DateOnly date) => ExpiryLabel.TryParse(text, out date);

    /// <summary>
    /// The book's instrument of this symbol on <paramref name="venue"/> (Bybit, or a test's second venue that uses the same
    /// format). Expiry is the exchange's <c>deliveryTime</c> when it gives one, else the date in the symbol; the price and
    /// quantity grids are instruments-info's <c>priceFilter.tickSize</c> and <c>lotSizeFilter.qtyStep</c> (NaN: not given).
    /// </summary>
    public OptionInstrument ToInstrument(Venue venue, string symbol, DateTimeOffset? deliveryUtc, ListingStatus status,
        double tickSize = double.NaN, double qtyStep = double.NaN) =>
        new(venue, symbol, BaseCoin, deliveryUtc ?? ImpliedDeliveryUtc, Strike, Type, SettleCoin, status, tickSize, qtyStep);

    /// <summary>A Bybit instrument from its symbol, delivery time (null: the symbol's date) and status text.</summary>
    public static bool TryCreateInstrument(string symbol, DateTimeOffset? deliveryUtc, string? status, out OptionInstrument? instrument) =>
        TryCreateInstrument(Venue.Bybit, symbol, deliveryUtc, status, out instrument);

    /// <inheritdoc cref="TryCreateInstrument(string, DateTimeOffset?, string?, out OptionInstrument?)"/>
    public static bool TryCreateInstrument(Venue venue, string symbol, DateTimeOffset? deliveryUtc, string? status, out OptionInstrument? instrument) =>
        TryCreateInstrument(venue, symbol, deliveryUtc, status, double.NaN, double.NaN, out instrument);

    /// <summary>As above, with instruments-info's price and quantity grids (NaN when absent).</summary>
    public static bool TryCreateInstrument(Venue venue, string symbol, DateTimeOffset? deliveryUtc, string? status, double tickSize, double qtyStep,
        out OptionInstrument? instrument)
    {
        instrument = TryParse(symbol, out var parsed)
            ? parsed.ToInstrument(venue, symbol, deliveryUtc, BybitListingStatus.Parse(status), tickSize, qtyStep)
            : null;
        return instrument is not null;
    }

    private static bool IsUpperAlphanumeric(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c))
                return false;
        }
        return true;
    }
}
