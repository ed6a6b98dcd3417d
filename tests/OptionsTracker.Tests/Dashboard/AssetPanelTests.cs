using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

[Collection(nameof(DashboardCollection))]
public sealed class AssetPanelTests
{
    [Fact]
    public async Task Against_a_simulator_listing_every_option_coin_XRP_is_added_by_its_labelled_box_and_removed_only_after_Yes()
    {
        // As `--demo`: the simulator lists every coin Bybit lists options for, the tracker tracks only its own.
        await using var s = await DashboardSession.StartAsync(listed: [.. SimulatorOptions.ExchangeOptionCoins], tracked: ["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync();
        await Expect(s.Page.Locator("nav.assets [data-coin=XRP]")).ToHaveCountAsync(0);

        await s.Page.Locator("#manage-assets").ClickAsync();
        // The box is found by its visible label, as a screen reader names it.
        var box = s.Page.GetByLabel("Add a coin");
        await Expect(s.Page.Locator("label[for=add-coin]")).ToBeVisibleAsync();
        await box.FillAsync("xrp");
        await s.Page.Locator("#add-coin-submit").ClickAsync();
        await Expect(s.Page.Locator("#asset-message")).ToHaveTextAsync("XRP added: subscribing now.");

        var xrp = s.Page.Locator("nav.assets [data-coin=XRP]");
        await Expect(xrp.Locator(".asset-atm")).ToHaveTextAsync(new Regex(@"^ATM [\d,.]+$"), new() { Timeout = 30_000 });
        await s.WaitForBookAsync("XRP");
        await xrp.ClickAsync();
        await Expect(s.Rows.First.Locator("td.col-symbol")).ToHaveTextAsync(new Regex("^XRP-"));

        // Remove asks first, in the row; No keeps the coin.
        var row = s.Page.Locator("#asset-panel li[data-coin=XRP]");
        await row.Locator("button.remove").ClickAsync();
        await Expect(row.Locator(".confirm-remove")).ToContainTextAsync("Remove XRP?");
        await s.ScreenshotAsync("assets-confirm-remove");
        await row.Locator("button.confirm-no").ClickAsync();
        await Expect(row.Locator(".confirm-remove")).ToHaveCountAsync(0);
        await Expect(row.Locator("button.remove")).ToBeVisibleAsync();
        await Expect(xrp).ToBeVisibleAsync();
        Assert.True(s.Book.Index.TryGetCoin("XRP", out _));

        // Yes removes it.
        await row.Locator("button.remove").ClickAsync();
        await row.Locator("button.confirm-yes").ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        await Expect(xrp).ToHaveCountAsync(0);
        await Expect(s.Page.Locator("#asset-message")).ToHaveTextAsync("XRP removed.");
        await Eventually.Until(() => !s.Book.Index.TryGetCoin("XRP", out _), "XRP's options leaving the book");
    }
}
