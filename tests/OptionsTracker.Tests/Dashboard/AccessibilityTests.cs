using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

[Collection(nameof(DashboardCollection))]
public sealed class AccessibilityTests
{
    private static readonly string[] Views = ["table", "chain", "smile", "term"];

    [Fact]
    public async Task Axe_finds_nothing_serious_on_any_view_in_either_theme_and_the_light_theme_never_paints_dark()
    {
        await using var s = await DashboardSession.StartAsync(["BTC", "ETH"]);
        await s.WaitForBookAsync("BTC", "ETH");
        var problems = new List<string>();

        await s.GotoAsync();
        await CheckViewsAsync(s, "dark", problems);

        await s.Page.Locator("#theme-toggle").ClickAsync();
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", "light");

        // The server renders the chosen theme: light from the first paint, before the circuit starts.
        var gate = await CircuitGate.HoldAsync(s.Page);
        await s.Page.GotoAsync(new Uri(s.BaseUrl, "/").AbsoluteUri, new() { WaitUntil = WaitUntilState.Commit });
        await Expect(s.Page.Locator(".dash[data-live=off]")).ToHaveAttributeAsync("data-theme", "light");
        var background = await s.Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.Equal("rgb(255, 255, 255)", background);
        gate.Release();
        await s.WaitInteractiveAsync();
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", "light");
        await s.ScreenshotAsync("table-light");

        await CheckViewsAsync(s, "light", problems);
        Assert.True(problems.Count == 0, "serious or critical axe violations:\n" + string.Join('\n', problems));
    }

    private static async Task CheckViewsAsync(DashboardSession s, string theme, List<string> problems)
    {
        foreach (var view in Views)
        {
            await s.GotoAsync(view == "table" ? "/" : $"/?view={view}");
            await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", theme);
            await Expect(s.Page.Locator(view switch { "table" => "#options-table tbody tr", "chain" => "#chain tbody tr", _ => ".js-plotly-plot" }).First).ToBeVisibleAsync();
            var result = await s.Page.RunAxe();
            foreach (var violation in result.Violations.Where(v => v.Impact is "serious" or "critical"))
            {
                var nodes = string.Join("; ", violation.Nodes.DistinctBy(n => n.Html.Length > 40 ? n.Html[..40] : n.Html).Take(6).Select(n => $"{n.Target} {n.Html} {n.Any.FirstOrDefault()?.Message}"));
                problems.Add($"{theme} {view}: {violation.Id} ({violation.Impact}, {violation.Nodes.Length} nodes): {violation.Help} e.g. {nodes}");
            }
            TestContext.Current.TestOutputHelper?.WriteLine($"{theme} {view}: {result.Violations.Length} violations ({string.Join(", ", result.Violations.Select(v => $"{v.Id}:{v.Impact}"))})");
        }
    }
}
