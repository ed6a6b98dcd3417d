using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OptionsTracker.Dashboard;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// The Positioning view as a trader reads it: OI (or 24 h volume) by strike with calls up and puts down and max pain
/// marked, net GEX by strike with the gamma flip and the index marked, the put/call ratios and the sign convention, for
/// all expiries and one; the same figures as the strikes endpoint; dark, light and on a phone.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class PositioningViewTests
{
    /// <summary>A chart's marked levels (name → strike or level), as its figure carries them.</summary>
    private static async Task<Dictionary<string, double>> MarkersAsync(IPage page, string chartId)
    {
        var text = await page.Locator($"figure#{chartId}").GetAttributeAsync("data-markers") ?? "";
        return text.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('='))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
    }

    private static async Task<List<string>> TraceNamesAsync(IPage page, string plotId)
    {
        var json = await page.EvaluateAsync<string>("id => JSON.stringify(document.getElementById(id).data.map(t => t.name))", plotId);
        return JsonSerializer.Deserialize<List<string>>(json)!;
    }

    /// <summary>Whether the page shows what the endpoint answers for the same selection (the market being still).</summary>
    private static async Task<string?> DisagreementAsync(DashboardSession s, string query)
    {
        var body = JsonNode.Parse(await s.App.Client.GetStringAsync($"/api/analytics/BTC/strikes{query}", TestContext.Current.CancellationToken))!;
        var points = await s.Page.Locator("figure#positioning-chart").GetAttributeAsync("data-points");
        if (points != ((int)body["total"]!).ToString(CultureInfo.InvariantCulture))
            return $"{points} strikes on the page, {body["total"]} from the API";
        var sides = await MarkersAsync(s.Page, "positioning-chart");
        var gex = await MarkersAsync(s.Page, "gex-chart");
        if ((decimal?)body["max_pain"] is not { } pain || !sides.TryGetValue("max-pain", out var shown) || shown != (double)pain)
            return $"max pain {body["max_pain"]} from the API";
        var flip = (double?)body["gex_flip"];
        if (flip is { } f ? !gex.TryGetValue("flip", out var level) || Math.Abs(level - f) > 1e-6 * f : gex.ContainsKey("flip"))
            return $"flip {flip} from the API";
        if (!gex.TryGetValue("index", out var index) || index != (double)body["index_price"]!)
            return $"index {body["index_price"]} from the API";
        var data = body["data"]!.AsArray();
        var putCall = data.Sum(d => (double?)d!["put_oi"] ?? 0) / data.Sum(d => (double?)d!["call_oi"] ?? 0);
        var shownRatio = (await s.Page.Locator("#positioning-pc-oi").TextContentAsync())?.Trim();
        if (shownRatio != FigureText.Ratio(putCall))
            return $"P/C OI {shownRatio} on the page, {FigureText.Ratio(putCall)} from the API";
        return null;
    }

    private static async Task<bool> AgreesAsync(DashboardSession s, string query)
    {
        var differs = await DisagreementAsync(s, query);
        if (differs is not null)
            TestContext.Current.TestOutputHelper?.WriteLine($"not yet ({query}): {differs}");
        return differs is null;
    }

    [Fact]
    public async Task Positioning_draws_oi_and_net_gex_by_strike_with_max_pain_the_flip_and_the_index_marked_for_all_expiries_and_one()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync("/?view=positioning");

        await Expect(s.Page.Locator("#positioning-chart g.trace.bars")).ToHaveCountAsync(2);
        await Expect(s.Page.Locator("#gex-chart g.trace.bars")).ToHaveCountAsync(1);
        await Expect(s.Page.Locator("#positioning")).ToHaveAttributeAsync("data-expiry", "all");
        await Expect(s.Page.Locator("#gex-convention")).ToHaveTextAsync("dealers long calls, short puts");
        // Pictures of the live view, dark and light (both charts: the second scrolled into view).
        await s.ScreenshotAsync("positioning-dark");
        await s.Page.Locator("#gex-chart").ScrollIntoViewIfNeededAsync();
        await s.ScreenshotAsync("positioning-gex-dark");
        await s.Page.Locator("#theme-toggle").ClickAsync();
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", "light");
        // Redrawn in the light theme's ink (#24292f) before the picture.
        await Expect(s.Page.Locator("#gex-chart .xtick text").First).ToHaveCSSAsync("fill", "rgb(36, 41, 47)");
        await s.Page.Locator("#gex-chart").ScrollIntoViewIfNeededAsync();
        await s.ScreenshotAsync("positioning-gex-light");
        await s.Page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await s.ScreenshotAsync("positioning-light");

        // A still market, so the page and the endpoint show the same moment.
        s.Simulator.Faults.SilentConnections = true;
        await Eventually.Until(async () => await AgreesAsync(s, ""), "the view agreeing with the strikes endpoint (all expiries)");
        // The levels are drawn: a dashed line and a label each.
        await Expect(s.Page.Locator("#positioning-chart g.annotation").Filter(new() { HasTextString = "Max pain" })).ToHaveCountAsync(1);
        await Expect(s.Page.Locator("#gex-chart g.annotation").Filter(new() { HasTextString = "Index" })).ToHaveCountAsync(1);
        var gexMarkers = await MarkersAsync(s.Page, "gex-chart");
        await Expect(s.Page.Locator("#gex-chart .shapelayer path")).ToHaveCountAsync(gexMarkers.Count);
        if (gexMarkers.ContainsKey("flip"))
            await Expect(s.Page.Locator("#gex-chart g.annotation").Filter(new() { HasTextString = "Flip" })).ToHaveCountAsync(1);
        else
            await Expect(s.Page.Locator("#positioning-flip")).ToHaveTextAsync("none within ±30 %");
        TestContext.Current.TestOutputHelper?.WriteLine($"all expiries: markers {string.Join(", ", gexMarkers)}; {await s.Page.Locator("#gex-chart-summary").TextContentAsync()}");
        Assert.Equal(["Calls OI", "Puts OI"], await TraceNamesAsync(s.Page, "positioning-chart-plot"));

        // 24 h volume instead of open interest; the puts still below the axis.
        await s.Page.Locator("#positioning-show-volume").ClickAsync();
        await Expect(s.Page.Locator("#positioning-show-volume")).ToHaveAttributeAsync("aria-pressed", "true");
        await Eventually.Until(async () => (await TraceNamesAsync(s.Page, "positioning-chart-plot")).SequenceEqual(["Calls 24 h volume", "Puts 24 h volume"]),
            "the volume bars drawn");
        var putsDown = await s.Page.EvaluateAsync<bool>("id => document.getElementById(id).data[1].y.every(y => y === null || y <= 0)", "positioning-chart-plot");
        Assert.True(putsDown, "puts' bars below the axis");

        // One expiry, from its tab.
        var expiry = s.ExpiriesOf("BTC")[1].Label;
        await s.Page.Locator($"#expiry-tabs [data-expiry='{expiry}']").ClickAsync();
        await Expect(s.Page.Locator("#positioning")).ToHaveAttributeAsync("data-expiry", expiry);
        await Eventually.Until(async () => await AgreesAsync(s, $"?expiry={expiry}"), $"the view agreeing with the strikes endpoint ({expiry})");
        await Expect(s.Page.Locator("#positioning-chart g.annotation").Filter(new() { HasTextString = "Max pain" })).ToHaveCountAsync(1);

        // The data as a table: one row per strike.
        await s.Page.Locator("#gex-chart-data-toggle").ClickAsync();
        var strikes = await s.Page.Locator("figure#gex-chart").GetAttributeAsync("data-points");
        await Expect(s.Page.Locator("#gex-chart-data tbody tr")).ToHaveCountAsync(int.Parse(strikes!, CultureInfo.InvariantCulture));
        s.Simulator.Faults.SilentConnections = false;
    }

    [Fact]
    public async Task Positioning_fits_a_phone()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"], width: 390, height: 844);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync("/?view=positioning");

        foreach (var chart in new[] { "positioning-chart", "gex-chart" })
        {
            var plot = s.Page.Locator($"#{chart} .main-svg").First;
            await Expect(plot).ToBeVisibleAsync();
            var box = await plot.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.X >= 0 && box.X + box.Width <= 390, $"{chart} fits the screen ({box.X} + {box.Width})");
        }
        Assert.InRange(await s.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), 300, 390);
        await s.ScreenshotAsync("phone-positioning");
        await s.Page.Locator("#gex-chart").ScrollIntoViewIfNeededAsync();
        await s.ScreenshotAsync("phone-positioning-gex");
    }
}
