using OptionsTracker.Book;
using OptionsTracker.History;

namespace OptionsTracker.Tests.History;

/// <summary>
/// How an export is cut (<see cref="ExportSpans"/>) and how blocks are cut by period (<see cref="QuoteBlockBuilder"/>):
/// hours of one day together while they hold at most 64 snapshots, never across a day; an hour holding more cut by its
/// snapshot times; a day's blocks one per option and day.
/// </summary>
public sealed class ExportSpansTests
{
    private const long Hour = QuoteBlockBuilder.HourMs;
    private static readonly long Day0 = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static async Task<List<(long, long)>> SplitAsync(IReadOnlyList<(long, long)> hours, long from, long to, Func<long, long, List<long>>? times = null)
    {
        var spans = new List<(long, long)>();
        await foreach (var span in ExportSpans.SplitAsync(hours, from, to, (first, last) => Task.FromResult(times!(first, last))))
            spans.Add(span);
        return spans;
    }

    [Fact]
    public async Task A_thinned_day_is_one_span_and_a_day_never_shares_one_with_the_next()
    {
        // Two days of one snapshot an hour (a thinned history), read from 00:30 of the first to 05:00 of the second.
        var hours = Enumerable.Range(0, 48).Select(h => (Day0 + h * Hour, 1L)).ToList();
        var spans = await SplitAsync(hours, Day0 + Hour / 2, Day0 + 29 * Hour);
        Assert.Equal([(Day0 + Hour / 2, Day0 + 24 * Hour - 1), (Day0 + 24 * Hour, Day0 + 29 * Hour)], spans);
    }

    [Fact]
    public async Task Hours_share_a_span_while_they_hold_at_most_64_snapshots()
    {
        // 00:00 and 01:00 with 30 snapshots each, 02:00 with 10, 03:00 with 60 (1 minute), 05:00 with 4.
        List<(long, long)> hours = [(Day0, 30), (Day0 + Hour, 30), (Day0 + 2 * Hour, 10), (Day0 + 3 * Hour, 60), (Day0 + 5 * Hour, 4)];
        var spans = await SplitAsync(hours, Day0, Day0 + 6 * Hour);
        Assert.Equal([(Day0, Day0 + 2 * Hour - 1), (Day0 + 2 * Hour, Day0 + 3 * Hour - 1), (Day0 + 3 * Hour, Day0 + 6 * Hour - 1)], spans);
    }

    [Fact]
    public async Task An_hour_of_more_than_64_snapshots_is_cut_by_its_times_and_closes_the_span_before_it()
    {
        // 00:00 with 2 snapshots, then 01:00 at 1 second (3,600).
        List<(long, long)> hours = [(Day0, 2), (Day0 + Hour, 3600)];
        var seconds = Enumerable.Range(0, 3600).Select(s => Day0 + Hour + s * 1000L).ToList();
        var spans = await SplitAsync(hours, Day0, Day0 + 2 * Hour - 1, (first, last) => seconds.Where(t => t >= first && t <= last).ToList());
        Assert.Equal((Day0, Day0 + Hour - 1), spans[0]);
        Assert.Equal(1 + (3600 + 63) / 64, spans.Count);
        Assert.Equal((Day0 + Hour, Day0 + Hour + 63_000), spans[1]);
        Assert.Equal((Day0 + Hour + 3584_000, Day0 + Hour + 3599_000), spans[^1]);
    }

    [Fact]
    public void A_day_period_cuts_one_block_per_option_and_day()
    {
        var builder = new QuoteBlockBuilder(QuoteBlockBuilder.DayMs);
        var quote = new OptionQuote { ExchangeTimeMs = Day0, ReceivedAtMs = Day0 + 5, Status = ListingStatus.Trading, DeliveryPrice = double.NaN };
        for (var field = 0; field < QuoteFields.Count; field++)
            quote.Values[field] = 1.5 + field;
        foreach (var instrument in (int[])[1, 2])
        {
            // 48 hours: two days.
            for (var h = 0; h < 48; h++)
                builder.Add(instrument, Day0 + h * Hour, quote);
        }
        var blocks = builder.Finish();
        Assert.Equal([(1, Day0, Day0 + 23 * Hour), (1, Day0 + 24 * Hour, Day0 + 47 * Hour), (2, Day0, Day0 + 23 * Hour), (2, Day0 + 24 * Hour, Day0 + 47 * Hour)],
            blocks.Select(b => (b.Instrument, b.FirstMs, b.LastMs)));
        Assert.All(blocks, b => Assert.Equal(24, new DecodedBlock(b.Bytes).Count));
    }
}
