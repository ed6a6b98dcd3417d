using System.Globalization;

namespace OptionsTracker.Book;

/// <summary>
/// The tracker's own expiry label, <c>DDMMMYY</c> (<c>26DEC25</c>, <c>06JAN26</c>): the original tool's API field and
/// Redis keys (<c>options:expiry:{coin}:{expiry}</c>) use it whatever the venue, so it is the book's concept, not a
/// venue's wire format. It happens to be Bybit's (and Deribit's) symbol date code zero-padded; a venue whose symbols
/// write dates otherwise (OKX's <c>241227</c>) still gets this label from its instruments' expiry date.
/// </summary>
public static class ExpiryLabel
{
    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    /// <summary>Zero-padded day, e.g. <c>06JAN26</c>, <c>26DEC25</c>.</summary>
    public static string Format(DateOnly date) =>
        string.Create(CultureInfo.InvariantCulture, $"{date.Day:00}{Months[date.Month - 1]}{date.Year % 100:00}");

    /// <summary>
    /// Parses <c>DDMMMYY</c> or the unpadded <c>DMMMYY</c> that users copy from exchange symbols (any-case month,
    /// two-digit year, 20xx).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DateOnly date)
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

    /// <summary>
    /// The first dash-separated part of <paramref name="symbol"/> that reads as a label: for an option known only by its
    /// symbol (a Redis member whose hash is gone). False for symbols that write their date otherwise.
    /// </summary>
    public static bool TryFindIn(ReadOnlySpan<char> symbol, out DateOnly date)
    {
        foreach (var part in symbol.Split('-'))
        {
            if (TryParse(symbol[part], out date))
                return true;
        }
        date = default;
        return false;
    }
}
