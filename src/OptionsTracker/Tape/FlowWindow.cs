using System.Globalization;
using System.Text.RegularExpressions;

namespace OptionsTracker.Tape;

/// <summary>
/// The span of trades a flow answer covers, [<see cref="From"/>, <see cref="To"/>] (both inclusive, to the millisecond):
/// <c>day</c> since the last 08:00 UTC (Bybit's trading day starts then: its daily options expire and its 24 h figures
/// roll at 08:00 UTC), or the last <c>15m</c>, <c>1h</c>, <c>4h</c>, <c>24h</c>, <c>7d</c> (any count of m, h, d or w
/// from 1 minute to <see cref="Longest"/>).
/// </summary>
public readonly partial record struct FlowWindow(string Name, DateTimeOffset From, DateTimeOffset To)
{
    public const string DayName = "day";

    /// <summary>The longest window: a week of a busy coin's trades is read from the history in a few pages.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(7);

    /// <summary>What <c>window=</c> accepts, for error messages and the API description.</summary>
    public const string Accepted = "day (since the last 08:00 UTC, the default), or a span such as 15m, 1h, 4h, 24h or 7d (m, h, d or w; 1m to 7d)";

    [GeneratedRegex(@"^(\d{1,5})([mhdw])$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SpanPattern();

    /// <summary>The span covered.</summary>
    public TimeSpan Span => To - From;

    /// <summary>The last 08:00 UTC at or before <paramref name="now"/>.</summary>
    public static DateTimeOffset DayStart(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        var start = new DateTimeOffset(utc.Year, utc.Month, utc.Day, 8, 0, 0, TimeSpan.Zero);
        return start <= utc ? start : start.AddDays(-1);
    }

    /// <summary>Since the last 08:00 UTC.</summary>
    public static FlowWindow Day(DateTimeOffset now) => new(DayName, DayStart(now), now);

    /// <summary>The last <paramref name="span"/> before <paramref name="now"/>.</summary>
    public static FlowWindow Last(TimeSpan span, DateTimeOffset now) => new(Format(span), now - span, now);

    /// <summary>
    /// Reads <c>window=</c>: absent, <c>day</c> or <c>today</c> for <see cref="Day"/>, else a count and a unit; on
    /// failure <paramref name="error"/> says what was sent and what is accepted.
    /// </summary>
    public static bool TryParse(string? text, DateTimeOffset now, out FlowWindow window, out string error)
    {
        error = "";
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0 || trimmed.Equals(DayName, StringComparison.OrdinalIgnoreCase) || trimmed.Equals("today", StringComparison.OrdinalIgnoreCase))
        {
            window = Day(now);
            return true;
        }
        if (SpanPattern().Match(trimmed) is { Success: true } match)
        {
            var count = int.Parse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
            var span = char.ToLowerInvariant(match.Groups[2].Value[0]) switch
            {
                'm' => TimeSpan.FromMinutes(count),
                'h' => TimeSpan.FromHours(count),
                'd' => TimeSpan.FromDays(count),
                _ => TimeSpan.FromDays(7.0 * count),
            };
            if (span > TimeSpan.Zero && span <= Longest)
            {
                window = new FlowWindow($"{count}{char.ToLowerInvariant(match.Groups[2].Value[0])}", now - span, now);
                return true;
            }
        }
        window = default;
        var echo = trimmed.Length <= 40 ? trimmed : string.Concat(trimmed.AsSpan(0, 40), "…");
        error = $"'{echo}' is not a window. Use {Accepted}.";
        return false;
    }

    private static string Format(TimeSpan span) =>
        span.Ticks % TimeSpan.TicksPerDay == 0 ? $"{span.Ticks / TimeSpan.TicksPerDay}d"
        : span.Ticks % TimeSpan.TicksPerHour == 0 ? $"{span.Ticks / TimeSpan.TicksPerHour}h"
        : $"{(long)Math.Ceiling(span.TotalMinutes)}m";
}
