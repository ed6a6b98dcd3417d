using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Tape;

namespace OptionsTracker.History;

/// <summary>
/// Where the board's history is kept: DuckDB in a file (the embedded default, <see cref="HistoryOptions.Path"/>) or
/// PostgreSQL (<see cref="HistoryOptions.Postgres"/>, shared by every instance of a deployment). One writer (the active
/// collector's recorder) and any number of readers (the API, the dashboard, the replay); thread-safe.
/// <para>
/// The meaning every implementation keeps (tests/OptionsTracker.Tests/History/HistoryStoreContract.cs checks it on
/// both): a snapshot is written whole or not at all, and a reader never sees part of one; writing a snapshot whose
/// time is already recorded changes nothing (a retry after a failure that did commit is never a duplicate); times are
/// UTC with millisecond precision; a value the exchange did not send is NaN when written and NaN when read (never 0);
/// every read is "at or before" an instant, never after it.
/// </para>
/// </summary>
public interface IHistoryStore : IAsyncDisposable
{
    /// <summary>"duckdb" or "postgres", as <c>/health</c> and <c>/metrics</c> name it.</summary>
    string Name { get; }

    /// <summary>
    /// Creates or upgrades the schema and checks the history's source: a store first opened for one source (the live
    /// exchange's URLs, or the simulator) refuses another with <see cref="HistorySourceMismatchException"/>, so
    /// simulated and real data never mix. Called before anything else by every user of the store (the recorder, the
    /// readers): idempotent and thread-safe (the first call does the work, the others wait for it; after a failure the
    /// next call tries again).
    /// </summary>
    Task OpenAsync(HistorySource source, CancellationToken cancellationToken);

