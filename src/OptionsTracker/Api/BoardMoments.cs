using Microsoft.AspNetCore.Http.HttpResults;
using OptionsTracker.Book;
using OptionsTracker.Diagnostics;
using OptionsTracker.History;
using OptionsTracker.Measures;

namespace OptionsTracker.Api;

/// <summary>
/// Where a handler's <see cref="BoardMoment"/> comes from: without <c>at</c> the live board, with it the snapshot
/// recorded at or before that instant (through <see cref="HistoryViews"/>, its cache of recent snapshots). Also the
/// history's answers every history endpoint shares: disabled (404), nothing recorded by then (404), store unreadable (503).
/// </summary>
public sealed class BoardMoments(BookReader reader, MarketAnalytics analytics, IServiceProvider services, ILogger<BoardMoments> logger, TimeProvider time)
{
    private readonly HistoryViews? _views = services.GetService<HistoryViews>();
    // A failing store is logged once a minute per kind of failure, not once per request (STYLE.md's log rule).
    private readonly LogThrottle _failureLog = new(time, TimeSpan.FromMinutes(1));

    /// <summary>The history's views and store; null when <c>History:Enabled=false</c>.</summary>
    public HistoryViews? Views => _views;

    public BoardMoment Live() => BoardMoment.Live(reader, analytics);

    /// <summary>The moment of an answer about <paramref name="asset"/>: live without <paramref name="at"/>, else the snapshot of the asset at or before it.</summary>
    internal async Task<MomentResult> ForAssetAsync(string? asset, string? at, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(at))
            return new(Live(), null, null);
        var index = reader.Book.Index;
        // An asset the tracker does not track is unknown at any instant, as it is live: one answer for one question.
        if (!reader.TryResolveAsset(index, asset, out var name, out _))
            return new(null, reader.UnknownAsset(index, asset), null);
        return await AtAsync(name, at, cancellationToken);
    }

    /// <summary>
    /// The moment of an answer about one option: its coin is the one the live book lists it under, or else the
    /// symbol's first part (every venue's option symbols start with the base coin), when tracked.
    /// </summary>
    internal async Task<MomentResult> ForSymbolAsync(string symbol, Venue? venue, string? at, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(at))
            return new(Live(), null, null);
        if (CoinOf(symbol, venue) is not { } coin)
            return new(null, UnknownOption(symbol), null);
        return await AtAsync(coin, at, cancellationToken);
    }

    /// <summary>The tracked coin <paramref name="symbol"/> belongs to; null when none.</summary>
    internal string? CoinOf(string symbol, Venue? venue)
    {
        var index = reader.Book.Index;
        if (symbol.Length <= 64 && (OptionsApi.TryFindOption(index, reader.Venues, venue, symbol, out var slot)
            || OptionsApi.TryFindOption(index, reader.Venues, venue, symbol.ToUpperInvariant(), out slot)))
            return slot.Instrument.BaseCoin;
        var dash = symbol.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && reader.TryResolveAsset(index, symbol[..dash], out var name, out _) ? name : null;
    }

    internal static ProblemHttpResult UnknownOption(string symbol) => TypedResults.Problem(
        title: "Unknown option",
        detail: $"'{QueryErrors.Echo(symbol)}' is not an option the book holds. Symbols look like BTC-26DEC25-100000-C; /api/symbols lists them.",
        statusCode: StatusCodes.Status404NotFound);

    private async Task<MomentResult> AtAsync(string coin, string at, CancellationToken cancellationToken)
    {
        var errors = new QueryErrors();
        var instant = errors.Instant(at, "at");
        if (errors.HasErrors)
            return new(null, null, errors.ToProblem());
        if (_views is null)
            return new(null, Disabled(), null);
        try
        {
            var view = await _views.ViewAsync(coin, instant!.Value, cancellationToken);
            if (view is not null)
                return new(BoardMoment.Past(view), null, null);
            var store = await _views.OpenAsync(cancellationToken);
            var range = await store.RangeAsync(coin, cancellationToken);
            return new(null, NothingRecorded(coin, instant.Value, range), null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new(null, Unavailable(exception), null);
        }
    }

    /// <summary>The 404 of every history answer when the tracker records none.</summary>
    internal static ProblemHttpResult Disabled() => TypedResults.Problem(
        title: "History is disabled",
        detail: "This tracker records no history (History:Enabled=false), so there is no past to read. Without at= the live board answers; set History:Enabled=true (the default) to record.",
        statusCode: StatusCodes.Status404NotFound);

    internal static ProblemHttpResult NothingRecorded(string coin, DateTimeOffset at, RecordedRange? range) => TypedResults.Problem(
        title: "Nothing recorded by then",
        detail: $"No snapshot of {coin} was recorded at or before {HistoryQueries.Format(at)}. "
            + (range is { } r
                ? $"The history of {coin} runs from {HistoryQueries.Format(r.First)} to {HistoryQueries.Format(r.Last)} ({r.Snapshots} snapshots)."
                : $"Nothing of {coin} is recorded yet."),
        statusCode: StatusCodes.Status404NotFound);

    /// <summary>The 503 of a history answer whose store failed; logged at most once a minute, with the exception.</summary>
    internal ProblemHttpResult Unavailable(Exception exception)
    {
        if (_failureLog.ShouldLog(exception.GetType().Name))
            History.Log.HistoryReadFailed(logger, exception, _views is null ? "none" : services.GetRequiredService<IHistoryStore>().Name);
        return TypedResults.Problem(
            title: "History unavailable",
            detail: "The history store could not be read just now; the live board (without at=) is unaffected. Try again shortly.",
            statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

/// <summary>A moment, or why there is none: a 404/503 problem, or a 400 naming <c>at</c>.</summary>
internal readonly record struct MomentResult(BoardMoment? Moment, ProblemHttpResult? Problem, ValidationProblem? Invalid);
