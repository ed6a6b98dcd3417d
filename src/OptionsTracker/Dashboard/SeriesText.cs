using OptionsTracker.History;

namespace OptionsTracker.Dashboard;

/// <summary>A recorded series in words, the text alternative of a history chart: where it starts and ends, its range.</summary>
public static class SeriesText
{
    /// <summary>"BTC 30 d ATM IV from 52.1% (2026-12-01 10:00:00 UTC) to 54.3% (… UTC), low 51.0%, high 55.2%", or "… none recorded".</summary>
    public static string Describe(string what, IReadOnlyList<SeriesPoint> points, int column, Func<double, string> format)
    {
        SeriesPoint? first = null, last = null;
        var low = double.PositiveInfinity;
        var high = double.NegativeInfinity;
        foreach (var point in points)
        {
            var value = point.Values[column];
            if (!double.IsFinite(value))
                continue;
            first ??= point;
            last = point;
            low = Math.Min(low, value);
            high = Math.Max(high, value);
        }
        if (first is not { } from || last is not { } to)
            return $"{what}: none recorded";
        return $"{what} from {format(from.Values[column])} ({TimeTravel.Moment(from.Time)}) to {format(to.Values[column])} ({TimeTravel.Moment(to.Time)}), low {format(low)}, high {format(high)}";
    }

    /// <summary>The chart's frame: what span, how many points, one per what bucket.</summary>
    public static string Frame(HistoryWindow window, int points, TimeSpan bucket) =>
        $"over {window.Words} ({points} points, one per {HistoryWindow.StepWords(bucket)})";
}
