using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// What the reading tests share: the host's settings recording into a DuckDB file of the test's own (removed with it),
/// the host's store opened as the API opens it, snapshots written by the test (from the book it owns, not through the
/// recorder, whose clock runs hourly here and never reaches its first tick in a test), and JSON reads.
/// </summary>
internal sealed class HistoryApiHost : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("history-api-").FullName;

    private HistoryApiHost()
    {
    }

    public TrackerApp App { get; private set; } = null!; // Set by the factory methods before the instance is handed out.

    public IHistoryStore Store => App.Services.GetRequiredService<IHistoryStore>();

    public HttpClient Http { get; private set; } = null!; // Set with App.

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Settings turning history on, into this test's own file; the recorder's interval is the longest there is.</summary>
    private Dictionary<string, string?> Settings(Dictionary<string, string?>? more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["History:Enabled"] = "true",
            ["History:Path"] = Path.Combine(_directory, "history.duckdb"),
            ["History:Interval"] = "01:00:00",
            // No backfill: these tests read what they wrote, and the recorder's backfill (tested on its own) would add the
            // simulator's realised volatility history beside the points a test wrote.
            ["History:Backfill"] = "00:00:00",
        };
        foreach (var (key, value) in more ?? [])
            settings[key] = value;
        return settings;
    }

    public static async Task<HistoryApiHost> StartAsync(Func<Dictionary<string, string?>, Task<TrackerApp>> start, Dictionary<string, string?>? settings = null)
    {
        var host = new HistoryApiHost();
        try
        {
            host.App = await start(host.Settings(settings));
            host.Http = host.App.Http();
            await host.Store.OpenAsync(host.App.Services.GetRequiredService<HistorySource>(), Token);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>A snapshot of every option the host's book holds now, with the measures of the analytics now, timed <paramref name="time"/>.</summary>
    public BoardSnapshot Capture(DateTimeOffset time)
    {
        var book = App.Book;
        var analytics = App.Services.GetRequiredService<MarketAnalytics>();
        var snapshot = new BoardSnapshot { Time = time };
        foreach (var slot in book.Index.All)
            snapshot.Quotes.Add(new RecordedQuote(slot.Instrument, slot.ReadQuote(), Changed: true));
        foreach (var coin in book.Index.Coins)
        {
            snapshot.Coins.Add(coin);
            if (analytics.Get(coin) is { } figures)
                MeasureNames.Collect(figures, snapshot.Measures);
        }
        return snapshot;
    }

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Http.GetAsync(path, Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>The status and the problem body of an answer expected to fail.</summary>
    public async Task<(int Status, JsonNode Problem)> GetProblemAsync(string path)
    {
        using var response = await Http.GetAsync(path, Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.False(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return ((int)response.StatusCode, JsonNode.Parse(text)!);
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (App is not null)
            await App.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
