using Microsoft.Playwright;
using OptionsTracker.Tests.Dashboard;
using static OptionsTracker.Tests.Security.SecurityHost;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Security;

/// <summary>
/// The reported attacks in Chromium itself: signing in through the form works (the browser's own Origin and
/// Sec-Fetch-Site pass the origin check), the dashboard connects, a page on another port of the same host cannot
/// open <c>/ws</c> with the user's cookie, a hostile returnUrl stays on the site, and signing out ends the session.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class BrowserSignInTests
{
    private const string OpenSocketScript = """
        url => new Promise(resolve => {
            const socket = new WebSocket(url);
            socket.onopen = () => { socket.close(); resolve("open"); };
            socket.onerror = () => resolve("refused");
        })
        """;

    [Fact]
    public async Task Chromium_signs_in_and_out_and_a_page_on_another_port_cannot_open_the_socket()
    {
        // A listed origin on another port is the control: its page gets in with the cookie, so the unlisted
        // page's refusal is the origin check's, not a cookie the browser kept back.
        const string ListedOrigin = "http://127.0.0.1:4444";
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new() { ["Security:ApiKey"] = Key, ["Security:CorsOrigins:0"] = ListedOrigin });
        var site = app.Client.BaseAddress!;
        var socketUrl = $"ws://{site.Authority}/ws";
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            // The other ports' pages come from the browser's router, not from a loopback server, so Chromium would
            // take them for public pages and block their requests to loopback (Local Network Access) before the
            // tracker sees them. Port-bound cookies are off as in Firefox, Safari and older Chromes, where a page on
            // another port gets the cookie sent with its socket (the reported attack).
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-features=LocalNetworkAccessChecks,EnablePortBoundCookies,EnableSchemeBoundCookies"],
        });
        var context = await browser.NewContextAsync();
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();

        // The reported open redirect, signed in with the right key through the real form.
        await page.GotoAsync(new Uri(site, "/login?returnUrl=/%09/example.invalid/phish").AbsoluteUri);
        await page.FillAsync("#key", "not the right key");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator(".error")).ToContainTextAsync("not right");
        await page.FillAsync("#key", Key);
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator(".dash[data-live=on]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Equal(site.Authority, new Uri(page.Url).Authority);
        Assert.Equal("open", await page.EvaluateAsync<string>(OpenSocketScript, socketUrl));

        // An attacker's page on another port of the same host (served here by the browser's own router): same
        // site, so the SameSite=Strict cookie goes along, and only the origin check stands in the way.
        var evilOrigin = $"http://127.0.0.1:{site.Port + 1}";
        foreach (var origin in new[] { evilOrigin, ListedOrigin })
            await context.RouteAsync(origin + "/**", route => route.FulfillAsync(new() { ContentType = "text/html", Body = "<!doctype html><title>another port</title>" }));
        var evil = await context.NewPageAsync();
        await evil.GotoAsync(evilOrigin + "/page");
        Assert.Equal("refused", await evil.EvaluateAsync<string>(OpenSocketScript, socketUrl));
        var listed = await context.NewPageAsync();
        await listed.GotoAsync(ListedOrigin + "/page");
        Assert.Equal("open", await listed.EvaluateAsync<string>(OpenSocketScript, socketUrl));

        // Signing out lands on the form, and the dashboard asks for the key again.
        await page.ClickAsync("#sign-out");
        await Assertions.Expect(page.Locator("#key")).ToBeVisibleAsync();
        await page.GotoAsync(site.AbsoluteUri);
        await Assertions.Expect(page.Locator("#key")).ToBeVisibleAsync();
    }
}
