using System.Globalization;

namespace OptionsTracker.Dashboard;

/// <summary>
/// The table's search box. A number ("95000", "95,000", "95k", "2.5", "1.2k") is a strike and matches exactly that
/// strike, so "95000" finds neither 195,000 nor 9,500; anything else is text found anywhere in the symbol, ignoring
/// case ("27dec", "-p").
/// </summary>
public readonly struct TableSearch
{
    private readonly string _text;
    private readonly decimal? _strike;

    private TableSearch(string text, decimal? strike)
    {
        _text = text;
        _strike = strike;
    }

    public bool IsEmpty => _text.Length == 0;

    /// <summary>The strike asked for, when the text reads as a number.</summary>
    public decimal? Strike => _strike;

    public static TableSearch Parse(string? text)
    {
        var trimmed = text?.Trim() ?? "";
        return new TableSearch(trimmed, ParseStrike(trimmed));
    }

    public bool Matches(OptionRow row) => _text.Length == 0
        || (_strike is { } strike ? row.Instrument.Strike == strike : row.Symbol.Contains(_text, StringComparison.OrdinalIgnoreCase));

    /// <summary>Digits with optional thousands commas and decimals, then an optional k (thousands); null otherwise.</summary>
    public static decimal? ParseStrike(string text)
    {
        if (text.Length == 0)
            return null;
        var thousands = text[^1] is 'k' or 'K';
        var number = thousands ? text[..^1] : text;
        if (number.Length == 0 || !char.IsAsciiDigit(number[0]))
            return null;
        // Commas only as thousands separators (groups of three), so "9,50" is not read as 950.
        var parts = number.Split('.');
        if (parts.Length > 2)
            return null;
        var groups = parts[0].Split(',');
        if (groups.Skip(1).Any(g => g.Length != 3) || groups.Any(g => g.Length == 0 || !g.All(char.IsAsciiDigit)))
            return null;
        if (parts.Length == 2 && (parts[1].Length == 0 || !parts[1].All(char.IsAsciiDigit)))
            return null;
        var plain = string.Concat(groups) + (parts.Length == 2 ? "." + parts[1] : "");
        if (!decimal.TryParse(plain, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return null;
        return thousands ? value * 1000m : value;
    }
}
