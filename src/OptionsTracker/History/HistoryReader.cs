using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.History;

/// <summary>
/// The past as the present's readers see it: <see cref="ViewAsync"/> turns the snapshot recorded at or before an instant
/// into a book of its own and that book's analytics, so the API's <c>at=</c> and the dashboard's time control serve the
/// past with the code that serves the present (one definition of every figure).
/// </summary>
public sealed class HistoryReader(IHistoryStore store)
{
    public IHistoryStore Store => store;

    /// <summary>The coin's board at <paramref name="at"/> (the last snapshot at or before it); null when none was recorded by then.</summary>
    public async Task<HistoricalView?> ViewAsync(string coin, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var board = await store.BoardAtAsync(coin, at, cancellationToken);
        return board is null ? null : await ViewOfAsync(board, cancellationToken);
    }

    /// <summary>The view of a board already read (the API's cache reads the board first, to learn its time).</summary>
    public async Task<HistoricalView> ViewOfAsync(HistoricalBoard board, CancellationToken cancellationToken)
    {
        var coin = board.Coin;
        var book = board.ToBook(new FrozenClock(board.AsOf));
        var realised = new RealisedVolatility();
        var points = new List<RealisedVolatilityPoint>();
        foreach (var days in TermStructure.Tenors)
        {
            // Bybit's figures are hourly: the latest within a day before the snapshot is the one a live reader had.
            var recorded = await store.RealisedVolatilityAsync(coin, days, board.AsOf.AddDays(-1), board.AsOf, cancellationToken);
            if (recorded.Count > 0)
                points.Add(recorded[^1]);
        }
        realised.Set(board.Coin, points);
        return new HistoricalView(board, book, realised);
    }

    /// <summary>A clock stopped at the snapshot's time: days to expiry, ages and "now" are those of that moment.</summary>
    private sealed class FrozenClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

/// <summary>One coin's recorded board as a book, with its analytics computed on first use.</summary>
public sealed class HistoricalView(HistoricalBoard board, OptionBook book, RealisedVolatility realised)
{
    private CoinAnalytics? _analytics;

    public string Coin => board.Coin;

    /// <summary>The time of the snapshot used: the answer's <c>as_of</c>.</summary>
    public DateTimeOffset AsOf => board.AsOf;

    public HistoricalBoard Board => board;

    /// <summary>A book holding only this board; its clock reads <see cref="AsOf"/>.</summary>
    public OptionBook Book => book;

    /// <summary>The realised volatility recorded by then (the latest point per tenor within a day before it).</summary>
    public RealisedVolatility Realised => realised;

    /// <summary>The coin's analytics at <see cref="AsOf"/>, from this board; null when it held no option of the coin.</summary>
    public CoinAnalytics? Analytics
    {
        get
        {
            if (_analytics is null && book.Index.TryGetCoin(board.Coin, out var coin))
                Interlocked.CompareExchange(ref _analytics, CoinAnalytics.Build(coin, book.Sequence, AsOf, realised), null);
            return _analytics;
        }
    }

    // A venue's own figures of this board, computed on first request (one per venue).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Venue, CoinAnalytics?> _byVenue = new();

    /// <summary>The analytics of <paramref name="venue"/>'s options on this board (null: every venue combined, <see cref="Analytics"/>).</summary>
    public CoinAnalytics? AnalyticsOf(Venue? venue) => venue is not { } one
        ? Analytics
        : _byVenue.GetOrAdd(one, v => book.Index.TryGetCoin(board.Coin, out var coin)
            ? CoinAnalytics.Build(coin, v, book.Sequence, AsOf, realised)
            : null);
}
