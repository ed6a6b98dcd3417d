using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

[Collection(nameof(DashboardCollection))]
public sealed class KeyboardTests
{
    [Fact]
    public async Task Pressed_states_columns_menu_closing_and_shortcuts()
    {
        await using var s = await DashboardSession.StartAsync(["BTC", "ETH"]);
        await s.WaitForBookAsync("BTC", "ETH");
        await s.GotoAsync();
        var page = s.Page;

        // Toggle buttons say whether they are pressed; the coin and view links which one is current.
        var assets = page.Locator("#manage-assets");
        await Expect(assets).ToHaveAttributeAsync("aria-pressed", "false");
        await assets.ClickAsync();
        await Expect(assets).ToHaveAttributeAsync("aria-pressed", "true");
        await assets.ClickAsync();
        await Expect(assets).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(page.Locator("nav.assets [data-coin=BTC]")).ToHaveAttributeAsync("aria-current", "true");
        await Expect(page.Locator("nav.assets [data-coin=ETH]")).Not.ToHaveAttributeAsync("aria-current", "true");
        await Expect(page.Locator("nav.views [data-view=table]")).ToHaveAttributeAsync("aria-current", "true");

        // The Columns menu: Escape closes it (focus back on its button), so does a click outside; a click inside does not.
        var toggle = page.Locator("#columns-toggle");
        var menu = page.Locator("#column-menu");
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        await toggle.ClickAsync();
        await Expect(menu).ToBeVisibleAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        await page.Locator("#col-toggle-gamma").FocusAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(menu).ToHaveCountAsync(0);
        await Expect(toggle).ToBeFocusedAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");

        await toggle.ClickAsync();
        await page.Locator("#col-toggle-gamma").UncheckAsync();
        await Expect(page.Locator("#options-table th.col-gamma")).ToHaveCountAsync(0);
        await Expect(menu).ToBeVisibleAsync();
        await page.Locator("header.top h1").ClickAsync();
        await Expect(menu).ToHaveCountAsync(0);

        // Shortcuts: digits choose views, "/" the search box, "?" the list; not while typing.
        await page.Locator("header.top h1").ClickAsync();
        await page.Keyboard.PressAsync("2");
        await Expect(page).ToHaveURLAsync(new Regex("view=chain"));
        await Expect(page.Locator("#chain")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("4");
        await Expect(page).ToHaveURLAsync(new Regex("view=term"));
        await page.Keyboard.PressAsync("/");
        await Expect(page).Not.ToHaveURLAsync(new Regex("view="));
        var search = page.Locator("#search");
        await Expect(search).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("2?");
        await Expect(search).ToHaveValueAsync("2?");
        await Expect(page).Not.ToHaveURLAsync(new Regex("view="));
        await Expect(page.Locator("#shortcuts")).ToBeHiddenAsync();
        await search.FillAsync("");

        await page.Locator("header.top h1").ClickAsync();
        await page.Keyboard.PressAsync("?");
        var help = page.Locator("#shortcuts");
        await Expect(help).ToBeVisibleAsync();
        await Expect(help).ToContainTextAsync("Chain");
        await page.Keyboard.PressAsync("Escape");
        await Expect(help).ToBeHiddenAsync();
        await page.Keyboard.PressAsync("3");
        await Expect(page).ToHaveURLAsync(new Regex("view=smile"));
        await page.Keyboard.PressAsync("1");
        await Expect(page).Not.ToHaveURLAsync(new Regex("view="));
    }
}
