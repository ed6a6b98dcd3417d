using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Measures;

namespace OptionsTracker.Api;

/// <summary>
/// The board one answer reads, and everything a handler takes from it: the book (its index), "now", and the analytics
/// snapshot. Live: the book as the feed keeps it, the clock, and <see cref="MarketAnalytics"/>. Past (<c>at=</c>): a
/// recorded snapshot (<see cref="HistoricalView"/>): a book holding only it, a clock frozen at its time, and its own
/// analytics. The handlers read only this, so the past is answered by the code that answers the present.
/// </summary>
public sealed class BoardMoment
{
    private static readonly RealisedVolatility NoRealised = new();

    private readonly MarketAnalytics? _analytics;
    private readonly HistoricalView? _view;

    private BoardMoment(OptionBook book, DateTimeOffset now, MarketAnalytics? analytics, HistoricalView? view)
    {
        Book = book;
        Now = now;
        _analytics = analytics;
        _view = view;
    }

    public OptionBook Book { get; }

    /// <summary>The answer's time: the clock now, or the snapshot's time.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The snapshot's time for a past answer (its <c>as_of</c>); null when live.</summary>
    public DateTimeOffset? AsOf => _view?.AsOf;

    /// <summary><see cref="AsOf"/> as the responses write instants.</summary>
    public DateTime? AsOfUtc => _view?.AsOf.UtcDateTime;

    /// <summary>The coin's analytics at this moment; null when the board holds no option of it.</summary>
    public CoinAnalytics? Analytics(string coin) => Analytics(coin, null);

    /// <summary>The coin's analytics of <paramref name="venue"/>'s options (null: every venue combined) at this moment; null when there are none.</summary>
    public CoinAnalytics? Analytics(string coin, Venue? venue) => _view is { } view
        ? string.Equals(view.Coin, coin, StringComparison.OrdinalIgnoreCase) ? view.AnalyticsOf(venue) : null
        : _analytics?.Get(coin, venue);

    /// <summary>The realised volatility known at this moment (live: the latest fetched; past: as recorded by then).</summary>
    public RealisedVolatility Realised => _view?.Realised ?? _analytics?.Realised ?? NoRealised;

    public static BoardMoment Live(BookReader reader, MarketAnalytics? analytics) => new(reader.Book, reader.Now, analytics, null);

    public static BoardMoment Past(HistoricalView view) => new(view.Book, view.AsOf, null, view);
}
