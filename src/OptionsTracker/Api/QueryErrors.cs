using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OptionsTracker.Book;

namespace OptionsTracker.Api;

/// <summary>
/// Parses query parameters by hand (they bind as strings), so a malformed value becomes a 400 problem that
/// names the parameter, echoes what was sent and says what is accepted, never a binding failure or a 500.
/// </summary>
internal sealed class QueryErrors
{
    private const int MaxEcho = 40;

    /// <summary>
    /// The largest strike a request may name. Listed strikes run from fractions (small coins) to a few hundred
    /// thousand (BTC); anything beyond this is a typo or a probe, and saying so beats silently matching nothing.
    /// </summary>
    public const decimal MaxStrike = 1_000_000_000_000m;

    /// <summary>The largest 24 h volume (contracts) a request may ask for; the busiest options trade thousands a day.</summary>
    public const double MaxVolume = 1e12;

    /// <summary>
    /// The largest IV a request may ask for, in percent: values up to 5 are fractions and above are percent
    /// (<see cref="ScreenerApi.IvFraction"/>); no option trades at 1,000 %.
    /// </summary>
    public const double MaxIvPercent = 1000;
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool HasErrors => _errors.Count > 0;

    public void Add(string parameter, string message) => _errors[parameter] = [message];

    // The detail names each parameter too: a client that shows only the detail still learns which one to fix.
    public ValidationProblem ToProblem() => TypedResults.ValidationProblem(
        _errors,
        detail: string.Join(" ", _errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
        title: "Invalid request parameters");

    public static string Echo(string text) => text.Length <= MaxEcho ? text : string.Concat(text.AsSpan(0, MaxEcho), "…");

    private static bool IsAll([NotNullWhen(false)] string? text) => string.IsNullOrWhiteSpace(text) || text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>26DEC25</c>, Bybit's <c>6JAN26</c>, ISO <c>2026-01-06</c>, or <c>all</c>/absent (null).</summary>
    public DateOnly? Expiry(string? text, string parameter = "expiry")
    {
        if (IsAll(text))
            return null;
        var trimmed = text.AsSpan().Trim();
        if (ExpiryLabel.TryParse(trimmed, out var date)
            || DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
            return date;
        Add(parameter, $"'{Echo(text)}' is not an expiry. Use the 26DEC25 form (6JAN26 works too), an ISO date like 2025-12-26, or all.");
        return null;
    }

    /// <summary>
    /// A venue's id (any case): one of the known venues, or one the book holds options of (a web instance may read a
    /// venue from Redis before its own configuration names it); <c>all</c>/absent = null.
    /// </summary>
    public Venue? Venue(string? text, KnownVenues known, BookIndex index, string parameter = "venue")
    {
        if (IsAll(text))
            return null;
        if (Book.Venue.TryParse(text.AsSpan().Trim(), out var venue) && (known.All.Contains(venue) || index.Venues.Contains(venue)))
            return venue;
        Add(parameter, $"'{Echo(text)}' is not a venue. Use one of {string.Join(", ", known.All.Union(index.Venues).Select(v => v.Id))}, or all.");
        return null;
    }

    /// <summary><c>call</c>, <c>put</c> (or <c>C</c>/<c>P</c>), any case; <c>all</c>/absent = null.</summary>
    public OptionType? Type(string? text, string parameter = "type")
    {
        if (IsAll(text))
            return null;
        switch (text.Trim().ToUpperInvariant())
        {
            case "CALL" or "C" or "CALLS":
                return OptionType.Call;
            case "PUT" or "P" or "PUTS":
                return OptionType.Put;
            default:
                Add(parameter, $"'{Echo(text)}' is not an option type. Use call, put or all.");
                return null;
        }
    }

    /// <summary>A decimal number from 0 to <see cref="MaxStrike"/> (<c>17500</c>, <c>0.2</c>); <c>all</c>/absent = null when allowed.</summary>
    public decimal? Strike(string? text, string parameter = "strike")
    {
        if (IsAll(text))
            return null;
        if (text.Length <= 32
            && decimal.TryParse(text.AsSpan().Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var strike)
            && strike <= MaxStrike)
            return strike;
        Add(parameter, $"'{Echo(text)}' is not a strike. Use a number from 0 to {MaxStrike.ToString(CultureInfo.InvariantCulture)}, such as 17500 or 0.25, or all.");
        return null;
    }

    /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>]; absent = null.</summary>
    public double? Number(string? text, string parameter, double min, double max)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (text.Length <= 32
            && double.TryParse(text.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max) // false for NaN; infinities are out of range
            return value;
        Add(parameter, $"'{Echo(text)}' is not accepted. {RangeHint(min, max)}");
        return null;
    }

    /// <summary>
    /// A number that arrived already parsed (a JSON body member): null stays null; NaN, infinities and values
    /// outside [<paramref name="min"/>, <paramref name="max"/>] are named, never passed on (a strike of -1e308
    /// does not fit a decimal, one of 1e16 would match nothing).
    /// </summary>
    public double? Number(double? value, string parameter, double min, double max)
    {
        if (value is not { } v || v >= min && v <= max)
            return value;
        Add(parameter, $"{v.ToString("R", CultureInfo.InvariantCulture)} is not accepted. {RangeHint(min, max)}");
        return null;
    }

    /// <summary>A whole number that arrived already parsed; null stays null.</summary>
    public int? Integer(int? value, string parameter, int min, int max)
    {
        if (value is not { } v || v >= min && v <= max)
            return value;
        Add(parameter, $"{v.ToString(CultureInfo.InvariantCulture)} is not accepted. Use a whole number from {min} to {max}.");
        return null;
    }

    private static string RangeHint(double min, double max) =>
        $"Use a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString("0.##########", CultureInfo.InvariantCulture)}.";

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>]; absent = null.</summary>
    public int? Integer(string? text, string parameter, int min, int max)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (text.Length <= 16
            && int.TryParse(text.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max)
            return value;
        Add(parameter, $"'{Echo(text)}' is not accepted. Use a whole number from {min} to {max}.");
        return null;
    }

