using System.Globalization;
using OptionsTracker.History;

namespace OptionsTracker.Dashboard;

/// <summary>
/// The time control's arithmetic (issue 16): the address's <c>at</c>, and the slider over a coin's recorded range. The
/// slider counts seconds from the first snapshot in steps of the recording interval, so an arrow key moves one
/// snapshot and its last position is the last snapshot; a position asks for the snapshot at or before the middle of its
/// step, so a snapshot taken a little after its nominal time is still the one its position names.
/// </summary>
public static class TimeTravel
{
    /// <summary>The address parameter: an ISO 8601 instant (UTC), e.g. <c>at=2026-12-01T16:45:03.120Z</c>.</summary>
    public const string Parameter = "at";

    /// <summary>An instant as the address carries it: UTC, milliseconds only when it has some.</summary>
    public static string Format(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return utc.Millisecond == 0
            ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Reads the address's instant: ISO 8601 with a zone, or without one read as UTC (the picker's value is UTC); whole
    /// milliseconds, as the history keeps them. False for anything else.
    /// </summary>
    public static bool TryParse(string? text, out DateTimeOffset at)
    {
        at = default;
        if (string.IsNullOrWhiteSpace(text) ||
            !DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            return false;
        at = DateTimeOffset.FromUnixTimeMilliseconds(parsed.ToUnixTimeMilliseconds());
        return true;
    }

    /// <summary>A moment as the page writes it: <c>2026-12-01 16:45:03 UTC</c>.</summary>
    public static string Moment(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>The value of a <c>datetime-local</c> picker holding <paramref name="at"/> (UTC, to the second).</summary>
    public static string PickerValue(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The slider's step in seconds: the recording interval (whole seconds; at least one).</summary>
    public static long StepSeconds(TimeSpan interval) => Math.Max(1, (long)Math.Round(interval.TotalSeconds));

    /// <summary>The slider's last position: the recorded span rounded up to whole steps, so the last snapshot is reachable.</summary>
    public static long SliderMax(RecordedRange range, TimeSpan interval)
    {
        var step = StepSeconds(interval);
        var seconds = (long)Math.Ceiling((range.Last - range.First).TotalSeconds);
        return (seconds + step - 1) / step * step;
    }

    /// <summary>The slider's position for a moment (the last one while live), clamped to the recorded span.</summary>
    public static long SliderValue(RecordedRange range, TimeSpan interval, DateTimeOffset? at)
    {
        var max = SliderMax(range, interval);
        if (at is not { } moment)
            return max;
        var step = StepSeconds(interval);
        var steps = Math.Round((moment - range.First).TotalSeconds / step, MidpointRounding.AwayFromZero);
        return Math.Clamp((long)steps * step, 0, max);
    }

    /// <summary>
    /// The moment a slider position asks for: the first snapshot at 0, the last at the end, else the middle of the
    /// position's step (so the snapshot recorded for it, up to half a step late, is found by "at or before").
    /// </summary>
    public static DateTimeOffset SliderMoment(RecordedRange range, TimeSpan interval, long value)
    {
        if (value <= 0)
            return range.First;
        var step = StepSeconds(interval);
        var moment = range.First + TimeSpan.FromSeconds(value) + TimeSpan.FromSeconds(step / 2.0);
        return moment >= range.Last ? range.Last : DateTimeOffset.FromUnixTimeMilliseconds(moment.ToUnixTimeMilliseconds());
    }
}
