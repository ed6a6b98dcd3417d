namespace OptionsTracker.Tape;

/// <summary>
/// The flow of a coin over a <see cref="FlowWindow"/>: the tape's trades of the window, and when the window reaches
/// back before the oldest trade the tape holds, the history's (<see cref="IFlowHistory"/>) before it, added up by one
/// <see cref="FlowBuilder"/>. The answer says from when its figures are complete (<see cref="FlowReport.CompleteFrom"/>):
/// the window's start when the tape, or the history, holds a trade at or before it (so nothing after it is missing);
/// else the oldest trade either holds (nothing is known before it). Used by <c>/api/flow</c> and the dashboard alike.
/// Thread-safe.
/// </summary>
public sealed class FlowReader(TradeTape tape, TimeProvider time, ILogger<FlowReader> logger, IFlowHistory? history = null)
{
    /// <summary>Trades read from the history per page: aggregated as they come, so memory stays bounded whatever the window.</summary>
    internal const int HistoryPage = 20_000;

    /// <summary>
    /// The coin's flow over the window named by <paramref name="window"/> (see <see cref="FlowWindow.TryParse"/>), ending
    /// now: every venue's trades, or <paramref name="venue"/>'s only.
    /// </summary>
    public Task<FlowReport> ReadAsync(string coin, FlowWindow window, int largest = FlowBuilder.DefaultLargest,
        Book.Venue? venue = null, CancellationToken cancellationToken = default) =>
        ReadCoreAsync(coin, window, largest, venue, cancellationToken);

    /// <summary>The coin's flow since the last 08:00 UTC.</summary>
    public Task<FlowReport> ReadDayAsync(string coin, int largest = FlowBuilder.DefaultLargest, CancellationToken cancellationToken = default) =>
        ReadCoreAsync(coin, FlowWindow.Day(time.GetUtcNow()), largest, venue: null, cancellationToken);

    private async Task<FlowReport> ReadCoreAsync(string coin, FlowWindow window, int largest, Book.Venue? venue, CancellationToken cancellationToken)
    {
        var fromMs = window.From.ToUnixTimeMilliseconds();
        var toMs = window.To.ToUnixTimeMilliseconds();
        var builder = new FlowBuilder(largest);

        // One pass over the ring under its lock: the filter sees every trade held, newest first, so the last one it sees
        // is the oldest held (the tape's memory starts there, for every venue: one ring per coin).
        Trade? oldest = null;
        var inWindow = tape.Newest(coin, int.MaxValue, trade =>
        {
            oldest = trade;
            return trade.TimeMs >= fromMs && trade.TimeMs <= toMs && trade.IsOn(venue);
        });
        builder.AddRange(inWindow);
        var tapeTrades = inWindow.Count;

        if (oldest is not null && oldest.TimeMs <= fromMs)
            return new FlowReport(coin, window, window.From, tapeTrades, 0, false, builder.Build());

        // The tape begins inside the window (or holds nothing): the rest, if anywhere, is in the history.
        var completeFrom = oldest?.Time ?? window.To;
        if (history is not { IsAvailable: true })
            return new FlowReport(coin, window, completeFrom, tapeTrades, 0, false, builder.Build());

        // The history's part ends where the tape's begins: at its first millisecond, the trades the tape does not hold
        // (the ring may have forgotten some of that millisecond's trades and kept others).
        var historyToMs = oldest is null ? toMs : Math.Min(oldest.TimeMs, toMs);
        var onTapeAtEnd = inWindow.Where(t => t.TimeMs == historyToMs).Select(t => (t.Venue, t.Id)).ToHashSet();
        var historyTrades = 0;
        try
        {
            DateTimeOffset? historyOldest = null;
            var pageFrom = window.From;
            var readAtPageStart = new HashSet<(Book.Venue, string)>();
            var stopped = false;
            while (true)
            {
                var page = await history.TradesAsync(coin, pageFrom, DateTimeOffset.FromUnixTimeMilliseconds(historyToMs), HistoryPage, cancellationToken);
                foreach (var trade in page)
                {
                    if (trade.TimeMs < fromMs || trade.TimeMs > historyToMs || readAtPageStart.Contains((trade.Venue, trade.Id))
                        || !trade.IsOn(venue)
                        || trade.TimeMs == historyToMs && onTapeAtEnd.Contains((trade.Venue, trade.Id)))
                        continue;
                    historyOldest ??= trade.Time;
                    builder.Add(trade);
                    historyTrades++;
                }
                if (page.Count < HistoryPage)
                    break;
                // The next page starts at the last trade's millisecond (several trades may share it): skip those read.
                var lastMs = page[^1].TimeMs;
                if (page[0].TimeMs == lastMs)
                {
                    Log.FlowHistoryPageFull(logger, coin, HistoryPage, page[0].Time);
                    stopped = true;
                    break;
                }
                readAtPageStart = [.. page.Where(t => t.TimeMs == lastMs).Select(t => (t.Venue, t.Id))];
                pageFrom = DateTimeOffset.FromUnixTimeMilliseconds(lastMs);
            }

            // Recording began before the window when the history holds a trade at or before its start.
            if (!stopped)
            {
                var before = await history.TradesAsync(coin, DateTimeOffset.UnixEpoch, window.From, 1, cancellationToken);
                if (before.Count > 0)
                    completeFrom = window.From;
                else if (historyOldest is { } first && first < completeFrom)
                    completeFrom = first;
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The tape still answers; the report says the history could not be read and how far the figures reach.
            Log.FlowHistoryFailed(logger, exception, coin);
            return new FlowReport(coin, window, oldest?.Time ?? window.To, tapeTrades, 0, true, new FlowBuilder(largest).AddAll(inWindow).Build());
        }
        return new FlowReport(coin, window, completeFrom, tapeTrades, historyTrades, false, builder.Build());
    }
}

/// <summary>
/// A coin's flow over a window: the figures, how many trades came from the tape and from the history, and from when
/// the figures hold every trade (<see cref="CompleteFrom"/>; <see cref="Complete"/> when that is the window's start).
/// </summary>
public sealed record FlowReport(
    string Asset,
    FlowWindow Window,
    DateTimeOffset CompleteFrom,
    int TapeTrades,
    int HistoryTrades,
    bool HistoryUnavailable,
    FlowFigureSet Figures)
{
    public bool Complete => CompleteFrom <= Window.From;
}
