using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using OptionsTracker.Dashboard;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// The strategy builder on the dashboard (issue 18): legs picked from the chain's bid (sell) and ask (buy) by mouse and
/// keyboard, a quantity changed, the address shared and reopened on another page with the same legs, the payoff chart
/// drawn, a preset filling the legs with the figures the API computes for the same legs, and a leg no longer listed
/// saying so.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class StrategyBuilderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ILocator Legs(IPage page) => page.Locator("#strategy-legs tbody tr.strategy-leg");

    /// <summary>The chart has drawn: Plotly's SVG is in the figure and its first series has points.</summary>
    private static async Task ExpectChartAsync(IPage page)
    {
        await Expect(page.Locator("#strategy-payoff-plot .main-svg").First).ToBeVisibleAsync();
        var points = await page.Locator("#strategy-payoff").GetAttributeAsync("data-points");
        Assert.True(int.Parse(points!, CultureInfo.InvariantCulture) >= 200, $"the payoff curve has {points} points");
        await Expect(page.Locator("#strategy-payoff-plot .scatterlayer .trace").First).ToBeAttachedAsync();
    }

    [Fact]
    public async Task A_strategy_built_by_clicking_the_chain_keeps_its_legs_in_the_address_and_reopens_from_it()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var page = s.Page;
        await s.GotoAsync("/?view=strategy");
        await Expect(page.Locator("#strategy-empty")).ToBeVisibleAsync();
        await Expect(page.Locator("#chain tbody tr.atm")).ToHaveCountAsync(1);

        // The ATM call's ask buys it; the ATM put's bid sells it. The chain stays where it was, ready for the next click.
        var atm = page.Locator("#chain tbody tr.atm");
        var call = atm.Locator("td.call-side button.pick-buy");
        var put = atm.Locator("td.put-side button.pick-sell");
        await Expect(call).ToHaveCSSAsync("cursor", "pointer");
        var callSymbol = await call.GetAttributeAsync("data-symbol");
        var putSymbol = await put.GetAttributeAsync("data-symbol");
        await call.ClickAsync();
        await Expect(Legs(page)).ToHaveCountAsync(1);
        await Expect(Legs(page).Nth(0)).ToHaveAttributeAsync("data-side", "buy");
        await Expect(Legs(page).Nth(0)).ToHaveAttributeAsync("data-symbol", callSymbol!);
        await put.ClickAsync();
        await Expect(Legs(page)).ToHaveCountAsync(2);
        await Expect(Legs(page).Nth(1)).ToHaveAttributeAsync("data-side", "sell");
        await Expect(page.Locator("#chain tbody tr.atm td.picked")).Not.ToHaveCountAsync(0);

        // By keyboard: a pick button takes the focus and Enter adds its leg (the put's ask: buy it back, a third leg).
        await atm.Locator("td.put-side button.pick-buy").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(Legs(page)).ToHaveCountAsync(3);
        await Legs(page).Nth(2).Locator("button.leg-remove").ClickAsync();
        await Expect(Legs(page)).ToHaveCountAsync(2);

        // The figures and the chart.
        await Expect(page.Locator("#strategy-view")).ToHaveAttributeAsync("data-evaluated", "yes");
        await ExpectChartAsync(page);
        await Expect(page.Locator("#strategy-pop")).ToContainTextAsync("%");
        await Expect(page.Locator("#strategy-greeks tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("#strategy-grid tbody tr")).ToHaveCountAsync(9);
        // A long call and a short put: a synthetic long forward, unbounded above, its loss bounded by the forward falling to 0.
        await Expect(page.Locator("#strategy-max-profit")).ToHaveTextAsync("unbounded");
        await Expect(page.Locator("#strategy-max-loss")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[0-9,.]+$"));

        // axe finds nothing serious or critical on the builder with its legs, figures, chart, grid and pickable chain.
        var axe = await page.RunAxe();
        TestContext.Current.TestOutputHelper?.WriteLine($"axe: {axe.Violations.Length} violations ({string.Join(", ", axe.Violations.Select(v => $"{v.Id}:{v.Impact}"))})");
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} e.g. {string.Join("; ", v.Nodes.Take(4).Select(n => n.Html))}").ToList();
        Assert.True(serious.Count == 0, "serious or critical axe violations:\n" + string.Join('\n', serious));

        // The quantity: three calls.
        var quantity = Legs(page).Nth(0).Locator("input.leg-quantity");
        await quantity.FillAsync("3");
        await quantity.PressAsync("Tab");
        await Expect(Legs(page).Nth(0)).ToHaveAttributeAsync("data-quantity", "3");
        await Eventually.Until(() => Uri.UnescapeDataString(page.Url).Contains($"{callSymbol}:b:3,{putSymbol}:s:1", StringComparison.Ordinal),
            "the address holding both legs, the call's quantity 3", 30);
        var shared = page.Url;
        TestContext.Current.TestOutputHelper?.WriteLine("shared: " + Uri.UnescapeDataString(shared));

        // Another page opens the link on the same strategy, and the chart draws there too.
        var other = await s.Context.NewPageAsync();
        await other.GotoAsync(shared);
        await Expect(other.Locator(".dash[data-live=on]")).ToBeVisibleAsync(new() { Timeout = 40_000 });
        await Expect(Legs(other)).ToHaveCountAsync(2);
        await Expect(Legs(other).Nth(0)).ToHaveAttributeAsync("data-symbol", callSymbol!);
        await Expect(Legs(other).Nth(0)).ToHaveAttributeAsync("data-quantity", "3");
        await Expect(Legs(other).Nth(1)).ToHaveAttributeAsync("data-side", "sell");
        await Expect(other.Locator("#strategy-view")).ToHaveAttributeAsync("data-evaluated", "yes");
        await ExpectChartAsync(other);

        // A link naming an option that is not (or no longer) listed says so, and keeps the rest.
        await other.GotoAsync(shared + Uri.EscapeDataString(",BTC-1JAN21-10000-C:b:1"));
        await Expect(other.Locator(".dash[data-live=on]")).ToBeVisibleAsync(new() { Timeout = 40_000 });
        await Expect(Legs(other)).ToHaveCountAsync(3);
        await Expect(Legs(other).Nth(2)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("leg-gone"));
        await Expect(Legs(other).Nth(2).Locator(".leg-status")).ToContainTextAsync("not listed");
        await Expect(other.Locator("#strategy-gone")).ToContainTextAsync("1 leg is no longer on the board");
        await Expect(other.Locator("#strategy-view")).ToHaveAttributeAsync("data-evaluated", "yes");
    }

    [Fact]
    public async Task A_preset_fills_the_legs_and_the_page_shows_what_the_api_computes_for_them()
    {
        // Tall enough for the screenshot to show the legs, the figures, the chart and the grid.
        await using var s = await DashboardSession.StartAsync(["BTC"], height: 1600);
        await s.WaitForBookAsync("BTC");
        var page = s.Page;
        // The expiry with the most strikes, so the condor's wings three strikes out are listed.
        Assert.True(s.Book.Index.TryGetCoin("BTC", out var coin));
        var widest = coin.Expiries.MaxBy(e => e.Slots.Count)!.Label;
        await s.GotoAsync($"/?view=strategy&expiry={widest}");
        await page.Locator("#strategy-preset").SelectOptionAsync("iron_condor");
        await page.Locator("#strategy-preset-expiry").SelectOptionAsync(widest);
        await page.Locator("#strategy-apply-preset").ClickAsync();
        await Expect(Legs(page)).ToHaveCountAsync(4);
        await ExpectChartAsync(page);
        // An iron condor is bounded on both sides.
        await Expect(page.Locator("#strategy-max-profit")).Not.ToHaveTextAsync("unbounded");
        await Expect(page.Locator("#strategy-max-loss")).Not.ToHaveTextAsync("unbounded");
        await Expect(page.Locator("#strategy-breakevens")).ToContainTextAsync(",");

        // With the board held still, the page and the API evaluate the same legs to the same figures.
        s.Simulator.Faults.SilentConnections = true;
        var legs = new List<object>();
        for (var i = 0; i < 4; i++)
        {
            var row = Legs(page).Nth(i);
            legs.Add(new
            {
                symbol = await row.GetAttributeAsync("data-symbol"),
                side = await row.GetAttributeAsync("data-side"),
                quantity = double.Parse((await row.GetAttributeAsync("data-quantity"))!, CultureInfo.InvariantCulture),
            });
        }
        using var http = s.App.Http();
        await Eventually.Until(async () =>
        {
            using var response = await http.PostAsJsonAsync("/api/strategy/evaluate", new { legs }, Ct);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
            var maxProfit = StrategyText.Extreme((double?)body["max_profit"]);
            var maxLoss = StrategyText.Extreme((double?)body["max_loss"]);
            var touch = (double)body["entry"]!["touch"]!["premium"]!;
            var shown = (await page.Locator("#strategy-max-profit").TextContentAsync(), await page.Locator("#strategy-max-loss").TextContentAsync(),
                await page.Locator("#strategy-net-premium").TextContentAsync());
            TestContext.Current.TestOutputHelper?.WriteLine($"api {maxProfit} / {maxLoss} / {touch}; page {shown}");
            return shown.Item1 == maxProfit && shown.Item2 == maxLoss && shown.Item3!.StartsWith(StrategyText.Usd(touch) + " USD", StringComparison.Ordinal);
        }, "the page's max profit, max loss and net premium equal the API's for the same legs", 60);

        Directory.CreateDirectory(DashboardSession.ScreenshotDirectory);
        await page.Locator("#strategy-view").ScrollIntoViewIfNeededAsync();
        await s.ScreenshotAsync("strategy-builder");

        // Saved by name (the tracker's library: the state folder's file here), cleared, and opened again.
        await page.Locator("#strategy-name").FillAsync("Condor " + widest);
        await page.Locator("#strategy-name").PressAsync("Tab");
        await page.Locator("#strategy-save").ClickAsync();
        await Expect(page.Locator("#strategy-keep-note")).ToHaveTextAsync($"Saved “Condor {widest}”.");
        await page.Locator("#strategy-clear").ClickAsync();
        await Expect(page.Locator("#strategy-empty")).ToBeVisibleAsync();
        await page.Locator("#strategy-saved").SelectOptionAsync("Condor " + widest);
        await page.Locator("#strategy-open").ClickAsync();
        await Expect(Legs(page)).ToHaveCountAsync(4);
        await Expect(page.Locator("#strategy-view")).ToHaveAttributeAsync("data-evaluated", "yes");
    }
}
