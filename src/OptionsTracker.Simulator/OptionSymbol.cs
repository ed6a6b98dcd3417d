using System.Globalization;

namespace OptionsTracker.Simulator;

/// <summary>
/// Bybit's option names: symbol <c>BTC-6JAN26-70000-P-USDT</c> (day not zero-padded, USDT-settled ones end in <c>-USDT</c>)
/// and display name <c>BTCUSDT-6JAN26-70000-P</c>.
/// </summary>
internal static class OptionSymbol
{
    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    /// <summary>The expiry code, e.g. <c>6JAN26</c>; also the tickers <c>expDate</c> parameter.</summary>
    public static string DateCode(DateTimeOffset deliveryTime)
    {
        var utc = deliveryTime.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{utc.Day}{Months[utc.Month - 1]}{utc.Year % 100:00}");
    }

    /// <summary>Parses <c>6JAN26</c> or <c>06JAN26</c> into a UTC date.</summary>
    public static bool TryParseDateCode(string code, out DateOnly date)
    {
        date = default;
        if (code.Length is < 6 or > 7)
            return false;
        int dayLength = code.Length - 5;
        if (!int.TryParse(code.AsSpan(0, dayLength), NumberStyles.None, CultureInfo.InvariantCulture, out int day)
            || !int.TryParse(code.AsSpan(dayLength + 3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out int year))
            return false;
        int month = Array.IndexOf(Months, code.Substring(dayLength, 3).ToUpperInvariant()) + 1;
        if (month == 0 || day < 1 || day > DateTime.DaysInMonth(2000 + year, month))
            return false;
        date = new DateOnly(2000 + year, month, day);
        return true;
    }

    /// <summary>A strike in plain notation without trailing zeros: <c>70000</c>, <c>0.3</c>.</summary>
    public static string Strike(decimal strike) => strike.ToString("0.############", CultureInfo.InvariantCulture);

    /// <summary>USDT-settled symbols end in <c>-USDT</c>; legacy USDC ones (<c>BTC-26DEC25-100000-C</c>) have no suffix.</summary>
    public static string Symbol(string baseCoin, DateTimeOffset deliveryTime, decimal strike, bool isCall, bool legacyUsdc = false) =>
        $"{baseCoin}-{DateCode(deliveryTime)}-{Strike(strike)}-{(isCall ? 'C' : 'P')}" + (legacyUsdc ? "" : "-USDT");

    public static string DisplayName(string baseCoin, DateTimeOffset deliveryTime, decimal strike, bool isCall) =>
        $"{baseCoin}USDT-{DateCode(deliveryTime)}-{Strike(strike)}-{(isCall ? 'C' : 'P')}";
}
