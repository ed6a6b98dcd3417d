using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OptionsTracker.Dashboard;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Api;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// The Skew &amp; term view (issue 15): ATM IV with realised volatility, and RR25/BF25, against days to expiry (points per
/// expiry, a line through the constant tenors), and tables of the same figures equal to the term endpoint's.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class SkewTermTests
{
    [Fact]
    public async Task Skew_and_term_draw_their_charts_and_tables_equal_to_the_term_endpoint_and_add_realised_volatility_when_known()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var realised = s.App.Services.GetRequiredService<RealisedVolatility>();
        // None known yet (the poller has not read any for this simulated market): the view says so.
        realised.Set("BTC", []);
        await s.GotoAsync("/?view=term");

        await Expect(s.Page.Locator("#term-chart .main-svg").First).ToBeVisibleAsync();
        await Expect(s.Page.Locator("#skew-chart .main-svg").First).ToBeVisibleAsync();
        await Expect(s.Page.Locator("#term-hv-missing")).ToBeVisibleAsync();
        await Expect(s.Page.Locator("#term-expiries tbody tr")).ToHaveCountAsync(s.ExpiriesOf("BTC").Count);
        await Expect(s.Page.Locator("#term-tenors tbody tr")).ToHaveCountAsync(TermStructure.Tenors.Count);
        Assert.Equal(["ATM IV by expiry", "ATM IV at constant tenor"], (await PlotAsync(s.Page, "term-chart-plot")).Select(t => t.Name));
        Assert.Equal(["RR25 by expiry", "BF25 by expiry", "RR25 at constant tenor", "BF25 at constant tenor"], (await PlotAsync(s.Page, "skew-chart-plot")).Select(t => t.Name));
        await s.ScreenshotAsync("skew-term-dark");

        // Realised volatility arrives: the HV line, the HV and VRP columns, and no more note.
        realised.Set("BTC", [new(7, 0.41, DateTimeOffset.UtcNow), new(30, 0.47, DateTimeOffset.UtcNow), new(90, 0.52, DateTimeOffset.UtcNow)]);
        await Expect(s.Page.Locator("#term-hv-missing")).ToHaveCountAsync(0);
        await Expect(s.Page.Locator("#term-tenors tr[data-tenor='30'] td.hv")).ToHaveTextAsync("47.0%");
        // The chart is redrawn on its own schedule after the table: on a loaded machine the cell can show first.
        await Eventually.Until(async () => (await PlotAsync(s.Page, "term-chart-plot")).Any(t => t.Name == "HV (realised)"),
            "the term chart's HV (realised) line");

        // A still market, so the page and the endpoint show one snapshot.
        s.Simulator.Faults.SilentConnections = true;
        using var http = s.App.Http();
        string[][] shown = [], expected = [];
        JsonNode term = null!;
        await Eventually.Until(async () =>
        {
            term = await OptionsApiTests.GetJsonAsync(http, "/api/analytics/BTC/term");
            expected = [.. Expected(term)];
            shown = [.. await ShownAsync(s.Page)];
            return shown.Length == expected.Length && shown.Zip(expected).All(p => p.First.SequenceEqual(p.Second));
        }, "the view's tables equal to the term endpoint's figures");
        foreach (var row in shown)
            TestContext.Current.TestOutputHelper?.WriteLine(string.Join(" | ", row));
        // Not dashes against nulls: the simulated board forms these.
        Assert.Contains(shown, r => r[0] == "30" && r.Skip(1).All(c => c != Display.Missing));
        Assert.True(shown.Count(r => r[0].Length > 3 && r[3] != Display.Missing) >= 2, "expiries with an RR25");

        // The charts hold the same numbers: ATM IV by expiry, one point per expiry with one, in percent.
        var atm = (await PlotAsync(s.Page, "term-chart-plot")).Single(t => t.Name == "ATM IV by expiry");
        var endpointAtm = term["data"]!.AsArray().Where(d => d!["atm_iv"] is not null).Select(d => Math.Round((double)d!["atm_iv"]! * 100, 3)).ToList();
        Assert.Equal(endpointAtm, atm.Y.Select(y => y!.Value));

        // The skew chart's data table lists every x once: the expiries' days and the tenors'.
        var skew = await PlotAsync(s.Page, "skew-chart-plot");
        await s.Page.Locator("#skew-chart-data-toggle").ClickAsync();
        await Expect(s.Page.Locator("#skew-chart-data tbody tr")).ToHaveCountAsync(skew.SelectMany(t => t.X).Distinct().Count());
        await Expect(s.Page.Locator("#skew-chart-data thead th")).ToHaveTextAsync(["Days to expiry", "RR25 by expiry", "BF25 by expiry", "RR25 at constant tenor", "BF25 at constant tenor"]);

        await s.Page.Locator("#term-expiries").ScrollIntoViewIfNeededAsync();
        await s.ScreenshotAsync("skew-term-tables-dark");
        await s.Page.Locator("#theme-toggle").ClickAsync();
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", "light");
        await s.Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Expect(s.Page.Locator("#term-chart .main-svg").First).ToBeVisibleAsync();
        await s.ScreenshotAsync("skew-term-light");
        s.Simulator.Faults.SilentConnections = false;
    }

    [Fact]
    public async Task Skew_and_term_fit_a_phone()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"], width: 390, height: 844);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync("/?view=term");

        await Expect(s.Page.Locator("#term-expiries tbody tr")).ToHaveCountAsync(s.ExpiriesOf("BTC").Count);
        foreach (var id in new[] { "term-chart", "skew-chart" })
        {
            var plot = s.Page.Locator($"#{id} .main-svg").First;
            await Expect(plot).ToBeVisibleAsync();
            var box = await plot.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.X >= 0 && box.X + box.Width <= 390, $"the {id} fits the screen ({box.X} + {box.Width})");
        }
        // The page itself never scrolls sideways; a table wider than the screen scrolls inside its own frame.
        Assert.InRange(await s.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), 300, 390);
        foreach (var id in new[] { "term-expiries", "term-tenors" })
        {
            var frame = await s.Page.Locator($"#{id}").Locator("xpath=..").BoundingBoxAsync();
            Assert.NotNull(frame);
            Assert.True(frame.X >= 0 && frame.X + frame.Width <= 390, $"the {id} frame fits the screen ({frame.X} + {frame.Width})");
        }
        await s.ScreenshotAsync("skew-term-phone");
        await s.Page.Locator("#term-expiries").ScrollIntoViewIfNeededAsync();
        await s.ScreenshotAsync("skew-term-phone-tables");
    }

    /// <summary>The tables as the endpoint's numbers read on the page: per expiry label, ATM IV, RR25, BF25, RR10, BF10; per tenor, ATM IV, RR25, BF25, HV, VRP.</summary>
    private static IEnumerable<string[]> Expected(JsonNode term)
    {
        static double Value(JsonNode? node) => node is null ? double.NaN : (double)node;
        var format = CoinFormat.Plain;
        foreach (var d in term["data"]!.AsArray())
        {
            yield return [(string)d!["expiry"]!, format.Iv(Value(d["atm_iv"])), FigureText.VolPoints(Value(d["rr25"])), FigureText.VolPoints(Value(d["bf25"])),
                FigureText.VolPoints(Value(d["rr10"])), FigureText.VolPoints(Value(d["bf10"]))];
        }
        foreach (var t in term["tenors"]!.AsArray())
        {
            yield return [((double)t!["tenor_days"]!).ToString(CultureInfo.InvariantCulture), format.Iv(Value(t["atm_iv"])), FigureText.VolPoints(Value(t["rr25"])),
                FigureText.VolPoints(Value(t["bf25"])), format.Iv(Value(t["hv"])), FigureText.VolPoints(Value(t["vrp"]))];
        }
    }

    /// <summary>The tables' rows as shown: the row's key, then its figures (days left out: they move with the clock).</summary>
    private static async Task<IEnumerable<string[]>> ShownAsync(IPage page)
    {
        var expiries = await page.Locator("#term-expiries tbody tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.expiry, ...['atm-iv', 'rr25', 'bf25', 'rr10', 'bf10'].map(c => r.querySelector('td.' + c).textContent.trim())])");
        var tenors = await page.Locator("#term-tenors tbody tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.tenor, ...['atm-iv', 'rr25', 'bf25', 'hv', 'vrp'].map(c => r.querySelector('td.' + c).textContent.trim())])");
        return expiries.Concat(tenors);
    }

    private sealed record Trace(string Name, List<double> X, List<double?> Y);

    /// <summary>The traces Plotly drew, as the browser holds them.</summary>
    private static async Task<List<Trace>> PlotAsync(IPage page, string plotId)
    {
        var json = await page.EvaluateAsync<string>("id => JSON.stringify(document.getElementById(id).data.map(t => ({ name: t.name, x: t.x, y: t.y })))", plotId);
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(t => new Trace(
            t.GetProperty("name").GetString()!,
            [.. t.GetProperty("x").EnumerateArray().Select(x => x.GetDouble())],
            [.. t.GetProperty("y").EnumerateArray().Select(y => y.ValueKind == JsonValueKind.Null ? (double?)null : y.GetDouble())]))];
    }
}
