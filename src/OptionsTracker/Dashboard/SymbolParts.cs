using System.Runtime.CompilerServices;
using OptionsTracker.Book;

namespace OptionsTracker.Dashboard;

/// <summary>
/// A symbol cut into the pieces the table shows or hides ("BTC-" "27DEC24" "-95000-" "C" "-USDT"): on a phone only
/// expiry and side are shown, the coin being chosen above and the strike having its own column. Joined they are the
/// symbol again, so its text is unchanged.
/// </summary>
public sealed record SymbolParts(string Coin, string Expiry, string Strike, string Side, string Rest)
{
    // One per instrument for the whole process, not per viewer: shared by every circuit, gone with the instrument.
    private static readonly ConditionalWeakTable<OptionInstrument, SymbolParts> Cache = [];

    public static SymbolParts Of(OptionInstrument instrument) => Cache.GetValue(instrument, static i => Parse(i.Symbol));

    public static SymbolParts Parse(string symbol)
    {
        // COIN-EXPIRY-STRIKE-SIDE[-SETTLE]; anything else is shown whole.
        var parts = symbol.Split('-');
        if (parts.Length < 4 || parts[3] is not ("C" or "P"))
            return new SymbolParts("", symbol, "", "", "");
        var rest = parts.Length > 4 ? "-" + string.Join('-', parts[4..]) : "";
        return new SymbolParts(parts[0] + "-", parts[1], "-" + parts[2] + "-", parts[3], rest);
    }
}
