using OptionsTracker.Book;
using OptionsTracker.Diagnostics;
using Prometheus;

namespace OptionsTracker.Tape;

/// <summary>
/// What one venue's trade feed has counted since start (counters never go back) and holds now, as <c>/metrics</c> shows
/// it: each venue's feed keeps its own plain counters and hands them over when the metrics are scraped.
/// </summary>
/// <param name="ReceivedFromStream">Trades read from the venue's live trade messages.</param>
/// <param name="ReceivedFromRest">Trades read from the venue's REST backfills (most of them overlap what the tape has).</param>
/// <param name="Appended">Trades put on the tape.</param>
/// <param name="Duplicates">Trades dropped because they were queued or on the tape already.</param>
/// <param name="Gaps">Possible gaps: failed backfills, or a backfill window starting after the tape's newest trade.</param>
/// <param name="Malformed">Trade items that could not be read.</param>
/// <param name="BlockLegsWithId">Block trade legs put on the tape with their block id.</param>
/// <param name="BlockLegsWithoutId">Block trade legs put on the tape without one.</param>
/// <param name="Recoveries">Trade channel (re)subscriptions followed by a backfill.</param>
/// <param name="Held">Trades waiting in the feed now (a backfill being read, a block's RFQ message).</param>
/// <param name="FailingBackfills">Coins or currencies whose last backfill failed, recently.</param>
public readonly record struct TradeFeedCounts(
    long ReceivedFromStream,
    long ReceivedFromRest,
    long Appended,
    long Duplicates,
    long Gaps,
    long Malformed,
    long BlockLegsWithId,
    long BlockLegsWithoutId,
    long Recoveries,
    int Held,
    int FailingBackfills);

/// <summary>
/// The trade feeds' Prometheus metrics, defined once for every venue: each series carries the <c>venue</c> label
/// (<c>optionstracker_trades_appended_total{venue="deribit"}</c>), so a venue's feed is told apart and
/// <c>sum(…)</c> is every venue's. The names are those Bybit's feed had before a second venue (docs/tape.md).
/// </summary>
public static class TradeFeedMetrics
{
    /// <summary>
    /// Publishes <paramref name="venue"/>'s trade feed in <paramref name="metrics"/>: <paramref name="read"/> is called when
    /// <c>/metrics</c> is scraped (any thread), never on the feed's path.
    /// </summary>
    public static void Register(MetricsRegistry metrics, Venue venue, Func<TradeFeedCounts> read)
    {
        var factory = metrics.Factory;
        // Creating a metric that exists returns it: every venue's feed shares one family per name.
        var received = factory.CreateCounter("optionstracker_trades_received_total",
            "Option trades received, by venue and source (stream: the live trade messages, rest: the REST backfill).",
            new CounterConfiguration { LabelNames = ["venue", "source"] });
        var appended = factory.CreateCounter("optionstracker_trades_appended_total", "Trades the feed put on the tape, by venue.", ByVenue);
        var duplicates = factory.CreateCounter("optionstracker_trades_duplicates_total",
            "Trades received again (the stream twice, or the backfill repeating what the tape has) and dropped, by venue.", ByVenue);
        var gaps = factory.CreateCounter("optionstracker_trade_gaps_total",
            "Possible gaps in the tape, by venue: a backfill that failed, or a backfill window starting after the tape's newest trade.", ByVenue);
        var malformed = factory.CreateCounter("optionstracker_trades_malformed_total", "Trade items that could not be read and were skipped, by venue.", ByVenue);
        var blockLegs = factory.CreateCounter("optionstracker_block_trade_legs_total",
            "Block trade legs put on the tape, by venue and by whether they carry their block id (Bybit's from the RFQ stream, Deribit's in the trade).",
            new CounterConfiguration { LabelNames = ["venue", "block_id"] });
        var recoveries = factory.CreateCounter("optionstracker_trade_recoveries_total", "Trade channel (re)subscriptions followed by a REST backfill, by venue.", ByVenue);
        var held = factory.CreateGauge("optionstracker_trades_held", "Trades waiting in the feed (a backfill, a block's RFQ message) before the tape, by venue.",
            new GaugeConfiguration { LabelNames = ["venue"] });
        var failing = factory.CreateGauge("optionstracker_trade_backfills_failing",
            "Coins (Bybit) or currencies (Deribit) whose last trade backfill failed (within the last 15 minutes), by venue: their tape may miss trades made while the connection was down.",
            new GaugeConfiguration { LabelNames = ["venue"] });
        var id = venue.Id;
        var updateLock = new Lock();
        metrics.Registry.AddBeforeCollectCallback(() =>
        {
            var counts = read();
            lock (updateLock)
            {
                received.WithLabels(id, "stream").IncTo(counts.ReceivedFromStream);
                received.WithLabels(id, "rest").IncTo(counts.ReceivedFromRest);
                appended.WithLabels(id).IncTo(counts.Appended);
                duplicates.WithLabels(id).IncTo(counts.Duplicates);
                gaps.WithLabels(id).IncTo(counts.Gaps);
                malformed.WithLabels(id).IncTo(counts.Malformed);
                blockLegs.WithLabels(id, "known").IncTo(counts.BlockLegsWithId);
                blockLegs.WithLabels(id, "unknown").IncTo(counts.BlockLegsWithoutId);
                recoveries.WithLabels(id).IncTo(counts.Recoveries);
                held.WithLabels(id).Set(counts.Held);
                failing.WithLabels(id).Set(counts.FailingBackfills);
            }
        });
    }

    private static CounterConfiguration ByVenue => new() { LabelNames = ["venue"] };
}
