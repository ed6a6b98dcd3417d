using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// The DuckDB store's instrument ids come from the file, not only from what one store object wrote or loaded at open;
/// and a realised-volatility backfill of years is written in one batch.
/// </summary>
public sealed class DuckDbInstrumentsAndBackfillTests : IAsyncDisposable
{
    private static readonly HistorySource Bybit = new("bybit", ["https://api.bybit.com/"]);
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly QuoteField[] Fields = [QuoteField.MarkPrice, QuoteField.MarkIv];

    private readonly string _directory = Directory.CreateTempSubdirectory("history-duckdb-ids-").FullName;
    private readonly List<DuckDbHistoryStore> _stores = [];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<DuckDbHistoryStore> OpenAsync()
    {
        var store = new DuckDbHistoryStore(Options.Create(new HistoryOptions { Path = Path.Combine(_directory, "history.duckdb") }),
            NullLogger<DuckDbHistoryStore>.Instance, TimeProvider.System);
        _stores.Add(store);
        await store.OpenAsync(Bybit, Token);
        return store;
    }

    private static BoardSnapshot Snapshot(DateTimeOffset time, OptionInstrument instrument, double mark)
    {
        var quote = new OptionQuote { ExchangeTimeMs = time.ToUnixTimeMilliseconds() - 100, ReceivedAtMs = time.ToUnixTimeMilliseconds() - 50 };
        quote.Values[(int)QuoteField.MarkPrice] = mark;
        quote.Values[(int)QuoteField.MarkIv] = 0.5;
        var snapshot = new BoardSnapshot { Time = time };
        snapshot.Coins.Add(instrument.BaseCoin);
        snapshot.Quotes.Add(new RecordedQuote(instrument, quote, Changed: true));
        return snapshot;
    }

    [Fact]
    public async Task An_option_recorded_after_the_store_opened_is_found_by_another_store_object_and_after_a_restart()
    {
        var option = BookBuilder.Create("BTC", new DateOnly(2026, 12, 25), 100000m, 'C', 5, 0.01);
        // Two objects over one file (DuckDB shares the instance in a process): the reader opened before the option existed.
        var reader = await OpenAsync();
        var writer = await OpenAsync();
        await writer.WriteSnapshotAsync(Snapshot(T0, option, 1234.5), Token);
        await writer.WriteSnapshotAsync(Snapshot(T0.AddMinutes(1), option, 1240), Token);

        var series = await reader.OptionSeriesAsync(option.Venue, option.Symbol, Fields, T0, T0.AddHours(1), TimeSpan.Zero, Token);
        Assert.Equal([1234.5, 1240], series.Select(p => p.Values[0]));
        var board = await reader.BoardAtAsync("BTC", T0.AddMinutes(5), Token);
        Assert.Equal(option.Symbol, Assert.Single(board!.Quotes).Instrument.Symbol);

        foreach (var store in _stores)
            await store.DisposeAsync();
        _stores.Clear();
        var restarted = await OpenAsync();
        series = await restarted.OptionSeriesAsync(option.Venue, option.Symbol, Fields, T0, T0.AddHours(1), TimeSpan.Zero, Token);
        Assert.Equal([T0, T0.AddMinutes(1)], series.Select(p => p.Time));
        Assert.Empty(await restarted.OptionSeriesAsync(option.Venue, "BTC-25DEC26-1-C-USDT", Fields, T0, T0.AddHours(1), TimeSpan.Zero, Token));
    }

    [Fact]
    public async Task A_years_realised_volatility_backfill_is_written_at_once_and_again_changes_nothing()
    {
        var store = await OpenAsync();
        // Two years at 5 minutes of one period, a NaN (not computable) among them.
        var points = Enumerable.Range(0, 2 * 365 * 288)
            .Select(i => new RealisedVolatilityPoint(30, i == 7 ? double.NaN : 0.4 + (i % 1000) / 1e5, T0.AddMinutes(5 * i)))
            .ToList();
        var started = Stopwatch.GetTimestamp();
        await store.WriteRealisedVolatilityAsync("BTC", points, Token);
        TestContext.Current.TestOutputHelper!.WriteLine($"{points.Count} realised-volatility points written in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");

        // Written again, overlapping, with a point of a stored time changed and one of the batch's times twice: the first
        // value stored for a time stays, the new times join.
        var again = points.Skip(points.Count - 10).Select(p => p with { Value = 9 })
            .Append(new RealisedVolatilityPoint(30, 0.7, points[^1].Time.AddMinutes(5)))
            .Append(new RealisedVolatilityPoint(30, 0.8, points[^1].Time.AddMinutes(5)))
            .ToList();
        await store.WriteRealisedVolatilityAsync("BTC", again, Token);

        var read = await store.RealisedVolatilityAsync("BTC", 30, T0, T0.AddYears(3), Token);
        Assert.Equal(points.Count + 1, read.Count);
        Assert.True(double.IsNaN(read[7].Value));
        Assert.Equal(points[^1].Value, read[^2].Value);
        Assert.Equal(0.7, read[^1].Value);
        Assert.Equal(points.Select(p => p.Time), read.Take(points.Count).Select(p => p.Time));
        Assert.Empty(await store.RealisedVolatilityAsync("ETH", 30, T0, T0.AddYears(3), Token));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
            await store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
