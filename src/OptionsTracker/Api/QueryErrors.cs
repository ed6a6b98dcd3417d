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
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool HasErrors => _errors.Count > 0;

    public void Add(string parameter, string message) => _errors[parameter] = [message];

    public ValidationProblem ToProblem() => TypedResults.ValidationProblem(
        _errors,
        detail: string.Join(" ", _errors.Values.SelectMany(m => m)),
        title: "Invalid request parameters");

    public static string Echo(string text) => text.Length <= MaxEcho ? text : string.Concat(text.AsSpan(0, MaxEcho), "…");

    private static bool IsAll([NotNullWhen(false)] string? text) => string.IsNullOrWhiteSpace(text) || text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>26DEC25</c>, Bybit's <c>6JAN26</c>, ISO <c>2026-01-06</c>, or <c>all</c>/absent (null).</summary>
    public DateOnly? Expiry(string? text, string parameter = "expiry")
    {
        if (IsAll(text))
            return null;
        var trimmed = text.AsSpan().Trim();
        if (OptionSymbol.TryParseExpiry(trimmed, out var date)
            || DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
            return date;
        Add(parameter, $"'{Echo(text)}' is not an expiry. Use the 26DEC25 form (6JAN26 works too), an ISO date like 2025-12-26, or all.");
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

    /// <summary>A non-negative decimal number (<c>17500</c>, <c>0.2</c>); <c>all</c>/absent = null when allowed.</summary>
    public decimal? Strike(string? text, string parameter = "strike")
    {
        if (IsAll(text))
            return null;
        if (text.Length <= 32
            && decimal.TryParse(text.AsSpan().Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var strike))
            return strike;
        Add(parameter, $"'{Echo(text)}' is not a strike. Use a number such as 17500 or 0.25, or all.");
        return null;
    }

    /// <summary>A finite number at least <paramref name="min"/>; absent = null.</summary>
    public double? Number(string? text, string parameter, double min = 0)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (text.Length <= 32
            && double.TryParse(text.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && double.IsFinite(value) && value >= min)
            return value;
        Add(parameter, $"'{Echo(text)}' is not accepted. Use a number of at least {min.ToString(CultureInfo.InvariantCulture)}.");
        return null;
    }

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

    /// <summary>A comma list of field names, in the order to write them; absent = every field.</summary>
    public OptionField[] Fields(string? text, string parameter = "fields")
    {
        if (string.IsNullOrWhiteSpace(text))
            return OptionFields.All;
        var fields = new List<OptionField>();
        foreach (var range in text.AsSpan().Split(','))
        {
            var name = text.AsSpan()[range].Trim();
            if (name.IsEmpty)
                continue;
            if (!OptionFields.TryParse(name, out var field))
            {
                Add(parameter, $"'{Echo(name.ToString())}' is not a field. Use a comma list of {OptionFields.AcceptedNames}.");
                return OptionFields.All;
            }
            if (!fields.Contains(field))
                fields.Add(field);
        }
        return fields.Count == 0 ? OptionFields.All : [.. fields];
    }
}
