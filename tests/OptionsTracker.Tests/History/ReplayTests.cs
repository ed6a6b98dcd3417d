using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// <c>--replay</c>: a recorded DuckDB history played as the simulator's market, tracked by the real host on the replay's
/// clock; the book and the API show the recorded values at the recorded pace times the speed.
/// </summary>
public sealed class ReplayTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 4, 9, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"optionstracker-replay-{Guid.NewGuid():N}");

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_replayed_history_shows_its_recorded_marks_in_the_book_and_the_api_in_order()
    {
        var ct = TestContext.Current.CancellationToken;
        var file = Path.Combine(_directory, "recorded.duckdb");
        var settings = new HistoryGeneratorSettings { OptionCount = 60, Start = Start, Span = TimeSpan.FromMinutes(20), Interval = TimeSpan.FromMinutes(1) };
        List<(DateTimeOffset Time, double Mark)> recorded;
        string symbol;
        await using (var store = new DuckDbHistoryStore(Options.Create(new HistoryOptions { Path = file }), NullLogger<DuckDbHistoryStore>.Instance, TimeProvider.System))
        {
            var written = await new HistoryGenerator(settings).WriteAsync(store, progress: null, ct);
            output.WriteLine($"generated {written.Snapshots} snapshots, {written.Quotes} quotes, in {written.Elapsed.TotalSeconds:F1} s");
            // The option nearest the money on the nearest expiry: its mark moves every snapshot.
            var first = (await store.BoardAtAsync("BTC", Start, ct))!;
            var index = first.Quotes[0].Quote.IndexPrice;
            symbol = first.Quotes.Where(q => q.Instrument.Type == OptionType.Call)
                .OrderBy(q => q.Instrument.ExpiryUtc).ThenBy(q => Math.Abs(q.Instrument.StrikeValue - index)).First().Instrument.Symbol;
            var series = await store.OptionSeriesAsync(Venue.Bybit, symbol, [QuoteField.MarkPrice], Start, Start + settings.Span, TimeSpan.Zero, ct);
            recorded = [.. series.Select(p => (p.Time, p.Values[0]))];
        }
        Assert.Equal(settings.SnapshotCount, recorded.Count);

        await using var replay = await HistoryReplay.StartFileAsync(file, speed: 120, NullLoggerFactory.Instance, ct);
        Assert.Equal(["BTC"], replay.Coins);
        await using var app = await TrackerApp.StartAsync(replay.Simulator, replay.FeedSettings(), replay.Clock);

        // Watch the book while the replay plays (a recorded minute lasts half a second): every mark it shows is a
        // recorded one, they come in recorded order, and the last one stays once the recording has played out.
        var marks = recorded.Select(r => r.Mark).ToList();
        var seen = new List<int>();
        await Eventually.Until(() =>
        {
            if (app.Book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot) && slot.ReadQuote() is { HasData: true } quote)
            {
                var at = marks.LastIndexOf(quote.MarkPrice);
                Assert.True(at >= 0, $"the book shows {symbol} at {quote.MarkPrice}, never recorded");
                if (seen.Count == 0 || seen[^1] != at)
                    seen.Add(at);
            }
            return seen.Count > 0 && seen[^1] == marks.Count - 1;
        }, $"{symbol}'s last recorded mark in the book");
        output.WriteLine($"snapshots seen in the book: {string.Join(" ", seen)} of {marks.Count}; frames played {replay.FramesPlayed}");
        Assert.True(seen.Count >= 3, "the book followed the recording, not only its end");
        Assert.Equal(seen.Order(), seen);

        // The API serves it too, on the replay's clock: the recorded market's present, not today.
        var option = await ApiOptionAsync(app, symbol);
        Assert.Equal(recorded[^1].Mark, (double)option["mark_price"]!);
        Assert.Equal(recorded[^1].Time, replay.Clock.GetUtcNow());
        // And the replayed run records nothing: its history is off, the file keeps its snapshots.
        Assert.Null(app.Services.GetService(typeof(IHistoryStore)));
    }

    private static async Task<JsonNode> ApiOptionAsync(TrackerApp app, string symbol)
    {
        using var http = app.Http();
        var text = await http.GetStringAsync($"/api/option/{symbol}", TestContext.Current.CancellationToken);
        var node = JsonNode.Parse(text)!;
        return node["data"] is JsonObject data ? data : node;
    }
}
