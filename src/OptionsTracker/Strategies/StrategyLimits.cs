using System.Globalization;

namespace OptionsTracker.Strategies;

/// <summary>
/// What a strategy may hold, and the words its settings are written in: the same for the API's body, the builder's
/// address and a saved strategy (<see cref="SavedStrategy"/>), so each reads what the others write.
/// </summary>
public static class StrategyLimits
{
    /// <summary>More legs than any listed structure needs: a request with more is a mistake or a probe.</summary>
    public const int MaxLegs = 20;

    /// <summary>Contracts per leg: far beyond any real order book, so a larger number is a typo.</summary>
    public const double MaxQuantity = 100_000;

    /// <summary>Longest option symbol accepted.</summary>
    public const int MaxSymbolLength = 64;

    /// <summary>Longest part of a user's text repeated in a message (the API's echo length).</summary>
    private const int MaxEcho = 40;

    /// <summary>A quantity a leg may have: a number of contracts above 0 and at most <see cref="MaxQuantity"/>.</summary>
    public static bool IsQuantity(double? quantity) => quantity is { } q && double.IsFinite(q) && q > 0 && q <= MaxQuantity;

    /// <summary>The sentence saying what a quantity may be.</summary>
    public static string QuantityRule { get; } = $"The quantity is a number of contracts above 0 and at most {MaxQuantity.ToString("N0", CultureInfo.InvariantCulture)}.";

    /// <summary><paramref name="text"/> cut to a length fit for a message.</summary>
    public static string Echo(string text) => text.Length <= MaxEcho ? text : string.Concat(text.AsSpan(0, MaxEcho), "…");

    /// <summary><c>buy</c> or <c>sell</c>, any case.</summary>
    public static bool TryParseSide(string? text, out LegSide side)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "buy":
                side = LegSide.Buy;
                return true;
            case "sell":
                side = LegSide.Sell;
                return true;
            default:
                side = default;
                return false;
        }
    }

    public static string SideName(LegSide side) => side == LegSide.Buy ? "buy" : "sell";

    /// <summary><c>sticky_strike</c> (also empty or absent) or <c>sticky_delta</c>.</summary>
    public static bool TryParseVolModel(string? text, out VolModel model)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "sticky_strike":
                model = VolModel.StickyStrike;
                return true;
            case "sticky_delta":
                model = VolModel.StickyDelta;
                return true;
            default:
                model = default;
                return false;
        }
    }

    public static string VolModelName(VolModel model) => model == VolModel.StickyDelta ? "sticky_delta" : "sticky_strike";

    /// <summary><c>touch</c> (also empty or absent) or <c>mark</c>.</summary>
    public static bool TryParseEntry(string? text, out EntryBasis entry)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "touch":
                entry = EntryBasis.Touch;
                return true;
            case "mark":
                entry = EntryBasis.Mark;
                return true;
            default:
                entry = default;
                return false;
        }
    }

    public static string EntryName(EntryBasis entry) => entry == EntryBasis.Mark ? "mark" : "touch";
}