    /// <summary>Writes one snapshot of the board (its quotes and its measures) atomically; idempotent by time.</summary>
    Task WriteSnapshotAsync(BoardSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>Records settlement prices; one per (venue, coin, delivery time), a repeat changes nothing.</summary>
    Task WriteSettlementsAsync(IReadOnlyList<Settlement> settlements, CancellationToken cancellationToken);

    /// <summary>Records realised volatility points of <paramref name="coin"/>; one per (coin, period, time), a repeat changes nothing.</summary>
    Task WriteRealisedVolatilityAsync(string coin, IReadOnlyList<RealisedVolatilityPoint> points, CancellationToken cancellationToken);

    /// <summary>
    /// Removes what retention no longer keeps, as of <paramref name="now"/>: quotes older than
    /// <paramref name="keepFull"/> except the first snapshot of each UTC hour, and quotes older than
    /// <paramref name="keepHourly"/> altogether. Measures, settlements and realised volatility are kept at full
    /// resolution for <paramref name="keepHourly"/>. Returns the number of quote rows removed.
    /// </summary>
    Task<long> ApplyRetentionAsync(DateTimeOffset now, TimeSpan keepFull, TimeSpan keepHourly, CancellationToken cancellationToken);

    /// <summary>The first and last snapshot recorded for <paramref name="coin"/>, and how many; null when none.</summary>
    Task<RecordedRange?> RangeAsync(string coin, CancellationToken cancellationToken);

    /// <summary>
    /// The coin's board as recorded by the last snapshot at or before <paramref name="at"/> (every option of that
    /// snapshot, with the quote it had then, whether or not it changed in that snapshot); null when nothing was
    /// recorded for the coin by then.
    /// </summary>
    Task<HistoricalBoard?> BoardAtAsync(string coin, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// One option's fields from <paramref name="from"/> to <paramref name="to"/> (inclusive), oldest first. With a
    /// positive <paramref name="interval"/>, one point per bucket (buckets aligned to the Unix epoch, timed at the
    /// bucket's start) carrying the bucket's last recorded value; with <see cref="TimeSpan.Zero"/>, every snapshot.
    /// Values are parallel to <paramref name="fields"/>.
    /// </summary>
    Task<IReadOnlyList<SeriesPoint>> OptionSeriesAsync(
        Venue venue, string symbol, IReadOnlyList<QuoteField> fields, DateTimeOffset from, DateTimeOffset to, TimeSpan interval,
        CancellationToken cancellationToken);

    /// <summary>As <see cref="OptionSeriesAsync"/> for the coin's measures (<see cref="MeasureNames"/>); values parallel to <paramref name="names"/>.</summary>
    Task<IReadOnlyList<SeriesPoint>> MeasureSeriesAsync(
        string coin, IReadOnlyList<string> names, DateTimeOffset from, DateTimeOffset to, TimeSpan interval,
        CancellationToken cancellationToken);

    /// <summary>
    /// Every recorded quote of <paramref name="coin"/> from <paramref name="from"/> to <paramref name="to"/>
    /// (inclusive), ordered by snapshot time, then venue, then symbol, streamed (the export and the replay read years
    /// this way). Each snapshot yields all the options it held, as <see cref="BoardAtAsync"/> would.
    /// </summary>
    IAsyncEnumerable<RecordedRow> ReadQuotesAsync(string coin, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The coin's settlements with a delivery time in [<paramref name="from"/>, <paramref name="to"/>], oldest first.</summary>
    Task<IReadOnlyList<Settlement>> SettlementsAsync(string coin, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The coin's recorded realised volatility over <paramref name="periodDays"/> in [from, to], oldest first.</summary>
    Task<IReadOnlyList<RealisedVolatilityPoint>> RealisedVolatilityAsync(
        string coin, int periodDays, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>
    /// Records trades of the tape (any coins). Idempotent by (venue, trade id): a trade written twice is kept once, with
    /// its first <see cref="Trade.Sequence"/>. Kept as long as the hourly snapshots (<c>KeepHourly</c>).
    /// </summary>
    Task WriteTradesAsync(IReadOnlyList<Trade> trades, CancellationToken cancellationToken);

    /// <summary>
    /// The coin's recorded trades with a time in [<paramref name="from"/>, <paramref name="to"/>], oldest first (exchange
    /// order: time, venue sequence, id), at most <paramref name="limit"/> (the oldest ones). Every field as written.
    /// </summary>
    Task<IReadOnlyList<Trade>> TradesAsync(string coin, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// What a history was recorded from: <see cref="Label"/> is <c>bybit</c> for the live exchange or <c>simulator</c> for
/// <c>--demo</c>; <see cref="Urls"/> the exchange URLs (empty for the simulator, whose ports change every run).
/// </summary>
public sealed record HistorySource(string Label, IReadOnlyList<string> Urls)
{
    /// <summary>One line for logs and the mismatch error.</summary>
    public override string ToString() => Urls.Count == 0 ? Label : $"{Label} ({string.Join(", ", Urls)})";

    /// <summary>
    /// Whether a history recorded from <paramref name="recorded"/> may go on recording from <paramref name="requested"/>:
    /// the same source; or, both from exchanges (neither the simulator), one's URLs all among the other's, so adding a
    /// venue (<c>bybit</c> → <c>bybit,deribit</c>) or taking one away keeps the history, while simulated and real data,
    /// or another exchange address, never mix. The store keeps the source it first recorded.
    /// </summary>
    public static bool IsCompatible(HistorySource recorded, HistorySource requested)
    {
        if (recorded.Label == requested.Label && recorded.Urls.SequenceEqual(requested.Urls, StringComparer.Ordinal))
            return true;
        if (recorded.Urls.Count == 0 || requested.Urls.Count == 0)
            return false;
        return recorded.Urls.All(u => requested.Urls.Contains(u, StringComparer.Ordinal))
            || requested.Urls.All(u => recorded.Urls.Contains(u, StringComparer.Ordinal));
    }
}

/// <summary>Thrown by <see cref="IHistoryStore.OpenAsync"/> when the history was recorded from another source.</summary>
public sealed class HistorySourceMismatchException(HistorySource recorded, HistorySource requested)
    : Exception($"The history was recorded from {recorded}, not {requested}: simulated and real data never mix. " +
        "Use another History:Path (or database), or move the file aside.")
{
    public HistorySource Recorded { get; } = recorded;
    public HistorySource Requested { get; } = requested;
}

/// <summary>
/// One snapshot of the board for the store: every tracked option with its quote at <see cref="Time"/>, and every
/// coin's measures. <see cref="RecordedQuote.Changed"/> says whether an option's quote changed since the previous
/// snapshot (a store may keep an unchanged one as a reference to its last row, as long as reading is unaffected).
/// Owned by the recorder, which reuses it: a store must not keep it after the write returns.
/// </summary>
public sealed class BoardSnapshot
{
    /// <summary>The recorder's clock when it took the snapshot (UTC, whole milliseconds): the snapshot's identity.</summary>
    public DateTimeOffset Time { get; set; }

    /// <summary>The coins the snapshot covers, each with at least one option in <see cref="Quotes"/>.</summary>
    public List<string> Coins { get; } = [];

    public List<RecordedQuote> Quotes { get; } = [];

    public List<RecordedMeasure> Measures { get; } = [];

    public void Clear()
    {
        Coins.Clear();
        Quotes.Clear();
        Measures.Clear();
    }
}

/// <summary>One option in a snapshot: the instrument, its full quote (values, exchange time, status, delivery price).</summary>
public readonly record struct RecordedQuote(OptionInstrument Instrument, OptionQuote Quote, bool Changed);

/// <summary>One measure of one coin in a snapshot (<see cref="MeasureNames"/>); NaN when it could not be computed.</summary>
public readonly record struct RecordedMeasure(string Coin, string Name, double Value);

/// <summary>A recorded quote read back with the time of the snapshot it belongs to.</summary>
public readonly record struct RecordedRow(DateTimeOffset Time, OptionInstrument Instrument, OptionQuote Quote)
{
    /// <summary>The order of <see cref="IHistoryStore.ReadQuotesAsync"/>: time, venue, symbol (ordinal).</summary>
    public static int CompareByTimeVenueSymbol(RecordedRow a, RecordedRow b)
    {
        var byTime = a.Time.CompareTo(b.Time);
        if (byTime != 0)
            return byTime;
        var byVenue = string.CompareOrdinal(a.Instrument.Venue.Id, b.Instrument.Venue.Id);
        return byVenue != 0 ? byVenue : string.CompareOrdinal(a.Instrument.Symbol, b.Instrument.Symbol);
    }
}

/// <summary>A coin's settlement: every option of (venue, coin, delivery time) settles at <see cref="Price"/>.</summary>
public readonly record struct Settlement(Venue Venue, string Coin, DateTimeOffset DeliveryTime, double Price);

/// <summary>The recorded span of a coin: first and last snapshot time, and the number of snapshots.</summary>
public readonly record struct RecordedRange(DateTimeOffset First, DateTimeOffset Last, long Snapshots);

/// <summary>One point of a series: its time and values (parallel to the fields or names asked; NaN = none).</summary>
public readonly record struct SeriesPoint(DateTimeOffset Time, double[] Values)
{
    /// <summary>
    /// An option series bucketed as every store answers <c>interval</c>: of points in time order, each bucket's last
    /// snapshot whole, stamped with the bucket's start (buckets of <paramref name="bucketMs"/> from the Unix epoch, as
    /// PostgreSQL's <c>date_bin</c>). A field that snapshot lacked is NaN, as at that moment (not an older value).
    /// </summary>
    public static List<SeriesPoint> LastOfEachBucket(List<SeriesPoint> ordered, long bucketMs)
    {
        var points = new List<SeriesPoint>();
        for (var i = 0; i < ordered.Count; i++)
        {
            var start = BucketStart(ordered[i].Time.ToUnixTimeMilliseconds(), bucketMs);
            if (i + 1 < ordered.Count && BucketStart(ordered[i + 1].Time.ToUnixTimeMilliseconds(), bucketMs) == start)
                continue;
            points.Add(new SeriesPoint(DateTimeOffset.FromUnixTimeMilliseconds(start), ordered[i].Values));
        }
        return points;
    }

    /// <summary>The start of the bucket holding <paramref name="timeMs"/>: buckets of <paramref name="bucketMs"/> from the epoch.</summary>
    public static long BucketStart(long timeMs, long bucketMs) => timeMs - (((timeMs % bucketMs) + bucketMs) % bucketMs);
}
