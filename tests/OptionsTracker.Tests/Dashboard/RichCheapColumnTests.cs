using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;
using OptionsTracker.Dashboard;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// The chain's optional "Rich/cheap" column (issue 15): off by default, chosen per side in the column menu, it shows each
/// quoted option's SVI residual (mark IV − the expiry's fitted IV) in vol points with its sign, the same figures the
/// snapshot holds; the option detail says it in a line.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class RichCheapColumnTests
{
    private static readonly Regex Signed = new(@"^([+\u2212]\d+\.\d|0\.0)$");

    [Fact]
    public async Task Rich_cheap_column_is_off_by_default_and_once_chosen_shows_each_options_signed_residual_from_the_fit()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var expiry = s.ExpiriesOf("BTC")[1];
        await s.GotoAsync($"/?view=chain&expiry={expiry.Label}");
        await Expect(s.Page.Locator("#chain tbody tr.atm")).ToHaveCountAsync(1);
        await Expect(s.Page.Locator("#chain th.c-rich-cheap")).ToHaveCountAsync(0);

        await s.Page.Locator("#chain-columns-toggle").ClickAsync();
        await s.Page.Locator("#chain-col-calls-rich-cheap").CheckAsync();
        await s.Page.Locator("#chain-col-puts-rich-cheap").CheckAsync();
        await s.Page.Keyboard.PressAsync("Escape");
        var header = s.Page.Locator("#chain thead th.c-rich-cheap");
        await Expect(header).ToBeVisibleAsync();
        await Expect(header).ToHaveTextAsync("Rich/cheap");
        await Expect(header).ToHaveAttributeAsync("title", new Regex("SVI smile fit.*vol points"));
        await Expect(s.Page.Locator("#chain thead th.p-rich-cheap")).ToBeVisibleAsync();

        // A still market: the page and the snapshot read here show the same fit.
        s.Simulator.Faults.SilentConnections = true;
        var analytics = s.App.Services.GetRequiredService<MarketAnalytics>();
        string[] shown = [], expected = [];
        await Eventually.Until(async () =>
        {
            var fit = SmileResidual.FitOf(analytics.Get("BTC"), expiry.ExpiryUtc);
            Assert.NotNull(fit);
            var bySymbol = fit.Options.ToDictionary(o => o.Slot.Instrument.Symbol, o => o.Residual);
            var lines = s.Page.Locator("#chain tbody tr");
            var count = await lines.CountAsync();
            var page = new List<string>();
            var wanted = new List<string>();
            for (var i = 0; i < count; i++)
            {
                var strike = decimal.Parse((await lines.Nth(i).GetAttributeAsync("data-strike"))!, System.Globalization.CultureInfo.InvariantCulture);
                foreach (var (side, type) in new[] { ("c", OptionType.Call), ("p", OptionType.Put) })
                {
                    var slot = expiry.Slots.SingleOrDefault(x => x.Instrument.Strike == strike && x.Instrument.Type == type);
                    if (slot is null)
                        continue;
                    page.Add((await lines.Nth(i).Locator($"td.{side}-rich-cheap").TextContentAsync())?.Trim() ?? "");
                    wanted.Add(bySymbol.TryGetValue(slot.Instrument.Symbol, out var residual) ? SmileResidual.Text(residual) : Display.Missing);
                }
            }
            (shown, expected) = ([.. page], [.. wanted]);
            return shown.SequenceEqual(expected);
        }, "the rich/cheap column showing the snapshot's residuals");
        TestContext.Current.TestOutputHelper?.WriteLine("rich/cheap: " + string.Join(" ", shown));
        // Every quoted option of the simulator has a residual: signed numbers, some of them away from the fit.
        Assert.All(shown, text => Assert.Matches(Signed, text));
        Assert.Contains(shown, text => text[0] is '+');
        Assert.Contains(shown, text => text[0] is '\u2212');
        await Expect(s.Page.Locator("#chain tbody td.c-rich-cheap span.rich").First).ToBeVisibleAsync();
        await Expect(s.Page.Locator("#chain tbody td.p-rich-cheap span.cheap").Or(s.Page.Locator("#chain tbody td.c-rich-cheap span.cheap")).First).ToBeVisibleAsync();
        await s.ScreenshotAsync("chain-rich-cheap");

        // The option detail says the same in a line.
        // The market moves: the cell and the line are compared when both show one snapshot's residual.
        var atm = s.Page.Locator("#chain tbody tr.atm");
        await atm.Locator("td.c-mark a").ClickAsync();
        var detail = s.Page.Locator("#detail-smile-fit");
        await Expect(detail).ToHaveTextAsync(new Regex(@"^Smile fit: .+ vol pts( rich| cheap|, on the fit)$"));
        await Eventually.Until(async () =>
        {
            var atmText = (await atm.Locator("td.c-rich-cheap").TextContentAsync())!.Trim();
            return Regex.IsMatch((await detail.TextContentAsync())!.Trim(), $"^Smile fit: {Regex.Escape(atmText)} vol pts( rich| cheap|, on the fit)$");
        }, "the option detail's smile-fit line saying what the chain's rich/cheap cell says");
        await s.Page.Keyboard.PressAsync("Escape");

        await s.Page.Locator("#theme-toggle").ClickAsync();
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", "light");
        await s.ScreenshotAsync("chain-rich-cheap-light");
        s.Simulator.Faults.SilentConnections = false;
    }
}
