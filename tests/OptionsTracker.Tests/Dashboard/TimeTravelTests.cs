using OptionsTracker.Dashboard;
using OptionsTracker.History;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>The time control's arithmetic and the history charts' buckets (issue 16), without a browser.</summary>
public sealed class TimeTravelTests
{
    private static readonly DateTimeOffset First = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_address_carries_an_instant_in_utc_to_the_millisecond_and_reads_it_back()
    {
        var at = First.AddMilliseconds(120);
        Assert.Equal("2026-12-01T10:00:00.120Z", TimeTravel.Format(at));
        Assert.Equal("2026-12-01T10:00:00Z", TimeTravel.Format(First));
        Assert.True(TimeTravel.TryParse(TimeTravel.Format(at), out var back));
        Assert.Equal(at, back);
        // Another zone is the same instant; no zone (the picker's value) is UTC.
        Assert.True(TimeTravel.TryParse("2026-12-01T11:00:00+01:00", out var zoned));
        Assert.Equal(First, zoned);
        Assert.True(TimeTravel.TryParse(TimeTravel.PickerValue(First), out var picked));
        Assert.Equal(First, picked);
        Assert.Equal(TimeSpan.Zero, picked.Offset);
        Assert.False(TimeTravel.TryParse("yesterday", out _));
        Assert.False(TimeTravel.TryParse("", out _));
    }

    [Fact]
    public void Slider_steps_are_snapshots_its_ends_are_the_first_and_last_and_a_late_snapshot_is_still_its_position()
    {
        var interval = TimeSpan.FromMinutes(1);
        // 10 snapshots over 9 min 0.4 s: the last is reachable although the span is not a whole number of steps.
        var range = new RecordedRange(First, First.AddMinutes(9).AddMilliseconds(400), 10);
        var max = TimeTravel.SliderMax(range, interval);
        Assert.Equal(600, max);
        Assert.Equal(range.Last, TimeTravel.SliderMoment(range, interval, max));
        Assert.Equal(range.First, TimeTravel.SliderMoment(range, interval, 0));
        // Live rests at the end; a moment sits at its step.
        Assert.Equal(max, TimeTravel.SliderValue(range, interval, null));
        Assert.Equal(180, TimeTravel.SliderValue(range, interval, First.AddMinutes(3).AddSeconds(2)));
        // Position 3 min asks for up to half a step later, so the snapshot taken at 3 min 2 s is found "at or before".
        var moment = TimeTravel.SliderMoment(range, interval, 180);
        Assert.InRange(moment, First.AddMinutes(3).AddSeconds(2), First.AddMinutes(4).AddTicks(-1));
        // Out of the range: clamped.
        Assert.Equal(0, TimeTravel.SliderValue(range, interval, First.AddDays(-1)));
        Assert.Equal(max, TimeTravel.SliderValue(range, interval, First.AddDays(1)));
        // A sub-second recording steps by a second, the slider's finest step.
        Assert.Equal(1, TimeTravel.StepSeconds(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public void A_chart_holds_a_few_hundred_points_whatever_its_span_and_never_finer_than_the_recording()
    {
        var minute = TimeSpan.FromMinutes(1);
        foreach (var window in HistoryWindow.All.Where(w => w.Span is not null))
        {
            var bucket = HistoryWindow.Bucket(window.Span!.Value, minute);
            var points = window.Span.Value / bucket;
            TestContext.Current.TestOutputHelper?.WriteLine($"{window.Label}: one point per {HistoryWindow.StepWords(bucket)}, {points:0} points");
            Assert.InRange(points, 1, HistoryWindow.TargetPoints);
            Assert.True(bucket >= minute);
        }
        Assert.Equal(TimeSpan.FromMinutes(5), HistoryWindow.Bucket(TimeSpan.FromDays(1), minute));
        // An hour's history asked for a day is drawn at the hour's resolution: the recording's interval.
        Assert.Equal(minute, HistoryWindow.Bucket(TimeSpan.FromHours(1), minute));
        Assert.Equal(TimeSpan.FromSeconds(1), HistoryWindow.Bucket(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1)));
        // A day never starts before the first snapshot.
        var range = new RecordedRange(First, First.AddHours(1), 61);
        Assert.Equal(First, HistoryWindow.Find("1d").From(range.Last, range));
        Assert.Equal(range.Last.AddDays(2), HistoryWindow.Find("1d").From(range.Last.AddDays(3), range));
        Assert.Equal(First, HistoryWindow.Find("all").From(range.Last.AddDays(3), range));
        Assert.Equal(HistoryWindow.Default, HistoryWindow.Find("nonsense"));
    }

    [Fact]
    public void Iv_rank_reads_in_whole_percent_with_the_days_it_covers()
    {
        var rank = new IvRank(0.4549, 0.6, 12.7, 13);
        Assert.Equal("IVR 45 · IVP 60 · 12 d", IvRankText.Brief(rank));
        Assert.Contains("over the 12 d recorded (13 daily values", IvRankText.Title(rank, 30), StringComparison.Ordinal);
        Assert.Equal("IVR – · IVP 0 · <1 d", IvRankText.Brief(new IvRank(null, 0, 0.3, 1)));
    }
}