    /// <summary>A field name, <c>-</c> before it for descending (<c>+</c> or nothing for ascending).</summary>
    public (OptionField? Field, bool Descending) Sort(string? text, string parameter = "sort")
    {
        if (string.IsNullOrWhiteSpace(text))
            return (null, false);
        var span = text.AsSpan().Trim();
        var descending = false;
        if (span.Length > 0 && span[0] is '-' or '+')
        {
            descending = span[0] == '-';
            span = span[1..];
        }
        if (OptionFields.TryParse(span, out var field))
            return (field, descending);
        Add(parameter, $"'{Echo(text)}' is not a sort field. Use one of {OptionFields.AcceptedNames}, with a leading - for descending.");
        return (null, false);
    }

    /// <summary>
    /// A comma list of field names, in the order to write them; absent = <paramref name="whenAbsent"/>, by default
    /// <see cref="OptionFields.Default"/> (every field but the model's, which lists compute only on request).
    /// </summary>
    public OptionField[] Fields(string? text, string parameter = "fields", OptionField[]? whenAbsent = null)
    {
        whenAbsent ??= OptionFields.Default;
        if (string.IsNullOrWhiteSpace(text))
            return whenAbsent;
        var fields = new List<OptionField>();
        foreach (var range in text.AsSpan().Split(','))
        {
            var name = text.AsSpan()[range].Trim();
            if (name.IsEmpty)
                continue;
            if (!OptionFields.TryParse(name, out var field))
            {
                Add(parameter, $"'{Echo(name.ToString())}' is not a field. Use a comma list of {OptionFields.AcceptedNames}.");
                return whenAbsent;
            }
            if (!fields.Contains(field))
                fields.Add(field);
        }
        return fields.Count == 0 ? whenAbsent : [.. fields];
    }
}
