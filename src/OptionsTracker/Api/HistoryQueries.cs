using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;

namespace OptionsTracker.Api;

/// <summary><c>at</c>: the instant a time-travel answer is of (docs/history.md, "Reading").</summary>
public sealed class AtQuery
{
    [FromQuery(Name = "at"), Description("An ISO 8601 instant with Z or an offset, e.g. 2026-12-01T09:30:00Z or 2026-12-01T10:30:00%2B01:00: the board as recorded at or before it (as_of says which snapshot). Absent: live.")]
    public string? At { get; init; }
}

/// <summary>
/// The history's query parameters, parsed like the rest of the API (<see cref="QueryErrors"/>): a bad value is a 400
/// naming the parameter and what is accepted.
/// </summary>
internal static partial class HistoryQueries
{
    /// <summary>The buckets a series may have at most, and a raw series' snapshots.</summary>
    public const int MaxPoints = 100_000;

    /// <summary>The buckets an automatic interval aims at: a chart's width of points.</summary>
    public const int AutoPoints = 1_500;

    /// <summary>The longest range a series may cover.</summary>
    public static readonly TimeSpan MaxSeriesRange = TimeSpan.FromDays(3650);

    /// <summary>The steps of an automatic interval, smallest first.</summary>
    private static readonly TimeSpan[] AutoSteps =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4), TimeSpan.FromHours(6), TimeSpan.FromHours(12),
        TimeSpan.FromDays(1), TimeSpan.FromDays(7),
    ];

    // An instant must say its offset: without one, 10:00 is a different moment on every machine that reads it.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|z|[+-]\d{2}:?\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex InstantPattern();

    [GeneratedRegex(@"^(\d{1,7})(s|m|h|d|w)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex IntervalPattern();

    /// <summary>
    /// An ISO 8601 instant with <c>Z</c> or an offset (<c>2026-12-01T09:30:00Z</c>, <c>…+01:00</c>), to the millisecond
    /// (history keeps milliseconds); absent = null. A space before the offset is read as the <c>+</c> a query string
    /// turns into one when it is not encoded as <c>%2B</c>.
    /// </summary>
    public static DateTimeOffset? Instant(this QueryErrors errors, string? text, string parameter)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var trimmed = text.Trim();
        if (trimmed.Length is > 19 and <= 40 && trimmed[^6] == ' ')
            trimmed = string.Concat(trimmed.AsSpan(0, trimmed.Length - 6), "+", trimmed.AsSpan(trimmed.Length - 5));
        if (trimmed.Length <= 40 && InstantPattern().IsMatch(trimmed)
            && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            var ms = instant.ToUnixTimeMilliseconds();
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
        errors.Add(parameter, $"'{QueryErrors.Echo(text)}' is not an instant. Use ISO 8601 with Z or an offset, e.g. 2026-12-01T09:30:00Z or 2026-12-01T10:30:00+01:00 (encode + as %2B); an instant without an offset is ambiguous and refused.");
        return null;
    }

    /// <summary>
    /// A range [from, to]: <c>to</c> defaults to <paramref name="now"/>, <c>from</c> to <c>to</c> − <paramref name="defaultSpan"/>;
    /// from after to, or a range longer than <paramref name="maxSpan"/>, is named.
    /// </summary>
    public static (DateTimeOffset From, DateTimeOffset To) Range(this QueryErrors errors, string? fromText, string? toText, DateTimeOffset now,
        TimeSpan defaultSpan, TimeSpan maxSpan)
    {
        var to = errors.Instant(toText, "to") ?? now;
        var from = errors.Instant(fromText, "from") ?? to - defaultSpan;
        if (errors.HasErrors)
            return (from, to);
        if (from > to)
            errors.Add("from", $"{Format(from)} is after to ({Format(to)}). Use a from at or before to.");
        else if (to - from > maxSpan)
            errors.Add("from", $"The range {Format(from)} to {Format(to)} is {(to - from).TotalDays.ToString("0.##", CultureInfo.InvariantCulture)} days; at most {maxSpan.TotalDays.ToString(CultureInfo.InvariantCulture)} days per request. Ask for the rest in further requests.");
        return (from, to);
    }

    /// <summary>
    /// A bucket width: <c>30s</c>, <c>1m</c>, <c>15m</c>, <c>1h</c>, <c>1d</c>, <c>1w</c>; <c>raw</c> = every snapshot
    /// (<see cref="TimeSpan.Zero"/>); absent or <c>auto</c> = the smallest step of 1s, 5s, 15s, 30s, 1m, 5m, 15m, 30m,
    /// 1h, 2h, 4h, 6h, 12h, 1d, 1w giving at most <see cref="AutoPoints"/>
    /// buckets. At most <see cref="MaxPoints"/> buckets (or, raw, snapshots at <paramref name="recording"/>).
    /// </summary>
    public static TimeSpan Interval(this QueryErrors errors, string? text, DateTimeOffset from, DateTimeOffset to, TimeSpan recording)
    {
        var span = to - from;
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            // Not tied to the recording interval: it may have changed, and finer history than it is worth showing.
            foreach (var step in AutoSteps)
            {
                if (span / step <= AutoPoints)
                    return step;
            }
            return AutoSteps[^1];
        }
        var trimmed = text.Trim();
        TimeSpan interval;
        if (trimmed.Equals("raw", StringComparison.OrdinalIgnoreCase))
        {
            interval = TimeSpan.Zero;
        }
        else if (IntervalPattern().Match(trimmed) is { Success: true } match)
        {
            var count = int.Parse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
            interval = char.ToLowerInvariant(match.Groups[2].Value[0]) switch
            {
                's' => TimeSpan.FromSeconds(count),
                'm' => TimeSpan.FromMinutes(count),
                'h' => TimeSpan.FromHours(count),
                'd' => TimeSpan.FromDays(count),
                _ => TimeSpan.FromDays(7.0 * count),
            };
            if (interval <= TimeSpan.Zero || interval > TimeSpan.FromDays(3650))
            {
                errors.Add("interval", $"'{QueryErrors.Echo(text)}' is not accepted. Use a width from 1s to 3650d, raw or auto.");
                return TimeSpan.Zero;
            }
        }
        else
        {
            errors.Add("interval", $"'{QueryErrors.Echo(text)}' is not an interval. Use a number and a unit (30s, 1m, 15m, 1h, 1d, 1w), raw (every snapshot) or auto (default).");
            return TimeSpan.Zero;
        }
        var width = interval == TimeSpan.Zero ? recording : interval;
        if (span / width > MaxPoints)
        {
            var smallest = TimeSpan.FromSeconds(Math.Ceiling(span.TotalSeconds / MaxPoints));
            errors.Add("interval", $"'{QueryErrors.Echo(text)}' gives more than {MaxPoints} points over {FormatSpan(span)}. Use {Format(smallest)} or wider, or a shorter range.");
        }
        return interval;
    }

    /// <summary>An interval as the parameter takes it: <c>raw</c>, <c>90s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>.</summary>
    public static string Format(TimeSpan interval) =>
        interval == TimeSpan.Zero ? "raw"
        : interval.Ticks % TimeSpan.TicksPerDay == 0 ? $"{interval.Ticks / TimeSpan.TicksPerDay}d"
        : interval.Ticks % TimeSpan.TicksPerHour == 0 ? $"{interval.Ticks / TimeSpan.TicksPerHour}h"
        : interval.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{interval.Ticks / TimeSpan.TicksPerMinute}m"
        : $"{(long)Math.Ceiling(interval.TotalSeconds)}s";

    public static string Format(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFF'Z'", CultureInfo.InvariantCulture);

    private static string FormatSpan(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays.ToString("0.##", CultureInfo.InvariantCulture)} days" : $"{span.TotalHours.ToString("0.##", CultureInfo.InvariantCulture)} hours";
}
