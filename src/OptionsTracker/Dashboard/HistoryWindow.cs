using System.Globalization;
using OptionsTracker.History;

namespace OptionsTracker.Dashboard;

/// <summary>
/// A span of the history a chart shows, back from its end (now, or the moment the time control chose): the last day,
/// week, month, or all that is recorded; and the bucket its points are drawn at, so a chart holds a few hundred points
/// whatever the span (a month at the recording's minute would be 43,200, more than a screen has pixels).
/// </summary>
public sealed record HistoryWindow(string Key, string Label, string Words, TimeSpan? Span)
{
    public static IReadOnlyList<HistoryWindow> All { get; } =
    [
        new("1d", "1D", "the last day", TimeSpan.FromDays(1)),
        new("1w", "1W", "the last week", TimeSpan.FromDays(7)),
        new("1m", "1M", "the last month", TimeSpan.FromDays(30)),
        new("all", "All", "all that is recorded", null),
    ];

    public static HistoryWindow Default => All[0];

    /// <summary>About this many points per chart: a line a person can read on a phone and a laptop.</summary>
    public const int TargetPoints = 360;

    /// <summary>Steps a bucket may take: round numbers a reader recognises on a time axis.</summary>
    private static readonly TimeSpan[] Steps =
    [
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15),
        TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4),
        TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromDays(1), TimeSpan.FromDays(2), TimeSpan.FromDays(7),
    ];

    public static HistoryWindow Find(string? key) => All.FirstOrDefault(w => w.Key == key) ?? Default;

    /// <summary>
    /// Where the window starts for a chart ending at <paramref name="end"/>: its span back, but never before the first
    /// snapshot (a day asked of an hour's history is that hour, drawn at the hour's resolution).
    /// </summary>
    public DateTimeOffset From(DateTimeOffset end, RecordedRange range)
    {
        var from = Span is { } span ? end - span : range.First;
        return from < range.First ? range.First : from;
    }

    /// <summary>
    /// The bucket for a span: the smallest round step that gives at most <see cref="TargetPoints"/> points, and never
    /// finer than the recording (<paramref name="recording"/>), which has nothing between its snapshots.
    /// </summary>
    public static TimeSpan Bucket(TimeSpan span, TimeSpan recording)
    {
        var wanted = span / TargetPoints;
        foreach (var step in Steps)
        {
            if (step >= wanted && step >= recording)
                return step;
        }
        return Steps[^1];
    }

    /// <summary>A bucket in words: "1 s", "5 min", "4 h", "1 d".</summary>
    public static string StepWords(TimeSpan step) => step switch
    {
        { TotalDays: >= 1 } => step.TotalDays.ToString("0", CultureInfo.InvariantCulture) + " d",
        { TotalHours: >= 1 } => step.TotalHours.ToString("0", CultureInfo.InvariantCulture) + " h",
        { TotalMinutes: >= 1 } => step.TotalMinutes.ToString("0", CultureInfo.InvariantCulture) + " min",
        _ => step.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s",
    };

    /// <summary>A point's time on a chart's x axis: UTC, as Plotly reads a date without a zone (drawn as written).</summary>
    public static string AxisTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
