using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OptionsTracker.Book;
using OptionsTracker.Dashboard;
using OptionsTracker.Tests.Api;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// The analytics views per venue (issue 19): with two venues configured the venue selector drives the term, positioning,
/// surface and smile views too. "All venues" shows the combined figures and says how they are made; a venue shows its
/// own, the very figures <c>/api/analytics/{asset}/…?venue=</c> serves; the address carries <c>venue</c> and a reload
/// keeps it. Both venues come from their simulators through the real feeds (<see cref="TrackerApp.StartWithBothVenuesAsync"/>).
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class VenueAnalyticsViewTests
{
    private static readonly Venue Deribit = Venue.Parse("deribit");

    private static Task WaitForBothVenuesAsync(DashboardSession s) => Eventually.Until(() =>
        s.Book.Index.TryGetCoin("BTC", out var coin)
        && coin.TryGetVenue(Deribit, out var deribit) && deribit.Slots.Count > 0 && deribit.Slots.All(x => x.ReadQuote().HasData)
        && coin.TryGetVenue(Venue.Bybit, out var bybit) && bybit.Slots.Count == s.Simulator.GetInstruments("BTC").Count && bybit.Slots.All(x => x.ReadQuote().HasData),
        "BTC options of both venues in the book, every one quoted", 120);

    /// <summary>
    /// Picks a venue in the selector once the circuit takes input: a change sent before it does is lost, so the choice is
    /// made again until the address says it was taken (<c>venue=</c> the id; none for all venues).
    /// </summary>
    private static async Task ChooseVenueAsync(DashboardSession s, string venue)
    {
        bool Taken(string url) => venue == "all" ? !url.Contains("venue=", StringComparison.Ordinal) : url.Contains("venue=" + venue, StringComparison.Ordinal);
        var selector = s.Page.Locator("#venue-filter");
        await Expect(selector).ToBeVisibleAsync();
        await Eventually.Until(async () =>
        {
            if (Taken(s.Page.Url))
                return true;
            await selector.SelectOptionAsync(venue);
            try
            {
                await s.Page.WaitForURLAsync(Taken, new() { Timeout = 5_000 });
            }
            catch (TimeoutException)
            {
                // Not taken yet: chosen again.
            }
            return Taken(s.Page.Url);
        }, $"the venue selector on {venue}", 60);
    }

    [Fact]
    public async Task Picking_Deribit_shows_its_term_and_positioning_figures_as_the_api_serves_them_and_the_address_keeps_it()
    {
        await using var s = await DashboardSession.StartWithBothVenuesAsync();
        await WaitForBothVenuesAsync(s);
        // An address naming the venue opens on it (the README's screenshot, taken while the feeds are live).
        await s.GotoAsync("/?coin=BTC&view=positioning&venue=deribit");
        await Expect(s.Page.Locator("#venue-filter")).ToHaveValueAsync("deribit");
        await Expect(s.Page.Locator("#venue-note")).ToHaveAttributeAsync("data-venue", "deribit");
        await Expect(s.Page.Locator("#positioning-chart .main-svg").First).ToBeVisibleAsync();
        await s.ScreenshotAsync("analytics-venue-deribit");

        // A still market (both simulators silent), so the page and the endpoint can show one snapshot; a feed that
        // reconnects meanwhile moves the figures, and the comparisons below read both again until they agree.
        s.Simulator.Faults.SilentConnections = true;
        s.App.Deribit!.Faults.Silent = true;
        using var http = s.App.Http();

        // Positioning, all venues: the combined figures, and the note saying how they are made.
        await s.GotoAsync("/?coin=BTC&view=positioning");
        await Expect(s.Page.Locator("#venue-filter")).ToHaveValueAsync("all");
        var note = s.Page.Locator("#venue-note");
        await Expect(note).ToHaveAttributeAsync("data-venue", "all");
        await Expect(note).ToContainTextAsync("summed across venues");
        await Expect(note).ToContainTextAsync("the venue with more open interest in each expiry");
        var combined = await PositioningMatchesAsync(s, http, "all");

        await ChooseVenueAsync(s, "deribit");
        await Expect(note).ToHaveAttributeAsync("data-venue", "deribit");
        await Expect(note).ToContainTextAsync("Deribit only");
        var deribit = await PositioningMatchesAsync(s, http, "deribit");
        // The figures changed: Deribit's calls' open interest alone is less than both venues' together.
        Assert.True(deribit.CallOi < combined.CallOi, $"Deribit's call OI {deribit.CallOi} below the combined {combined.CallOi}");
        TestContext.Current.TestOutputHelper?.WriteLine($"call OI: all {combined.CallOi}, deribit {deribit.CallOi}; max pain: all {combined.MaxPain}, deribit {deribit.MaxPain}");

        // Another view keeps the venue (the address carries it), and its figures are Deribit's.
        await s.Page.Locator("nav.views a[data-view=term]").ClickAsync();
        await s.Page.WaitForURLAsync(url => url.Contains("view=term", StringComparison.Ordinal) && url.Contains("venue=deribit", StringComparison.Ordinal));
        await Expect(s.Page.Locator("#venue-filter")).ToHaveValueAsync("deribit");
        await TermMatchesAsync(s, http, "deribit");

        // A reload keeps it.
        await s.ReloadAsync();
        Assert.Contains("venue=deribit", s.Page.Url, StringComparison.Ordinal);
        await Expect(s.Page.Locator("#venue-filter")).ToHaveValueAsync("deribit");
        await Expect(note).ToHaveAttributeAsync("data-venue", "deribit");
        await TermMatchesAsync(s, http, "deribit");

        // Back to all venues: the combined figures again, and the address drops venue.
        await s.Page.Locator("#venue-filter").SelectOptionAsync("all");
        await Expect(note).ToHaveAttributeAsync("data-venue", "all");
        await s.Page.WaitForURLAsync(url => !url.Contains("venue=", StringComparison.Ordinal));
        await TermMatchesAsync(s, http, "all");
    }

    [Fact]
    public async Task The_smile_of_one_venue_is_drawn_from_its_options_and_the_combined_smile_names_its_venue()
    {
        await using var s = await DashboardSession.StartWithBothVenuesAsync();
        await WaitForBothVenuesAsync(s);
        Assert.True(s.Book.Index.TryGetCoin("BTC", out var coin));
        Assert.True(coin.TryGetVenue(Deribit, out var deribit));
        var expiry = deribit.Expiries[0];
        await s.GotoAsync($"/?coin=BTC&view=smile&venue=deribit&expiry={expiry.Label}");
        await Expect(s.Page.Locator("#venue-filter")).ToHaveValueAsync("deribit");
        await Expect(s.Page.Locator(".chart-caption")).ToContainTextAsync("Deribit's options");
        await Expect(s.Page.Locator("#smile-chart .main-svg").First).ToBeVisibleAsync();
        // As many points as Deribit lists strikes with a mark IV in that expiry (the chart's own summary counts them).
        var strikes = expiry.Slots.Where(x => !double.IsNaN(x.ReadQuote().MarkIv)).Select(x => x.Instrument.Strike).Distinct().Count();
        await Expect(s.Page.Locator("#smile-chart-summary")).ToContainTextAsync($": {strikes} strikes;");

        await ChooseVenueAsync(s, "all");
        await Expect(s.Page.Locator("#venue-note")).ToHaveAttributeAsync("data-venue", "all");
        // Combined: the venue with more open interest in this expiry, named.
        await Expect(s.Page.Locator(".chart-caption")).ToContainTextAsync("(most open interest in this expiry)");
    }

    [Fact]
    public async Task A_bybit_only_dashboard_shows_no_venue_note_or_selector_on_the_analytics_views()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        foreach (var view in new[] { "term", "positioning", "surface", "smile" })
        {
            await s.GotoAsync($"/?coin=BTC&view={view}&venue=deribit");
            await Expect(s.Page.Locator($"nav.views a.active[data-view={view}]")).ToHaveCountAsync(1);
            await Expect(s.Page.Locator("#venue-filter")).ToHaveCountAsync(0);
            await Expect(s.Page.Locator("#venue-note")).ToHaveCountAsync(0);
        }
    }

    private sealed record PositioningFigures(string MaxPain, double CallOi);

    /// <summary>
    /// Waits until the positioning view shows the endpoint's figures of <paramref name="venue"/> (max pain, the calls' and
    /// puts' open interest in the chart's summary), reading both again while the market moves; returns them.
    /// </summary>
    private static async Task<PositioningFigures> PositioningMatchesAsync(DashboardSession s, HttpClient http, string venue)
    {
        PositioningFigures? matched = null;
        string shown = "", expected = "";
        await Eventually.Until(async () =>
        {
            var body = await OptionsApiTests.GetJsonAsync(http, $"/api/analytics/BTC/strikes?venue={venue}");
            Assert.Equal(venue, (string?)body["venue"]);
            var calls = body["data"]!.AsArray().Sum(d => d!["call_oi"] is { } oi ? (double)oi : 0);
            var puts = body["data"]!.AsArray().Sum(d => d!["put_oi"] is { } oi ? (double)oi : 0);
            var pain = body["max_pain"] is { } p ? ((decimal)p).ToString("#,##0.########", CultureInfo.InvariantCulture) : Display.Missing;
            expected = $"max pain {pain}; calls {calls.ToString("#,0.##", CultureInfo.InvariantCulture)}, puts {puts.ToString("#,0.##", CultureInfo.InvariantCulture)}";
            var maxPain = (await s.Page.Locator("#positioning-max-pain").TextContentAsync())?.Trim() ?? "";
            var summary = await s.Page.Locator("#positioning-chart-summary").TextContentAsync() ?? "";
            var totals = System.Text.RegularExpressions.Regex.Match(summary, @"calls ([\d,.]+), puts ([\d,.]+)");
            shown = $"max pain {maxPain}; calls {totals.Groups[1].Value}, puts {totals.Groups[2].Value}";
            matched = new PositioningFigures(pain, calls);
            return shown == expected;
        }, $"the positioning view showing the strikes endpoint's {venue} figures", 60);
        TestContext.Current.TestOutputHelper?.WriteLine($"{venue}: {shown}");
        return matched!;
    }

    /// <summary>Waits until the term view's per-expiry table equals the term endpoint's figures of <paramref name="venue"/>.</summary>
    private static async Task TermMatchesAsync(DashboardSession s, HttpClient http, string venue)
    {
        string[][] shown = [], expected = [];
        await Eventually.Until(async () =>
        {
            var body = await OptionsApiTests.GetJsonAsync(http, $"/api/analytics/BTC/term?venue={venue}");
            Assert.Equal(venue, (string?)body["venue"]);
            expected = [.. Expected(body)];
            shown = await s.Page.Locator("#term-expiries tbody tr").EvaluateAllAsync<string[][]>(
                "rows => rows.map(r => [r.dataset.expiry, ...['atm-iv', 'rr25', 'bf25'].map(c => r.querySelector('td.' + c).textContent.trim())])");
            return shown.Length == expected.Length && shown.Zip(expected).All(p => p.First.SequenceEqual(p.Second));
        }, $"the term view's table equal to the term endpoint's {venue} figures", 60);
        Assert.Contains(shown, r => r[1] != Display.Missing);
        foreach (var row in shown.Take(3))
            TestContext.Current.TestOutputHelper?.WriteLine($"{venue}: " + string.Join(" | ", row));
    }

    private static IEnumerable<string[]> Expected(JsonNode term)
    {
        static double Value(JsonNode? node) => node is null ? double.NaN : (double)node;
        foreach (var d in term["data"]!.AsArray())
            yield return [(string)d!["expiry"]!, CoinFormat.Plain.Iv(Value(d["atm_iv"])), FigureText.VolPoints(Value(d["rr25"])), FigureText.VolPoints(Value(d["bf25"]))];
    }
}
