using System.Globalization;
using OptionsTracker.Book;

namespace OptionsTracker.Deribit;

/// <summary>
/// Reads a Deribit option name: <c>BTC-27DEC24-100000-C</c> (inverse; the day is not zero-padded) or
/// <c>SOL_USDC-27DEC24-200-C</c> (linear; a strike with decimals writes its point as <c>d</c>: <c>XRP_USDC-27DEC24-0d625-C</c>).
/// Used only for what the book does not hold (a trade of an option not tracked); instruments come from
/// <c>public/get_instruments</c>, whose fields are authoritative.
/// </summary>
internal readonly record struct DeribitInstrumentName(string BaseCoin, DateOnly ExpiryDate, decimal Strike, OptionType Type)
{
    /// <summary>Deribit delivers options at 08:00 UTC.</summary>
    public DateTimeOffset ImpliedExpiryUtc => new(ExpiryDate.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);

    public static bool TryParse(string name, out DeribitInstrumentName parsed)
    {
        parsed = default;
        var parts = name.Split('-');
        if (parts.Length != 4 || parts[0].Length == 0)
            return false;
        var underscore = parts[0].IndexOf('_', StringComparison.Ordinal);
        var coin = underscore < 0 ? parts[0] : parts[0][..underscore];
        if (coin.Length == 0)
            return false;
        if (!DateOnly.TryParseExact(parts[1], ["dMMMyy", "ddMMMyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var expiry))
            return false;
        if (!decimal.TryParse(parts[2].Replace('d', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var strike) || strike <= 0)
            return false;
        OptionType type;
        switch (parts[3])
        {
            case "C":
                type = OptionType.Call;
                break;
            case "P":
                type = OptionType.Put;
                break;
            default:
                return false;
        }
        parsed = new DeribitInstrumentName(coin, expiry, strike, type);
        return true;
    }

    /// <summary>The base coin of a name, without parsing the rest (<c>SOL_USDC-…</c> is SOL's); null when it has none.</summary>
    public static string? CoinOf(ReadOnlySpan<char> name)
    {
        var end = name.IndexOfAny('-', '_');
        return end <= 0 ? null : name[..end].ToString();
    }
}
