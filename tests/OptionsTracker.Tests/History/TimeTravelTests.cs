using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// <c>at=</c>: the board recorded at or before an instant, answered by the handlers that answer the present. A simulated
/// market is recorded as snapshot A (the live answers taken at that moment), moves, and is recorded as B; asked at an
/// instant between them, every endpoint answers exactly what it answered live at A, plus <c>as_of</c>.
/// </summary>
public sealed class TimeTravelTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly string[] Endpoints =
    [
        "/api/options/BTC",
        "/api/options/BTC?type=put&sort=-open_interest&limit=7&fields=symbol,mark_iv,open_interest,days_to_expiry",
        "/api/expiries/BTC",
        "/api/strikes/BTC",
        "/api/summary/BTC",
        "/api/analytics/BTC/term",
        "/api/analytics/BTC/strikes",
        "/api/analytics/BTC/surface",
        "/api/analytics/BTC/fit",
        "/api/analytics/BTC/volatility",
    ];

    /// <summary>The tracker on a clock of the test's (time stands still unless stepped), tracking a simulated BTC market.</summary>
    private static async Task<(HistoryApiHost Host, BybitSimulator Simulator, FakeTimeProvider Time)> StartAsync(int instruments)
    {
        var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC"], TargetInstrumentCount = instruments }, Token);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000);
        var time = new FakeTimeProvider(now);
        try
        {
            var host = await HistoryApiHost.StartAsync(settings => TrackerApp.StartAsync(simulator, settings, time));
            var book = host.App.Book;
            await Eventually.Until(() => book.Index.Count == simulator.InstrumentCount && book.Index.All.All(s => s.ReadQuote().HasData),
                "every simulated option in the book, quoted");
            return (host, simulator, time);
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>POST /api/strategy/evaluate; the evaluation's own clock fields removed (the board's instant is compared elsewhere).</summary>
    private static async Task<JsonNode> EvaluateAsync(HttpClient http, object body)
    {
        using var response = await http.PostAsJsonAsync("/api/strategy/evaluate", body, Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.IsSuccessStatusCode, text);
        var node = JsonNode.Parse(text)!;
        node.AsObject().Remove("as_of");
        return node;
    }

    /// <summary>Stops the market and waits until the book stops changing (pushes already on their way applied).</summary>
    private static async Task FreezeAsync(BybitSimulator simulator, TrackerApp app)
    {
        simulator.Faults.SilentConnections = true;
        var seen = -1L;
        var steady = 0;
        await Eventually.Until(() =>
        {
            var sequence = app.Book.Sequence;
            steady = sequence == seen ? steady + 1 : 0;
            seen = sequence;
            return steady >= 10;
        }, "the book still for ten polls");
    }

    [Fact]
    public async Task At_between_two_snapshots_answers_what_the_live_endpoints_answered_at_the_first()
    {
        var (host, simulator, time) = await StartAsync(instruments: 300);
        await using var _ = simulator;
        await using var __ = host;
        var app = host.App;
        await FreezeAsync(simulator, app);
        // Realised volatility as the feed would have it, written to the history too, so the volatility endpoint has a past.
        var realised = app.Services.GetRequiredService<RealisedVolatility>();
        var hv = new RealisedVolatilityPoint[] { new(7, 0.41, time.GetUtcNow().AddHours(-1)), new(30, 0.47, time.GetUtcNow().AddHours(-1)) };
        realised.Set("BTC", hv);
        await host.Store.WriteRealisedVolatilityAsync("BTC", hv, Token);

        var a = time.GetUtcNow();
        var sequence = app.Book.Sequence;
        await host.Store.WriteSnapshotAsync(host.Capture(a), Token);
        var symbol = app.Book.Index.All[app.Book.Index.Count / 2].Instrument.Symbol;
        var live = new Dictionary<string, JsonNode>();
        foreach (var path in Endpoints.Append($"/api/option/{symbol}"))
            live[path] = await host.GetJsonAsync(path);
        // A strategy (issue 18) is evaluated on the same board: a call spread on the middle expiry.
        using var http = app.Http();
        var calls = app.Book.Index.All.Select(s => s.Instrument).Where(i => i.Type == OptionType.Call)
            .GroupBy(i => i.ExpiryUtc).OrderBy(g => g.Key).ElementAt(1).OrderBy(i => i.Strike).ToList();
        object[] legs = [new { symbol = calls[calls.Count / 2].Symbol, side = "buy", quantity = 1 }, new { symbol = calls[calls.Count / 2 + 1].Symbol, side = "sell", quantity = 2 }];
        var liveStrategy = await EvaluateAsync(http, new { legs });
        Assert.Equal(sequence, app.Book.Sequence);

        // The market moves and a minute passes: B records another board.
        simulator.Faults.SilentConnections = false;
        await Eventually.Until(() => app.Book.Sequence > sequence + 200, "the market moved");
        await FreezeAsync(simulator, app);
        time.Advance(TimeSpan.FromMinutes(1));
        var b = time.GetUtcNow();
        await host.Store.WriteSnapshotAsync(host.Capture(b), Token);
        Assert.NotEqual(live["/api/options/BTC"].ToJsonString(), (await host.GetJsonAsync("/api/options/BTC")).ToJsonString());

        var between = Format(a.AddSeconds(30));
        foreach (var (path, expected) in live)
        {
            var past = await host.GetJsonAsync(path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "at=" + between);
            Assert.Equal(a.UtcDateTime, (DateTime)past["as_of"]!);
            past.AsObject().Remove("as_of");
            Assert.True(JsonNode.DeepEquals(expected, past), $"{path} at {between}:\nlive at A: {Trim(expected)}\npast:      {Trim(past)}");
        }

        var pastStrategy = await EvaluateAsync(http, new { legs, at = between });
        Assert.True(JsonNode.DeepEquals(liveStrategy, pastStrategy), $"strategy at {between}:\nlive at A: {Trim(liveStrategy)}\npast:      {Trim(pastStrategy)}");
        Assert.False(JsonNode.DeepEquals(liveStrategy, await EvaluateAsync(http, new { legs })), "the strategy's figures moved with the market");

        // At B itself (an offset other than Z, the same instant) the later board answers; after B, B still does.
        var atB = await host.GetJsonAsync($"/api/summary/BTC?at={Uri.EscapeDataString(b.ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture))}");
        Assert.Equal(b.UtcDateTime, (DateTime)atB["as_of"]!);
        var afterB = await host.GetJsonAsync($"/api/options/BTC?limit=1&at={Format(b.AddDays(3))}");
        Assert.Equal(b.UtcDateTime, (DateTime)afterB["as_of"]!);
        // Live answers carry no as_of.
        Assert.Null((await host.GetJsonAsync("/api/summary/BTC"))["as_of"]);
    }

    [Fact]
    public async Task Before_the_first_snapshot_is_404_a_bad_instant_is_400_naming_at_and_an_unknown_asset_is_404()
    {
        await using var host = await HistoryApiHost.StartAsync(settings => TrackerApp.StartForApiAsync(settings));
        BookBuilder.Fill(host.App.Book);
        var t = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000).AddHours(-1);
        await host.Store.WriteSnapshotAsync(host.Capture(t), Token);

        var (status, problem) = await host.GetProblemAsync($"/api/options/BTC?at={Format(t.AddMilliseconds(-1))}");
        Assert.Equal(404, status);
        Assert.Contains("No snapshot of BTC was recorded at or before", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Contains("runs from", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Equal(404, (await host.GetProblemAsync($"/api/analytics/XRP/term?at={Format(t.AddMinutes(-5))}")).Status);
        // At exactly the snapshot's time it answers (at or before).
        Assert.Equal(t.UtcDateTime, (DateTime)(await host.GetJsonAsync($"/api/expiries/BTC?at={Format(t)}"))["as_of"]!);

        foreach (var bad in new[] { "yesterday", "2026-12-01T10:00:00", "2026-12-01", "2026-13-01T10:00:00Z", "1733050000000" })
        {
            var (badStatus, badProblem) = await host.GetProblemAsync($"/api/summary/BTC?at={Uri.EscapeDataString(bad)}");
            Assert.Equal(400, badStatus);
            var errors = badProblem["errors"]!.AsObject();
            Assert.Equal(["at"], errors.Select(e => e.Key));
            Assert.Contains("Use ISO 8601 with Z or an offset", (string?)errors["at"]![0], StringComparison.Ordinal);
        }
        // An unencoded + arrives as a space: read as the offset it was.
        Assert.Equal(t.UtcDateTime, (DateTime)(await host.GetJsonAsync($"/api/strikes/BTC?at={t.ToOffset(TimeSpan.FromHours(1)):yyyy-MM-dd'T'HH:mm:ss}+01:00"))["as_of"]!);

        Assert.Equal(404, (await host.GetProblemAsync($"/api/options/DOGE?at={Format(t)}")).Status);
        Assert.Equal(404, (await host.GetProblemAsync($"/api/option/BTC-1JAN20-1-C?at={Format(t)}")).Status);
        Assert.Equal(404, (await host.GetProblemAsync($"/api/option/DOGE-1JAN20-1-C?at={Format(t)}")).Status);
    }

    [Fact]
    public async Task With_history_disabled_at_and_the_history_endpoints_say_so_with_404()
    {
        await using var app = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(app.Book);
        using var http = app.Http();
        foreach (var path in new[]
        {
            "/api/options/BTC?at=2026-12-01T10:00:00Z", "/api/analytics/BTC/term?at=2026-12-01T10:00:00Z", "/api/history/BTC/range",
            "/api/history/BTC/measures?names=atm_iv_30d", "/api/history/option/BTC-26DEC25-100000-C", "/api/history/export?asset=BTC",
        })
        {
            using var response = await http.GetAsync(path, Token);
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(Token))!;
            Assert.Equal(404, (int)response.StatusCode);
            Assert.Equal("History is disabled", (string?)problem["title"]);
            Assert.Contains("History:Enabled=false", (string?)problem["detail"], StringComparison.Ordinal);
        }
        // The live board is unaffected, and its term answer has no rank.
        var term = JsonNode.Parse(await http.GetStringAsync("/api/analytics/BTC/term", Token))!;
        Assert.All(term["tenors"]!.AsArray(), t => Assert.Null(t!["iv_rank"]));
    }

    [Fact]
    public async Task The_chain_at_an_instant_of_a_4000_option_board_answers_from_the_recorded_snapshot()
    {
        var (host, simulator, time) = await StartAsync(instruments: 4000);
        await using var _ = simulator;
        await using var __ = host;
        await FreezeAsync(simulator, host.App);
        var t = time.GetUtcNow();
        var snapshot = host.Capture(t);
        await host.Store.WriteSnapshotAsync(snapshot, Token);
        var path = $"/api/options/BTC?at={Format(t.AddSeconds(20))}";

        // Figures, not assertions: the first answer reads the board and builds its book; the next ones find it cached.
        var watch = Stopwatch.StartNew();
        var first = await host.GetJsonAsync(path);
        var cold = watch.Elapsed;
        Assert.Equal(snapshot.Quotes.Count, (int)first["total"]!);
        var warm = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            watch.Restart();
            // Bytes, not parsed: the figure is the server's answer, not this client's JSON parse.
            await host.Http.GetByteArrayAsync(path, Token);
            warm.Add(watch.Elapsed.TotalMilliseconds);
        }
        var board = new List<double>();
        var liveMs = new List<double>();
        for (var i = 0; i < 10; i++)
        {
            watch.Restart();
            await host.Store.BoardAtAsync("BTC", t.AddSeconds(20), Token);
            board.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            await host.Http.GetByteArrayAsync("/api/options/BTC", Token);
            liveMs.Add(watch.Elapsed.TotalMilliseconds);
        }
        watch.Restart();
        var term = await host.GetJsonAsync($"/api/analytics/BTC/term?at={Format(t.AddSeconds(20))}");
        var termMs = watch.Elapsed.TotalMilliseconds;
        Assert.Equal(t.UtcDateTime, (DateTime)term["as_of"]!);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"chain at an instant, {snapshot.Quotes.Count} options: first {cold.TotalMilliseconds:0} ms, then median {warm.Order().ElementAt(warm.Count / 2):0.0} ms (min {warm.Min():0.0}, max {warm.Max():0.0}); term with IV rank at that instant {termMs:0} ms; the store's board read alone median {board.Order().ElementAt(5):0.0} ms; the live chain median {liveMs.Order().ElementAt(5):0.0} ms");
    }

    internal static string Format(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static string Trim(JsonNode node)
    {
        var text = node.ToJsonString();
        return text.Length <= 600 ? text : text[..600] + "…";
    }
}
