using System.Text.Json;
using System.Text.RegularExpressions;
using System.Web;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OptionsTracker.Book;
using OptionsTracker.Dashboard;
using OptionsTracker.History;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// The history on the dashboard (issue 16): a host recording a snapshot a second into its own DuckDB file, against the
/// simulator, and the page travelling back to a recorded moment (the address carrying it), drawing the option's and the
/// measures' history, and showing the IV rank beside the coin.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed partial class HistoryDashboardTests
{
    [Fact]
    public async Task Time_control_shows_the_recorded_snapshot_in_table_and_chain_carries_it_in_the_address_and_live_returns()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"], history: true);
        await s.WaitForBookAsync("BTC");
        var store = await OpenStoreAsync(s);
        var range = await WaitForSnapshotsAsync(store, 4);
        // The market moves far from what was recorded: the past and the present can no longer be mistaken.
        s.Simulator.SetIndexPrice("BTC", s.Simulator.GetIndexPrice("BTC") * 1.25);

        await s.GotoAsync("/?coin=BTC");
        var slider = s.Page.Locator("#time-slider");
        await Expect(slider).ToBeVisibleAsync();
        await Expect(s.Page.Locator("#time-live")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(s.Page.Locator("#past-banner")).ToHaveCountAsync(0);

        // By keyboard: Home is the first snapshot.
        await slider.FocusAsync();
        await s.Page.Keyboard.PressAsync("Home");
        await Expect(s.Page).ToHaveURLAsync(AtParameter());
        var at = AtOf(s.Page.Url);
        var recorded = await store.BoardAtAsync("BTC", at, TestContext.Current.CancellationToken);
        Assert.NotNull(recorded);
        // The address names the snapshot shown, so it reopens on that very board.
        Assert.Equal(recorded.AsOf, at);
        var banner = s.Page.Locator("#past-banner");
        await Expect(banner).ToHaveAttributeAsync("data-as-of", TimeTravel.Format(recorded.AsOf));
        await Expect(banner).ToContainTextAsync("not live");
        await Expect(s.Page.Locator("#status")).ToHaveAttributeAsync("data-mode", "past");
        await Expect(s.Page.Locator("#time-live")).ToHaveAttributeAsync("aria-pressed", "false");
        // Chromium writes a datetime-local value on a whole minute without its ":00" seconds: either form is the snapshot.
        var pickerText = TimeTravel.PickerValue(recorded.AsOf);
        await Expect(s.Page.Locator("#time-at")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(
            "^" + System.Text.RegularExpressions.Regex.Escape(pickerText.EndsWith(":00", StringComparison.Ordinal) ? pickerText[..^3] : pickerText) + "(:00)?$"));

        // The table shows the snapshot's values (formatted as the page formats a board), not the live ones.
        var expected = BoardOf(recorded);
        await Eventually.Until(async () => (await ShownRowsAsync(s.Page)).Count > 0, "the past table's rows");
        var shown = await ShownRowsAsync(s.Page);
        foreach (var row in shown)
        {
            var past = expected.Rows.Single(r => r.Symbol == row.Symbol);
            Assert.Equal(expected.Format.Value(past, QuoteField.MarkPrice), row.Mark);
            Assert.Equal(expected.Format.Value(past, QuoteField.UnderlyingPrice), row.Underlying);
        }
        var live = new LiveBoard(s.Book);
        live.Refresh("BTC", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Contains(shown, row => live.Format.Value(live.Rows.Single(r => r.Symbol == row.Symbol), QuoteField.UnderlyingPrice) != row.Underlying);
        TestContext.Current.TestOutputHelper?.WriteLine($"{shown.Count} rows equal to the snapshot of {TimeTravel.Format(recorded.AsOf)}; first: {shown[0]}");
        await s.ScreenshotAsync("history-table-past-dark");

        // The chain of the same moment: its forward is the snapshot's.
        await s.Page.Locator("nav.views a[data-view=chain]").ClickAsync();
        await Expect(s.Page).ToHaveURLAsync(new Regex("view=chain"));
        Assert.Equal(at, AtOf(s.Page.Url));
        var nearest = expected.Expiries[0];
        await Expect(s.Page.Locator("#chain-forward")).ToHaveTextAsync(expected.Format.Underlying(nearest.Underlying));
        await Expect(s.Page.Locator("#chain-atm-iv")).ToHaveTextAsync(expected.Format.Iv(nearest.AtmIv));
        await Expect(banner).ToBeVisibleAsync();

        // Shared: the address opened afresh shows the same moment from its first paint.
        var address = s.Page.Url;
        await s.GotoAsync(new Uri(address).PathAndQuery);
        await Expect(s.Page.Locator("#past-banner")).ToHaveAttributeAsync("data-as-of", TimeTravel.Format(recorded.AsOf));
        await Expect(s.Page.Locator("#chain-forward")).ToHaveTextAsync(expected.Format.Underlying(nearest.Underlying));

        // The picker: an exact moment (UTC) shows the snapshot at or before it. A moment of a snapshot known to be recorded
        // after the first: under load the recorder may miss a second (a reported gap), so AsOf + 2 s may hold none.
        var picked = range.Last;
        await s.Page.Locator("#time-at").FillAsync(TimeTravel.PickerValue(picked));
        await Expect(s.Page.Locator("#past-banner")).Not.ToHaveAttributeAsync("data-as-of", TimeTravel.Format(recorded.AsOf));
        var pickedAsOf = await AsOfAsync(s.Page);
        Assert.InRange(pickedAsOf, recorded.AsOf.AddMilliseconds(1), picked);

        // Before anything was recorded: said so, no board passed off as that moment's.
        await s.GotoAsync($"/?coin=BTC&at={TimeTravel.Format(recorded.AsOf.AddDays(-1))}");
        await Expect(s.Page.Locator("#past-empty")).ToContainTextAsync("Nothing was recorded for BTC at or before");
        await Expect(s.Page.Locator("#options-table")).ToHaveCountAsync(0);

        // Live comes back: no moment in the address, no banner, the feed's light again.
        await s.GotoAsync(new Uri(address).PathAndQuery);
        await Expect(s.Page.Locator("#past-banner")).ToBeVisibleAsync();
        await s.Page.Locator("#time-live").ClickAsync();
        await Expect(s.Page.Locator("#past-banner")).ToHaveCountAsync(0);
        Assert.DoesNotMatch(AtParameter(), s.Page.Url);
        await Expect(s.Page.Locator("#status")).Not.ToHaveAttributeAsync("data-mode", "past");
        await Expect(s.Page.Locator("#chain-forward")).Not.ToHaveTextAsync(expected.Format.Underlying(nearest.Underlying));
    }

    [Fact]
    public async Task Option_and_measure_history_charts_draw_the_recorded_series_and_the_coin_shows_its_iv_rank()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"], history: true);
        await s.WaitForBookAsync("BTC");
        var store = await OpenStoreAsync(s);
        var range = await WaitForSnapshotsAsync(store, 6);
        var cancellation = TestContext.Current.CancellationToken;

        // Live: the IV rank beside the coin, with the days it covers.
        await s.GotoAsync("/?coin=BTC&view=term");
        var rank = s.Page.Locator(".asset-ivr[data-coin=BTC]");
        await Expect(rank).ToHaveTextAsync(new Regex(@"^IVR (\d+|–) · IVP \d+ · (<1 d|\d+ d)$"));
        Assert.Contains("30-day ATM IV rank", await rank.GetAttributeAsync("title"), StringComparison.Ordinal);
        await Expect(s.Page.Locator("#measure-history")).ToHaveAttributeAsync("data-state", "drawn");
        await Expect(s.Page.Locator("#atm-history-chart .main-svg").First).ToBeVisibleAsync();
        await Expect(s.Page.Locator("#skew-history-chart .main-svg").First).ToBeVisibleAsync();
        Assert.Equal([.. TermStructure.Tenors.Select(d => $"{d} d")], (await PlotAsync(s.Page, "atm-history-chart-plot")).Select(t => t.Name));
        Assert.Equal(["RR25 30 d", "BF25 30 d"], (await PlotAsync(s.Page, "skew-history-chart-plot")).Select(t => t.Name));
        await s.Page.Locator("#measure-history").ScrollIntoViewIfNeededAsync();
        await s.ScreenshotAsync("history-skew-dark");
        // The section alone, both charts whole: the README's picture of skew history.
        await s.Page.Locator("#measure-history").ScreenshotAsync(new() { Path = Path.Combine(DashboardSession.ScreenshotDirectory, "history-measures-dark.png") });

        // At a recorded moment the charts end there and hold the store's values, bucket for bucket.
        var at = range.First.AddSeconds(4);
        await s.GotoAsync($"/?coin=BTC&view=term&at={TimeTravel.Format(at)}");
        var asOf = await AsOfAsync(s.Page);
        await s.Page.Locator("#measure-history-all").ClickAsync();
        await Expect(s.Page.Locator("#measure-history-all")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(s.Page.Locator("#measure-history")).ToHaveAttributeAsync("data-state", "drawn");
        var bucket = HistoryWindow.Bucket(asOf - range.First, TimeSpan.FromSeconds(1));
        var atm30 = await store.MeasureSeriesAsync("BTC", [MeasureNames.ForTenor("atm_iv", 30)], range.First, asOf, bucket, cancellation);
        Assert.NotEmpty(atm30);
        Assert.Contains(atm30, p => double.IsFinite(p.Values[0]));
        await Eventually.Until(async () => (await PlotAsync(s.Page, "atm-history-chart-plot")).FirstOrDefault(t => t.Name == "30 d")?.Y
            .SequenceEqual(atm30.Select(p => double.IsFinite(p.Values[0]) ? Math.Round(p.Values[0] * 100, 3) : (double?)null)) == true,
            "the 30-day ATM IV line equal to the store's series");

        // The option's history at that moment: its mark IV, then its open interest, as recorded.
        var option = s.SlotsOf("BTC").First(x => double.IsFinite(x.ReadQuote().MarkIv)).Instrument;
        await s.GotoAsync($"/?coin=BTC&at={TimeTravel.Format(asOf)}&option={option.Symbol}");
        var history = s.Page.Locator("#option-history");
        await Expect(history).ToHaveAttributeAsync("data-state", "drawn");
        await s.Page.Locator("#option-history-all").ClickAsync();
        await Expect(s.Page.Locator("#option-history-all")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(s.Page.Locator("#option-history-chart .main-svg").First).ToBeVisibleAsync();
        var series = await store.OptionSeriesAsync(option.Venue, option.Symbol, [QuoteField.MarkIv, QuoteField.OpenInterest], range.First, asOf, bucket, cancellation);
        Assert.NotEmpty(series);
        await Eventually.Until(async () => (await PlotAsync(s.Page, "option-history-chart-plot")).FirstOrDefault(t => t.Name == "Mark IV")?.Y
            .SequenceEqual(series.Select(p => double.IsFinite(p.Values[0]) ? Math.Round(p.Values[0] * 100, 3) : (double?)null)) == true,
            "the option's mark IV line equal to the store's series");
        await s.Page.Locator("#option-history-oi").ClickAsync();
        await Expect(s.Page.Locator("#option-history-chart .chart-summary")).ToContainTextAsync("open interest");
        Assert.Equal(["Open interest"], (await PlotAsync(s.Page, "option-history-chart-plot")).Select(t => t.Name));
        await s.Page.Locator("#option-history-iv").ClickAsync();
        await s.ScreenshotAsync("history-option-dark");

        // Nothing serious for axe on the page in the past, with the time control, the banner and the history charts.
        await s.GotoAsync($"/?coin=BTC&view=term&at={TimeTravel.Format(asOf)}");
        await Expect(s.Page.Locator("#measure-history")).ToHaveAttributeAsync("data-state", "drawn");
        var problems = new List<string>();
        await CheckAxeAsync(s.Page, "term in the past", problems);
        await s.Page.Locator("#theme-toggle").ClickAsync();
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", "light");
        await CheckAxeAsync(s.Page, "term in the past, light", problems);
        await s.Page.Locator("#measure-history").ScrollIntoViewIfNeededAsync();
        await s.ScreenshotAsync("history-skew-light");
        await s.GotoAsync($"/?coin=BTC&at={TimeTravel.Format(asOf)}");
        await Expect(s.Page.Locator("#past-banner")).ToBeVisibleAsync();
        await CheckAxeAsync(s.Page, "table in the past, light", problems);
        Assert.True(problems.Count == 0, "serious or critical axe violations:\n" + string.Join('\n', problems));

        // A phone: the time control and the charts fit the screen, the slider still steps by keyboard.
        await s.Page.SetViewportSizeAsync(390, 844);
        await s.GotoAsync($"/?coin=BTC&view=term&at={TimeTravel.Format(asOf)}");
        await Expect(s.Page.Locator("#time-slider")).ToBeVisibleAsync();
        Assert.InRange(await s.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), 300, 390);
        var box = await s.Page.Locator("#time-slider").BoundingBoxAsync();
        Assert.True(box is { } b && b.X >= 0 && b.X + b.Width <= 390 && b.Width >= 200, $"the slider fits the phone's screen and is wide enough to use ({box?.X} + {box?.Width})");
        await Expect(s.Page.Locator("#measure-history")).ToHaveAttributeAsync("data-state", "drawn");
        await s.ScreenshotAsync("history-phone");
        // A key pressed before the page's circuit handles the slider's input is lost, and nothing would step it again:
        // pressed again until the snapshot moves (one more step right is as good as one).
        var banner = s.Page.Locator("#past-banner[data-as-of]");
        await Eventually.Until(async () =>
        {
            await s.Page.Locator("#time-slider").FocusAsync();
            await s.Page.Keyboard.PressAsync("ArrowRight");
            try
            {
                await Expect(banner).Not.ToHaveAttributeAsync("data-as-of", TimeTravel.Format(asOf), new() { Timeout = 5_000 });
                return true;
            }
            catch (PlaywrightException)
            {
                return false;
            }
        }, "one step right on the slider to show a later snapshot");
        var later = await AsOfAsync(s.Page);
        Assert.True(later > asOf, $"one step right shows a later snapshot ({TimeTravel.Format(later)} after {TimeTravel.Format(asOf)})");
    }

    private static async Task<IHistoryStore> OpenStoreAsync(DashboardSession s)
    {
        var store = s.App.Services.GetRequiredService<IHistoryStore>();
        await store.OpenAsync(s.App.Services.GetRequiredService<HistorySource>(), TestContext.Current.CancellationToken);
        return store;
    }

    /// <summary>Waits for the recorder (one snapshot a second) to have recorded <paramref name="count"/> snapshots of BTC, with measures.</summary>
    private static async Task<RecordedRange> WaitForSnapshotsAsync(IHistoryStore store, int count)
    {
        RecordedRange? range = null;
        await Eventually.Until(async () =>
        {
            range = await store.RangeAsync("BTC", TestContext.Current.CancellationToken);
            return range is { } r && r.Snapshots >= count;
        }, $"{count} snapshots of BTC recorded", 90);
        var recorded = Assert.NotNull(range);
        TestContext.Current.TestOutputHelper?.WriteLine($"recorded {recorded.Snapshots} snapshots from {TimeTravel.Format(recorded.First)} to {TimeTravel.Format(recorded.Last)}");
        return recorded;
    }

    /// <summary>A recorded board as the page's board of it reads (its rows and number format).</summary>
    private static LiveBoard BoardOf(HistoricalBoard recorded)
    {
        var board = new LiveBoard(recorded.ToBook(TimeProvider.System));
        board.Refresh(recorded.Coin, recorded.AsOf.ToUnixTimeMilliseconds());
        return board;
    }

    /// <summary>The moment the page shows, once the address names it (the page writes the snapshot's time there).</summary>
    private static async Task<DateTimeOffset> AsOfAsync(IPage page)
    {
        var banner = page.Locator("#past-banner[data-as-of]");
        await Expect(banner).ToBeVisibleAsync();
        Assert.True(TimeTravel.TryParse(await banner.GetAttributeAsync("data-as-of"), out var asOf));
        await Eventually.Until(() => AtOf(page.Url) == asOf, $"the address naming the snapshot shown, {TimeTravel.Format(asOf)} (it is {page.Url})");
        return asOf;
    }

    [GeneratedRegex(@"[?&]at=[^&]+")]
    private static partial Regex AtParameter();

    private static DateTimeOffset AtOf(string url)
    {
        var text = HttpUtility.ParseQueryString(new Uri(url).Query)[TimeTravel.Parameter];
        Assert.True(TimeTravel.TryParse(text, out var at), $"the address {url} carries an instant");
        return at;
    }

    private sealed record ShownRow(string Symbol, string Mark, string Underlying);

    private static async Task<List<ShownRow>> ShownRowsAsync(IPage page)
    {
        var json = await page.EvaluateAsync<string>("""
            () => JSON.stringify([...document.querySelectorAll('#options-table tbody tr')].filter(tr => tr.querySelector('a.option-link')).map(tr => ({
                symbol: new URL(tr.querySelector('a.option-link').href).searchParams.get('option'),
                mark: tr.querySelector('td.col-mark').textContent.trim(),
                underlying: tr.querySelector('td.col-underlying').textContent.trim() })))
            """);
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(r => new ShownRow(
            r.GetProperty("symbol").GetString()!, r.GetProperty("mark").GetString()!, r.GetProperty("underlying").GetString()!))];
    }

    private sealed record Trace(string Name, List<double?> Y);

    private static async Task<List<Trace>> PlotAsync(IPage page, string plotId)
    {
        var json = await page.EvaluateAsync<string>("id => JSON.stringify((document.getElementById(id)?.data ?? []).map(t => ({ name: t.name, y: t.y })))", plotId);
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(t => new Trace(
            t.GetProperty("name").GetString()!,
            [.. t.GetProperty("y").EnumerateArray().Select(y => y.ValueKind == JsonValueKind.Null ? (double?)null : y.GetDouble())]))];
    }

    private static async Task CheckAxeAsync(IPage page, string what, List<string> problems)
    {
        var result = await page.RunAxe();
        foreach (var violation in result.Violations.Where(v => v.Impact is "serious" or "critical"))
        {
            var nodes = string.Join("; ", violation.Nodes.Take(6).Select(n => $"{n.Target} {n.Html}"));
            problems.Add($"{what}: {violation.Id} ({violation.Impact}, {violation.Nodes.Length} nodes): {violation.Help} e.g. {nodes}");
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: {result.Violations.Length} violations ({string.Join(", ", result.Violations.Select(v => $"{v.Id}:{v.Impact}"))})");
    }
}
