using System.Globalization;
using System.Text;
using OptionsTracker.Book;
using OptionsTracker.Strategies;

namespace OptionsTracker.Dashboard;

/// <summary>
/// One leg of the builder as its address writes it: an option by symbol (and venue when one is named), or the underlying
/// at an expiry's forward (<see cref="ForwardExpiry"/>), bought or sold, a quantity of contracts.
/// </summary>
public sealed record LinkLeg(string? Symbol, string? Venue, DateOnly? ForwardExpiry, LegSide Side, double Quantity)
{
    public bool IsForward => ForwardExpiry is not null;

    /// <summary>The same leg as a saved one (<see cref="SavedLeg"/>).</summary>
    public SavedLeg ToSaved() => new()
    {
        Symbol = Symbol,
        Venue = Venue,
        Forward = ForwardExpiry is { } date ? ExpiryLabel.Format(date) : null,
        Side = Side,
        Quantity = Quantity,
    };

    /// <summary>A saved leg as the builder holds it; null when it names neither an option nor a forward it can read.</summary>
    public static LinkLeg? FromSaved(SavedLeg leg)
    {
        if (!StrategyLimits.IsQuantity(leg.Quantity))
            return null;
        if (!string.IsNullOrWhiteSpace(leg.Forward))
            return ExpiryLabel.TryParse(leg.Forward.AsSpan().Trim(), out var date) ? new LinkLeg(null, null, date, leg.Side, leg.Quantity) : null;
        return string.IsNullOrWhiteSpace(leg.Symbol) ? null : new LinkLeg(leg.Symbol.Trim().ToUpperInvariant(), leg.Venue, null, leg.Side, leg.Quantity);
    }
}

/// <summary>
/// The builder's legs in its address (<c>legs=</c>), so a link opens the same strategy:
/// <code>legs=BTC-26DEC25-100000-C:b:1,BTC-26DEC25-110000-C:s:1,FWD-26DEC25:s:0.25</code>
/// Legs are separated by <c>,</c>; each is <c>symbol:side:quantity</c> with side <c>b</c> (buy) or <c>s</c> (sell) and the
/// quantity in contracts (invariant decimal point). An option on a venue other than the first listing its symbol is
/// <c>venue/symbol</c> (<c>deribit/BTC-26DEC25-100000-C</c>); the underlying at an expiry's forward (a delta hedge) is
/// <c>FWD-26DEC25</c>. The builder's settings are parameters of their own (<c>vm</c>, <c>entry</c>, <c>shift</c>,
/// <c>date</c>: <see cref="StrategySettingsLink"/>). A malformed leg is skipped and named, never the whole link.
/// </summary>
public static class StrategyLink
{
    public const string Parameter = "legs";

    /// <summary>The prefix of an underlying leg's token: <c>FWD-26DEC25</c>.</summary>
    public const string ForwardPrefix = "FWD-";

