using System.Globalization;

namespace OptionsTracker.Book;

/// <summary>
/// A parsed Bybit option symbol: <c>BASE-DMMMYY-STRIKE-C|P[-SETTLE]</c>. The day is not zero-padded on the
/// exchange (<c>BTC-6JAN23-17500-C</c>) but a padded one is accepted too; legacy USDC symbols have no
/// settle suffix; strikes may be decimal (<c>DOGE-28MAR26-0.2-C-USDT</c>).
/// </summary>
public readonly record struct OptionSymbol(string BaseCoin, DateOnly ExpiryDate, decimal Strike, OptionType Type, string? SettleCoin)
{
    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    /// <summary>Delivery instant implied by the symbol: 08:00 UTC of the expiry date.</summary>
    public DateTimeOffset ImpliedDeliveryUtc => new(ExpiryDate.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);

    public static bool TryParse(ReadOnlySpan<char> symbol, out OptionSymbol parsed)
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

        parsed = new OptionSymbol(baseCoin.ToString(), expiry, strike, type, settle);
        return true;
    }

    /// <summary>Parses <c>DMMMYY</c> or <c>DDMMMYY</c> (upper-case month, two-digit year, 20xx).</summary>
    public static bool TryParseExpiry(ReadOnlySpan<char> text, out DateOnly date)
    {
        date = default;
        if (text.Length is not (6 or 7))
            return false;
        var dayLength = text.Length - 5;
        if (!int.TryParse(text[..dayLength], NumberStyles.None, CultureInfo.InvariantCulture, out var day))
            return false;
        var month = Array.IndexOf(Months, text.Slice(dayLength, 3).ToString().ToUpperInvariant()) + 1;
        if (month == 0)
            return false;
        if (!int.TryParse(text[^2..], NumberStyles.None, CultureInfo.InvariantCulture, out var year))
            return false;
        year += 2000;
        if (day < 1 || day > DateTime.DaysInMonth(year, month))
            return false;
        date = new DateOnly(year, month, day);
        return true;
    }

    /// <summary>The original tool's expiry label: zero-padded day, e.g. <c>06JAN26</c>, <c>26DEC25</c>.</summary>
    public static string FormatExpiryLabel(DateOnly date) =>
        string.Create(CultureInfo.InvariantCulture, $"{date.Day:00}{Months[date.Month - 1]}{date.Year % 100:00}");

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
