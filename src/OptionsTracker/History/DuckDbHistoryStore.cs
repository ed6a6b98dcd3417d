using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.History;

// SEAM PLACEHOLDER (issue 16): replaced whole by the DuckDB store's helper; never merged to a release as is.
public sealed class DuckDbHistoryStore(Microsoft.Extensions.Options.IOptions<HistoryOptions> options) : IHistoryStore
{
    public string Name => "duckdb";

    public string Path { get; } = options.Value.ResolvePath();

    public Task OpenAsync(HistorySource source, CancellationToken cancellationToken) => throw new NotSupportedException("placeholder");
    public Task WriteSnapshotAsync(BoardSnapshot snapshot, CancellationToken cancellationToken) => throw new NotSupportedException("placeholder");
    public Task WriteSettlementsAsync(IReadOnlyList<Settlement> settlements, CancellationToken cancellationToken) => throw new NotSupportedException("placeholder");
    public Task WriteRealisedVolatilityAsync(string coin, IReadOnlyList<RealisedVolatilityPoint> points, CancellationToken cancellationToken) => throw new NotSupportedException("placeholder");
    public Task<long> ApplyRetentionAsync(DateTimeOffset now, TimeSpan keepFull, TimeSpan keepHourly, CancellationToken cancellationToken) => throw new NotSupportedException("placeholder");
    public Task<RecordedRange?> RangeAsync(string coin, CancellationToken cancellationToken) => throw new NotSupportedException("placeholder");
    public Task<HistoricalBoard?> BoardAtAsync(string coin, DateTimeOffset at, CancellationToken cancellationToken) => throw new NotSupportedException("placeholder");
    public Task<IReadOnlyList<SeriesPoint>> OptionSeriesAsync(Venue venue, string symbol, IReadOnlyList<QuoteField> fields, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, CancellationToken cancellationToken) => throw new NotSupportedException("placeholder");
    public Task<IReadOnlyList<SeriesPoint>> MeasureSeriesAsync(string coin, IReadOnlyList<string> names, DateTimeOffset from, DateTimeOffset to, TimeSpan interval, CancellationToken cancellationToken) => throw new NotSupportedException("placeholder");
    public IAsyncEnumerable<RecordedRow> ReadQuotesAsync(string coin, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) => throw new NotSupportedException("placeholder");
    public Task<IReadOnlyList<Settlement>> SettlementsAsync(string coin, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) => throw new NotSupportedException("placeholder");
    public Task<IReadOnlyList<RealisedVolatilityPoint>> RealisedVolatilityAsync(string coin, int periodDays, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) => throw new NotSupportedException("placeholder");
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
