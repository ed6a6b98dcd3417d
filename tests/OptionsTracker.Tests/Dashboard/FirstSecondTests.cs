using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// Issue 14 item 10: the prerendered page looks ready before its circuit starts; a click then must not be lost.
/// Blazor's script is held back (<see cref="CircuitGate"/>), so each click below is certainly made before the page is
/// live, whatever the machine's speed.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class FirstSecondTests
{
    [Fact]
    public async Task Clicks_and_typing_before_the_circuit_starts_take_effect()
    {
        await using var s = await DashboardSession.StartAsync(["BTC", "ETH"]);
        await s.WaitForBookAsync("BTC", "ETH");
        var gate = await CircuitGate.HoldAsync(s.Page);
        var notLive = s.Page.Locator(".dash[data-live=off]");

        // A view and a coin are links: followed at once, before and after the circuit starts.
        await s.Page.GotoAsync(new Uri(s.BaseUrl, "/").AbsoluteUri, new() { WaitUntil = WaitUntilState.Commit });
        await Expect(notLive).ToBeVisibleAsync();
        await s.Page.Locator("nav.views [data-view=chain]").ClickAsync();
        await Expect(s.Page).ToHaveURLAsync(new Regex("view=chain"));
        await Expect(s.Page.Locator("#chain")).ToBeVisibleAsync();
        await Expect(notLive).ToBeVisibleAsync();
        await s.Page.Locator("nav.assets [data-coin=ETH]").ClickAsync();
        await Expect(s.Page).ToHaveURLAsync(new Regex("coin=ETH.*view=chain|view=chain.*coin=ETH"));
        await Expect(s.Page.Locator("nav.assets [data-coin=ETH]")).ToHaveAttributeAsync("aria-current", "true");
        gate.Release();
        await s.WaitInteractiveAsync();
        await Expect(s.Page.Locator("#chain")).ToBeVisibleAsync();

        // A sort header and the search box: held while connecting, shown as waiting, then done.
        gate.Close();
        var slots = s.SlotsOf("BTC");
        var strike = slots[slots.Count / 2].Instrument.Strike;
        var expected = slots.Count(x => x.Instrument.Strike == strike);
        await s.Page.GotoAsync(new Uri(s.BaseUrl, "/?coin=BTC").AbsoluteUri, new() { WaitUntil = WaitUntilState.Commit });
        await Expect(notLive).ToBeVisibleAsync();
        var header = s.Page.Locator("#options-table th.col-strike");
        await header.Locator("button.col-title").ClickAsync();
        await Expect(header.Locator("button.col-title")).ToHaveAttributeAsync("aria-busy", "true");
        await s.Page.Locator("#search").FillAsync(strike.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(notLive).ToBeVisibleAsync();
        gate.Release();

        await s.WaitInteractiveAsync();
        await Expect(header).ToHaveAttributeAsync("aria-sort", "ascending");
        await Expect(s.Page).ToHaveURLAsync(new Regex("sort=strike"));
        await Expect(s.Page.Locator("#row-count")).ToHaveTextAsync($"{expected} options");
        await Expect(s.Page.Locator("#search")).ToHaveValueAsync(strike.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
