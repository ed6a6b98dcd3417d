using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Measures;

namespace OptionsTracker.Dashboard;

/// <summary>
/// The dashboard's door to the history (issue 16): the store and reader when <c>History:Enabled</c> registered them, else
/// nothing (<see cref="IsEnabled"/> false, and the page shows no time control). Reads go to the store directly, server
/// side, as the API's do. What every circuit asks at its own calm pace (the recorded range, the live IV rank) is shared
/// for a few seconds, so a hundred open pages cost the database what one does. Thread-safe; one per process.
/// </summary>
public sealed class DashboardHistory
{
    /// <summary>How long a recorded range is reused: the slider's end moves by one snapshot at most this late.</summary>
    public static readonly TimeSpan RangeReuse = TimeSpan.FromSeconds(5);

    /// <summary>How long a live IV rank is reused: a rank over days of daily values moves slowly.</summary>
    public static readonly TimeSpan RankReuse = TimeSpan.FromMinutes(1);

    /// <summary>The tenor of the IV rank beside the coin buttons: 30 days, as traders quote it.</summary>
    public const int RankTenorDays = 30;

    /// <summary>A failing store is logged at most this often (a state, not a check: STYLE.md).</summary>
    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromMinutes(5);

    private readonly IHistoryStore? _store;
    private readonly HistoryViews? _views;
    private readonly HistorySource? _source;
    private readonly MarketAnalytics _analytics;
    private readonly TimeProvider _time;
    private readonly ILogger<DashboardHistory> _logger;
    private readonly CancellationToken _stopping;
    private readonly ConcurrentDictionary<string, Shared<RecordedRange?>> _ranges = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Shared<IvRank?>> _ranks = new(StringComparer.OrdinalIgnoreCase);
    private long _lastFailureLogged = long.MinValue;

    public DashboardHistory(IServiceProvider services, MarketAnalytics analytics, IOptions<HistoryOptions> options, TimeProvider time,
        IHostApplicationLifetime lifetime, ILogger<DashboardHistory> logger)
    {
        // Optional: AddHistory registers these only with History:Enabled (the default).
        _store = services.GetService<IHistoryStore>();
        // The API's cache of recent snapshots' books and analytics: a slider and a script asking one moment build it once.
        _views = services.GetService<HistoryViews>();
        _source = services.GetService<HistorySource>();
        _analytics = analytics;
        _time = time;
        _logger = logger;
        _stopping = lifetime.ApplicationStopping;
        Interval = options.Value.Interval;
    }

    /// <summary>Whether the history is on (a store is registered): the page shows the time control and the charts.</summary>
    public bool IsEnabled => _store is not null && _views is not null && _source is not null;

    /// <summary>The recording interval (<c>History:Interval</c>): one step of the slider, the finest bucket of a chart.</summary>
    public TimeSpan Interval { get; }

    /// <summary>The coin's recorded span; shared for <see cref="RangeReuse"/>. Null when nothing was recorded.</summary>
    public Task<RecordedRange?> RangeAsync(string coin, CancellationToken cancellationToken) =>
        Reuse(_ranges, coin, RangeReuse, async stopping =>
        {
            var store = await OpenAsync(stopping);
            return await store.RangeAsync(coin, stopping);
        }, cancellationToken);

    /// <summary>
    /// The coin's 30-day ATM IV rank now (<see cref="IvRank"/>: the live ATM IV against its recorded daily values over
    /// <see cref="IvRank.DefaultLookback"/>); shared for <see cref="RankReuse"/>. Null when nothing was recorded.
    /// </summary>
    public Task<IvRank?> LiveRankAsync(string coin, CancellationToken cancellationToken) =>
        Reuse(_ranks, coin, RankReuse, async stopping =>
        {
            var store = await OpenAsync(stopping);
            var current = AtmIv(_analytics.Get(coin), RankTenorDays);
            return await IvRank.ComputeAsync(store, coin, RankTenorDays, current, _time.GetUtcNow(), IvRank.DefaultLookback, stopping);
        }, cancellationToken);

