using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

[Collection(nameof(DashboardCollection))]
public sealed class LayoutTests
{
    [Fact]
    public async Task Dark_theme_by_default_light_on_request_and_remembered()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync();
        var dash = s.Page.Locator(".dash");
        await Expect(dash).ToHaveAttributeAsync("data-theme", "dark");

        await s.Page.Locator("#theme-toggle").ClickAsync();
        await Expect(dash).ToHaveAttributeAsync("data-theme", "light");
        await s.ScreenshotAsync("table-light");

        await s.ReloadAsync();
        await Expect(dash).ToHaveAttributeAsync("data-theme", "light");
    }

    [Fact]
    public async Task Phone_sized_screen_keeps_the_page_within_its_width()
    {
        await using var s = await DashboardSession.StartAsync(["BTC", "ETH"], width: 390, height: 844);
        await s.WaitForBookAsync("BTC", "ETH");
        await s.GotoAsync("/?size=25");

        await Expect(s.Rows).ToHaveCountAsync(25);
        await Expect(s.Page.Locator("nav.assets [data-coin=ETH]")).ToBeInViewportAsync();
        // The table scrolls sideways inside its frame; the page itself does not.
        var pageWidth = await s.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.InRange(pageWidth, 300, 390);
        await s.ScreenshotAsync("phone-table");

        await s.Page.Locator("nav.views [data-view=chain]").ClickAsync();
        await Expect(s.Page.Locator("#chain tbody tr.atm")).ToHaveCountAsync(1);
        pageWidth = await s.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.InRange(pageWidth, 300, 390);
        await s.ScreenshotAsync("phone-chain");
        await Expect(s.Page).ToHaveURLAsync(new Regex("view=chain"));
    }
}