    /// <summary>The address form of <paramref name="legs"/>; null for none (the parameter is left out).</summary>
    public static string? Format(IReadOnlyList<LinkLeg> legs)
    {
        if (legs.Count == 0)
            return null;
        var text = new StringBuilder();
        foreach (var leg in legs)
        {
            if (text.Length > 0)
                text.Append(',');
            if (leg.ForwardExpiry is { } date)
                text.Append(ForwardPrefix).Append(ExpiryLabel.Format(date));
            else
            {
                if (leg.Venue is { Length: > 0 } venue)
                    text.Append(venue).Append('/');
                text.Append(leg.Symbol);
            }
            text.Append(':').Append(leg.Side == LegSide.Buy ? 'b' : 's').Append(':')
                .Append(leg.Quantity.ToString("0.########", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    /// <summary>
    /// Reads <paramref name="text"/>: the legs it holds (at most <see cref="StrategyLimits.MaxLegs"/>), and a sentence per
    /// token it could not read.
    /// </summary>
    public static (List<LinkLeg> Legs, List<string> Problems) Parse(string? text)
    {
        var legs = new List<LinkLeg>();
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
            return (legs, problems);
        foreach (var token in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (legs.Count == StrategyLimits.MaxLegs)
            {
                problems.Add($"More than {StrategyLimits.MaxLegs} legs: the rest of the link is left out.");
                break;
            }
            if (TryParseLeg(token, out var leg, out var problem))
                legs.Add(leg);
            else
                problems.Add(problem);
        }
        return (legs, problems);
    }

    private static bool TryParseLeg(string token, out LinkLeg leg, out string problem)
    {
        leg = null!;
        var parts = token.Split(':');
        var echo = StrategyLimits.Echo(token);
        if (parts.Length != 3)
        {
            problem = $"“{echo}” is not a leg (symbol:b|s:quantity).";
            return false;
        }
        var side = parts[1].Trim().ToLowerInvariant() switch
        {
            "b" or "buy" => LegSide.Buy,
            "s" or "sell" => (LegSide?)LegSide.Sell,
            _ => null,
        };
        if (side is null)
        {
            problem = $"“{echo}”: the side is b (buy) or s (sell).";
            return false;
        }
        if (!double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var quantity) || !StrategyLimits.IsQuantity(quantity))
        {
            problem = $"“{echo}”: {StrategyLimits.QuantityRule}";
            return false;
        }
        var name = parts[0].Trim();
        if (name.StartsWith(ForwardPrefix, StringComparison.OrdinalIgnoreCase))
        {
            if (!ExpiryLabel.TryParse(name.AsSpan(ForwardPrefix.Length), out var date))
            {
                problem = $"“{echo}”: a forward leg names its expiry, e.g. FWD-26DEC25.";
                return false;
            }
            leg = new LinkLeg(null, null, date, side.Value, quantity);
            problem = "";
            return true;
        }
        string? venue = null;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!Venue.TryParse(name.AsSpan(0, slash), out var parsed))
            {
                problem = $"“{echo}”: “{StrategyLimits.Echo(name[..slash])}” is not a venue.";
                return false;
            }
            venue = parsed.Id;
            name = name[(slash + 1)..];
        }
        if (name.Length == 0 || name.Length > StrategyLimits.MaxSymbolLength)
        {
            problem = $"“{echo}” names no option.";
            return false;
        }
        leg = new LinkLeg(name.ToUpperInvariant(), venue, null, side.Value, quantity);
        problem = "";
        return true;
    }
}

/// <summary>
/// The builder's settings in its address, each left out at its default: <c>vm=delta</c> (sticky delta; sticky strike by
/// default), <c>entry=mark</c> (P&amp;L from the marks; the touch by default), <c>shift=5</c> (IV shift of the curves, vol
/// points), <c>date=2026-12-10</c> (a third curve and grid at 08:00 UTC of that day).
/// </summary>
public sealed record StrategySettingsLink(VolModel VolModel, EntryBasis Entry, double VolShift, DateOnly? Date)
{
    public static StrategySettingsLink Default { get; } = new(VolModel.StickyStrike, EntryBasis.Touch, 0, null);

    /// <summary>The settings of the address's parameters; an unreadable one is its default.</summary>
    public static StrategySettingsLink Parse(string? volModel, string? entry, string? shift, string? date) => new(
        volModel?.Trim().ToLowerInvariant() is "delta" or "sticky_delta" ? VolModel.StickyDelta : VolModel.StickyStrike,
        entry?.Trim().ToLowerInvariant() == "mark" ? EntryBasis.Mark : EntryBasis.Touch,
        double.TryParse(shift, NumberStyles.Float, CultureInfo.InvariantCulture, out var points) && double.IsFinite(points) ? Math.Clamp(points, -100, 100) : 0,
        DateOnly.TryParseExact(date?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null);

    public string? VolModelText => VolModel == VolModel.StickyDelta ? "delta" : null;
    public string? EntryText => Entry == EntryBasis.Mark ? "mark" : null;
    public string? ShiftText => VolShift == 0 ? null : VolShift.ToString("0.##", CultureInfo.InvariantCulture);
    public string? DateText => Date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