    /// <summary>The rank as of a recorded moment: that moment's ATM IV against the days recorded before it.</summary>
    public async Task<IvRank?> RankAtAsync(HistoricalView view, CancellationToken cancellationToken)
    {
        var store = await OpenAsync(cancellationToken);
        return await IvRank.ComputeAsync(store, view.Coin, RankTenorDays, AtmIv(view.Analytics, RankTenorDays), view.AsOf,
            IvRank.DefaultLookback, cancellationToken);
    }

    /// <summary>The coin's board recorded at or before <paramref name="at"/>, as a book; null when none was recorded by then.</summary>
    public async Task<HistoricalView?> ViewAsync(string coin, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken);
        return await _views!.ViewAsync(coin, at, cancellationToken);
    }

    /// <summary>One option's fields over [from, to], one point per <paramref name="interval"/>.</summary>
    public async Task<IReadOnlyList<SeriesPoint>> OptionSeriesAsync(OptionInstrument instrument, IReadOnlyList<QuoteField> fields,
        DateTimeOffset from, DateTimeOffset to, TimeSpan interval, CancellationToken cancellationToken)
    {
        var store = await OpenAsync(cancellationToken);
        return await store.OptionSeriesAsync(instrument.Venue, instrument.Symbol, fields, from, to, interval, cancellationToken);
    }

    /// <summary>The coin's measures (<see cref="MeasureNames"/>) over [from, to], one point per <paramref name="interval"/>.</summary>
    public async Task<IReadOnlyList<SeriesPoint>> MeasureSeriesAsync(string coin, IReadOnlyList<string> names,
        DateTimeOffset from, DateTimeOffset to, TimeSpan interval, CancellationToken cancellationToken)
    {
        var store = await OpenAsync(cancellationToken);
        return await store.MeasureSeriesAsync(coin, names, from, to, interval, cancellationToken);
    }

    /// <summary>
    /// Logs a failed read (the store down, locked, or recorded from another source), at most every few minutes however
    /// many circuits meet it; the page says it in words where the history would be.
    /// </summary>
    public void ReportFailure(string what, string coin, Exception exception)
    {
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastFailureLogged);
        if (last != long.MinValue && _time.GetElapsedTime(last, now) < FailureLogInterval)
            return;
        if (Interlocked.CompareExchange(ref _lastFailureLogged, now, last) == last)
            Log.HistoryReadFailed(_logger, what, coin, exception);
    }

    /// <summary>A store failure as the page says it: one short sentence, no stack.</summary>
    public static string Explain(Exception exception) => exception switch
    {
        HistorySourceMismatchException mismatch => $"History unavailable: it was recorded from {mismatch.Recorded}, not this exchange.",
        _ => "History unavailable: the store could not be read (" + exception.Message.TrimEnd('.') + ").",
    };

    /// <summary>The ATM IV of <paramref name="figures"/> at a constant tenor; NaN when it has none.</summary>
    public static double AtmIv(CoinAnalytics? figures, int tenorDays) =>
        figures?.Tenors.FirstOrDefault(t => t.TenorDays == tenorDays) is { } tenor ? tenor.AtmIv : double.NaN;

    private async Task<IHistoryStore> OpenAsync(CancellationToken cancellationToken)
    {
        if (!IsEnabled)
            throw new InvalidOperationException("History is off (History:Enabled=false).");
        // Idempotent and thread-safe (IHistoryStore's contract): after the first call this returns at once.
        await _store!.OpenAsync(_source!, cancellationToken);
        return _store;
    }

    /// <summary>
    /// The value computed within <paramref name="reuse"/> (or being computed) for <paramref name="key"/>, else a new
    /// computation. It runs until the host stops, not until the first asker leaves: others may be waiting for it.
    /// </summary>
    private Task<T> Reuse<T>(ConcurrentDictionary<string, Shared<T>> cache, string key, TimeSpan reuse,
        Func<CancellationToken, Task<T>> compute, CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        if (!cache.TryGetValue(key, out var entry) || (entry.Task.IsCompleted && _time.GetElapsedTime(entry.StartedAt, now) >= reuse))
        {
            entry = new Shared<T>(compute(_stopping), now);
            cache[key] = entry;
        }
        return entry.Task.WaitAsync(cancellationToken);
    }

    private sealed record Shared<T>(Task<T> Task, long StartedAt);
}
