using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OptionsTracker.Dashboard;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

[Collection(nameof(DashboardCollection))]
public sealed class LiveTests
{
    [Fact]
    public async Task A_mark_moved_by_the_exchange_changes_on_screen_without_a_reload_and_flashes()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var instrument = s.ExpiriesOf("BTC")[0].Slots[10].Instrument;
        var symbol = instrument.Symbol;
        await s.GotoAsync($"/?q={symbol}");
        await Expect(s.Rows).ToHaveCountAsync(1);
        await s.Page.EvaluateAsync("() => window.notReloaded = true");
        // Records each text the mark cell shows while marked as changed (the mark lasts well under a second).
        await s.Page.EvaluateAsync("""
            () => {
                window.markedValues = [];
                const cell = document.querySelector('#options-table td.col-mark');
                new MutationObserver(() => {
                    const span = cell.querySelector('span');
                    if (/flash-(up|down)/.test(span.className)) window.markedValues.push(span.textContent);
                }).observe(cell, { attributes: true, childList: true, characterData: true, subtree: true });
            }
            """);

        s.Simulator.SetMarkPrice(symbol, 1234.5);

        var mark = s.Rows.First.Locator("td.col-mark span");
        // The mark reads at the option's tick size, as instruments-info gives it.
        await Expect(mark).ToHaveTextAsync(CoinFormat.Price(1234.5, instrument.TickSize));
        await s.Page.WaitForFunctionAsync("value => window.markedValues.includes(value)", CoinFormat.Price(1234.5, instrument.TickSize));
        Assert.True(await s.Page.EvaluateAsync<bool>("() => window.notReloaded === true"));

        s.Simulator.SetMarkPrice(symbol, 2345.6);
        await Expect(mark).ToHaveTextAsync(CoinFormat.Price(2345.6, instrument.TickSize));
        Assert.True(await s.Page.EvaluateAsync<bool>("() => window.notReloaded === true"));
    }

    [Fact]
    public async Task Status_light_turns_red_when_the_feed_drops_and_green_when_it_returns()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync();
        var status = s.Page.Locator("#status");
        await Expect(status).ToHaveClassAsync(new Regex(@"\bstatus-green\b"));
        await Expect(status.Locator(".status-text")).ToContainTextAsync("Live");

        s.Simulator.Faults.RejectNewConnections = true;
        s.Simulator.Faults.DropAllConnections();

        await Expect(status).ToHaveClassAsync(new Regex(@"\bstatus-red\b"));
        await Expect(status.Locator(".status-text")).ToContainTextAsync("Disconnected");
        await s.ScreenshotAsync("status-disconnected");

        s.Simulator.Faults.RejectNewConnections = false;

        await Expect(status).ToHaveClassAsync(new Regex(@"\bstatus-green\b"), new() { Timeout = 30_000 });
        await Expect(status.Locator(".status-text")).ToContainTextAsync(new Regex(@"Live · (just now|\d+ s ago)"));
    }

    [Fact]
    public async Task Chain_view_highlights_the_atm_strike_and_shades_in_the_money_cells()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var nearest = s.ExpiriesOf("BTC")[0];
        var strikes = nearest.Slots.Select(x => x.Instrument.StrikeValue).Distinct().Order().ToList();
        var atm = strikes[strikes.Count / 2];
        s.Simulator.SetIndexPrice("BTC", atm);
        await s.GotoAsync("/?view=chain");

        var atmRows = s.Page.Locator("#chain tbody tr.atm");
        await Expect(atmRows).ToHaveCountAsync(1);
        await Expect(atmRows).ToHaveAttributeAsync("data-strike", atm.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(s.Page.Locator("#chain-atm")).ToHaveTextAsync(CoinFormat.Plain.Strike(atm));
        await Expect(s.Page.Locator("#chain tbody tr")).ToHaveCountAsync(strikes.Count);

        // Calls below the underlying and puts above it are in the money.
        var below = s.Page.Locator($"#chain tbody tr[data-strike='{strikes[1].ToString(System.Globalization.CultureInfo.InvariantCulture)}']");
        var above = s.Page.Locator($"#chain tbody tr[data-strike='{strikes[^2].ToString(System.Globalization.CultureInfo.InvariantCulture)}']");
        await Expect(below.Locator("td.call-side.itm")).ToHaveCountAsync(ChainColumns.Default.Count);
        await Expect(below.Locator("td.put-side.itm")).ToHaveCountAsync(0);
        await Expect(above.Locator("td.put-side.itm")).ToHaveCountAsync(ChainColumns.Default.Count);
        await Expect(above.Locator("td.call-side.itm")).ToHaveCountAsync(0);
        await s.ScreenshotAsync("chain");

        // Another expiry from its tab, kept in the address.
        var later = s.ExpiriesOf("BTC")[2];
        await s.Page.Locator($"#expiry-tabs button[data-expiry='{later.Label}']").ClickAsync();
        await Expect(s.Page).ToHaveURLAsync(new Regex($"view=chain.*expiry={later.Label}|expiry={later.Label}.*view=chain"));
        await Expect(s.Page.Locator("#chain tbody tr")).ToHaveCountAsync(later.Slots.Select(x => x.Instrument.Strike).Distinct().Count());
    }

    [Fact]
    public async Task Smile_draws_one_point_per_strike_against_strike_and_against_delta_and_follows_the_market()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var nearest = s.ExpiriesOf("BTC")[0];
        var strikes = nearest.Slots.Select(x => x.Instrument.Strike).Distinct().Count();
        await s.GotoAsync("/?view=smile");

        var markIvPoints = s.Page.Locator("#smile-chart g.trace.scatter").First.Locator("path.point");
        await Expect(markIvPoints).ToHaveCountAsync(strikes);
        await Expect(s.Page.Locator("#smile-chart .xtitle")).ToHaveTextAsync("Strike");
        await s.ScreenshotAsync("smile");

        // Live: the market moves, the curve follows without a reload.
        var line = s.Page.Locator("#smile-chart g.trace.scatter").First.Locator("path.js-line");
        var before = await line.GetAttributeAsync("d");
        s.Simulator.SetIndexPrice("BTC", s.Simulator.GetIndexPrice("BTC") * 1.04);
        await Expect(line).Not.ToHaveAttributeAsync("d", before!);

        await s.Page.Locator("#smile-axis").SelectOptionAsync("delta");
        await Expect(s.Page).ToHaveURLAsync(new Regex("x=delta"));
        await Expect(s.Page.Locator("#smile-chart .xtitle")).ToHaveTextAsync("Delta");
        await Expect(markIvPoints).ToHaveCountAsync(strikes);
    }

    [Fact]
    public async Task Term_structure_draws_one_point_per_expiry_and_follows_the_market()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync("/?view=term");

        var points = s.Page.Locator("#term-chart g.trace.scatter").First.Locator("path.point");
        await Expect(points).ToHaveCountAsync(s.ExpiriesOf("BTC").Count);
        await s.ScreenshotAsync("term-structure");

        // Live: a new expiry listed by the exchange appears as one more point, without a reload.
        var listed = s.Simulator.ListNewInstrument("BTC");
        listed = s.Simulator.ListNewInstrument("BTC");
        await Expect(points).ToHaveCountAsync(s.Simulator.GetInstruments("BTC").Select(i => i.DeliveryTime).Distinct().Count(), new() { Timeout = 30_000 });
        Assert.NotNull(listed);
    }
}
