using System.Text.Json;
using Microsoft.Playwright;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>The smile and term charts as a trader reads them: no invented points, a delta axis that runs one way, words and a table for those who cannot see the plot, and a fit on a phone.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class ChartTests
{
    [Fact]
    public async Task Smile_leaves_out_a_missing_bid_and_runs_from_the_put_wing_to_the_call_wing_against_delta()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var nearest = s.ExpiriesOf("BTC")[0];
        var index = s.Simulator.GetIndexPrice("BTC");
        // The out-of-the-money put two strikes below the index loses its bid: a mark under one tick leaves no bid.
        var put = nearest.Slots.Select(x => x.Instrument)
            .Where(i => i.Type == OptionType.Put && i.StrikeValue < index)
            .OrderByDescending(i => i.StrikeValue).Skip(2).First();
        s.Simulator.SetMarkPrice(put.Symbol, 0.5);
        await Eventually.Until(() => s.Book.Index.TryGetSlot(Venue.Bybit, put.Symbol, out var slot) && slot.ReadQuote().BidPrice == 0,
            "the simulator's empty bid reaching the book");

        await s.GotoAsync($"/?view=smile&expiry={nearest.Label}");
        await Expect(s.Page.Locator("#smile-chart g.trace.scatter").First.Locator("path.point")).Not.ToHaveCountAsync(0);
        var traces = await PlotDataAsync(s.Page, "smile-chart-plot");
        var bid = traces.Single(t => t.Name == "Bid IV");
        var at = bid.X.IndexOf(put.StrikeValue);
        Assert.True(at >= 0, "the strike with no bid is on the chart's x axis");
        Assert.Null(bid.Y[at]);
        // No point anywhere at 0 %: a missing value is a gap.
        Assert.DoesNotContain(bid.Y, y => y is <= 0);
        Assert.DoesNotContain(traces.Single(t => t.Name == "Ask IV").Y, y => y is <= 0);

        await s.Page.Locator("#smile-axis").SelectOptionAsync("delta");
        await Expect(s.Page.Locator("#smile-chart .xtitle")).ToHaveTextAsync("Delta");
        await Expect(s.Page.Locator("#smile-chart .xtick text").First).ToHaveTextAsync("10Δ put");
        await Expect(s.Page.Locator("#smile-chart .xtick text").Nth(2)).ToHaveTextAsync("ATM");
        await Expect(s.Page.Locator("#smile-chart .xtick text").Last).ToHaveTextAsync("10Δ call");
        var mark = (await PlotDataAsync(s.Page, "smile-chart-plot")).Single(t => t.Name == "Mark IV");
        // One way from the put wing to the call wing: ascending, inside (0, 1), no spike where the wings meet.
        Assert.True(mark.X.Count > 5);
        Assert.Equal(mark.X.Order(), mark.X);
        Assert.All(mark.X, x => Assert.InRange(x, 0, 1));
        await s.ScreenshotAsync("smile-delta");
    }

    [Fact]
    public async Task Charts_say_in_words_what_they_show_and_give_their_data_as_a_table()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var nearest = s.ExpiriesOf("BTC")[0];
        var strikes = nearest.Slots.Select(x => x.Instrument.Strike).Distinct().Count();
        await s.GotoAsync($"/?view=smile&expiry={nearest.Label}");

        var figure = s.Page.Locator("figure#smile-chart");
        await Expect(figure).ToHaveAccessibleNameAsync(new System.Text.RegularExpressions.Regex($@"BTC .* IV smile: {strikes} strikes; mark IV lowest [\d.]+% at strike [\d,]+, highest"));
        var toggle = s.Page.Locator("#smile-chart-data-toggle");
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(s.Page.Locator("#smile-chart-data tbody tr")).ToHaveCountAsync(strikes);
        await Expect(s.Page.Locator("#smile-chart-data thead th")).ToHaveTextAsync(["Strike", "Mark IV", "Bid IV", "Ask IV"]);

        await s.GotoAsync("/?view=term");
        await Expect(s.Page.Locator("figure#term-chart")).ToHaveAccessibleNameAsync(
            new System.Text.RegularExpressions.Regex($@"BTC ATM IV term structure: {s.ExpiriesOf("BTC").Count} expiries, from [\d.]+% at "));

        // Both charts in the light theme, for the artifacts (the dark ones come from the tests above and LiveTests).
        await s.Page.Locator("#theme-toggle").ClickAsync();
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", "light");
        await Expect(s.Page.Locator("#term-chart .main-svg").First).ToBeVisibleAsync();
        await s.ScreenshotAsync("term-structure-light");
        await s.GotoAsync($"/?view=smile&expiry={nearest.Label}&x=delta");
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", "light");
        await Expect(s.Page.Locator("#smile-chart .xtick text").First).ToHaveTextAsync("10Δ put");
        await s.ScreenshotAsync("smile-light");
    }

    [Fact]
    public async Task Charts_fit_a_phone_and_the_legend_sits_clear_of_the_plot_and_its_tool_bar()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"], width: 390, height: 844);
        await s.WaitForBookAsync("BTC");
        foreach (var view in new[] { "smile", "term" })
        {
            await s.GotoAsync($"/?view={view}");
            var plot = s.Page.Locator($"#{view}-chart .main-svg").First;
            await Expect(plot).ToBeVisibleAsync();
            Assert.InRange(await s.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), 300, 390);
            var svg = await plot.BoundingBoxAsync();
            Assert.NotNull(svg);
            Assert.True(svg.X >= 0 && svg.X + svg.Width <= 390, $"the {view} chart fits the screen ({svg.X} + {svg.Width})");
            await s.ScreenshotAsync($"phone-{view}");
            if (view == "term")
                continue; // One series: Plotly draws no legend.
            // The legend under the plot area: the mode bar (top right, on hover or tap) never covers it.
            await plot.HoverAsync();
            var legend = await s.Page.Locator($"#{view}-chart g.legend").BoundingBoxAsync();
            var plotArea = await s.Page.Locator($"#{view}-chart g.cartesianlayer .bg, #{view}-chart rect.nsewdrag").First.BoundingBoxAsync();
            Assert.NotNull(legend);
            Assert.NotNull(plotArea);
            Assert.True(legend.Y >= plotArea.Y + plotArea.Height, $"the {view} legend ({legend.Y}) sits under the plot area ({plotArea.Y} + {plotArea.Height})");
            var modeBar = await s.Page.Locator($"#{view}-chart .modebar").BoundingBoxAsync();
            if (modeBar is not null)
                Assert.True(modeBar.Y + modeBar.Height <= legend.Y, $"the {view} mode bar does not cover the legend");
        }
    }

    private sealed record Trace(string Name, List<double> X, List<double?> Y);

    /// <summary>The traces Plotly drew, as the browser holds them (x as numbers).</summary>
    private static async Task<List<Trace>> PlotDataAsync(IPage page, string plotId)
    {
        var json = await page.EvaluateAsync<string>("id => JSON.stringify(document.getElementById(id).data.map(t => ({ name: t.name, x: t.x, y: t.y })))", plotId);
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(t => new Trace(
            t.GetProperty("name").GetString()!,
            [.. t.GetProperty("x").EnumerateArray().Select(x => x.GetDouble())],
            [.. t.GetProperty("y").EnumerateArray().Select(y => y.ValueKind == JsonValueKind.Null ? (double?)null : y.GetDouble())]))];
    }
}
