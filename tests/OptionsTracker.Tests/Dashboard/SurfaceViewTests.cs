using System.Text.RegularExpressions;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// The Surface view (a 3D surface by delta or by moneyness, live without losing the user's camera, in words and as a
/// table) and the option detail's "Model vs exchange" section, in the browser.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class SurfaceViewTests
{
    private const string Plot = "document.getElementById('surface-chart-plot')";

    [Fact]
    public async Task Surface_draws_in_3d_toggles_grids_keeps_the_camera_live_and_the_option_detail_shows_the_model()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync("/?view=surface");

        var figure = s.Page.Locator("figure#surface-chart");
        await Expect(figure).ToHaveAttributeAsync("data-grid", "delta");
        // Plotly's full bundle draws the surface trace in a 3D scene (the basic bundle has no 3D).
        await s.Page.WaitForFunctionAsync($"() => {Plot}?.data?.[0]?.type === 'surface' && {Plot}._fullLayout?.scene !== undefined && !!document.querySelector('#surface-chart .gl-container')");
        var rows = int.Parse((await figure.GetAttributeAsync("data-rows"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(rows >= 2, $"{rows} expiries");
        Assert.Equal(13, await s.Page.EvaluateAsync<int>($"() => {Plot}.data[0].x.length"));
        Assert.Equal(rows, await s.Page.EvaluateAsync<int>($"() => {Plot}.data[0].z.length"));
        Assert.Equal("Mark IV (%)", await s.Page.EvaluateAsync<string>($"() => {Plot}._fullLayout.scene.zaxis.title.text"));
        await Expect(figure).ToHaveAccessibleNameAsync(new Regex($@"^BTC IV surface by delta: {rows} expiries from [\d.]+ to [\d.]+ days, \d+ of {rows * 13} cells quoted"));
        await s.ScreenshotAsync("surface-dark");

        // The user turns and zooms the scene with the mouse: Plotly records the camera as a GUI edit. A live update (the
        // simulator's market moves) then updates the same scene in place, and keeps that camera (the layout the server
        // sends has none: only uirevision carries it over).
        var scene = await s.Page.Locator("#surface-chart-plot").BoundingBoxAsync();
        Assert.NotNull(scene);
        var (cx, cy) = (scene.X + (scene.Width / 2), scene.Y + (scene.Height / 2));
        await s.Page.Mouse.MoveAsync(cx, cy);
        await s.Page.Mouse.DownAsync();
        await s.Page.Mouse.MoveAsync(cx + 120, cy + 30, new() { Steps = 8 });
        await s.Page.Mouse.UpAsync();
        await s.Page.Mouse.WheelAsync(0, -400);
        await s.Page.WaitForFunctionAsync($"() => 'scene.camera' in ({Plot}._fullLayout._preGUI || {{}}) && !!{Plot}.layout.scene[0]?.camera || !!{Plot}.layout.scene?.camera");
        var camera = await s.Page.EvaluateAsync<string>($"() => {{ window.surfaceScene = {Plot}._fullLayout.scene._scene; return JSON.stringify({Plot}.layout.scene.camera); }}");
        var drawn = await s.Page.EvaluateAsync<string>($"() => JSON.stringify({Plot}.data[0].z)");
        await s.Page.WaitForFunctionAsync($"z => JSON.stringify({Plot}.data[0].z) !== z", drawn, new() { Timeout = 60_000 });
        Assert.True(await s.Page.EvaluateAsync<bool>($"() => {Plot}._fullLayout.scene._scene === window.surfaceScene"), "the same 3D scene, updated in place");
        Assert.Equal(camera, await s.Page.EvaluateAsync<string>($"() => JSON.stringify({Plot}.layout.scene.camera)"));
        Assert.Equal("surface", await s.Page.EvaluateAsync<string>($"() => {Plot}._fullLayout.scene.uirevision"));

        // By moneyness: 21 columns of k, the axis titled so.
        await s.Page.Locator("#surface-by-moneyness").ClickAsync();
        await Expect(figure).ToHaveAttributeAsync("data-grid", "moneyness");
        await Expect(s.Page.Locator("#surface-by-moneyness")).ToHaveAttributeAsync("aria-pressed", "true");
        await s.Page.WaitForFunctionAsync($"() => {Plot}.data[0].x.length === 21");
        Assert.Equal("Log-moneyness ln(K/F)", await s.Page.EvaluateAsync<string>($"() => {Plot}._fullLayout.scene.xaxis.title.text"));
        await Expect(figure).ToHaveAccessibleNameAsync(new Regex(@"^BTC IV surface by log-moneyness: "));
        // The cells as a table: one row per expiry, a column per k.
        await s.Page.Locator("#surface-chart-data-toggle").ClickAsync();
        await Expect(s.Page.Locator("#surface-chart-data tbody tr")).ToHaveCountAsync(int.Parse((await figure.GetAttributeAsync("data-rows"))!, System.Globalization.CultureInfo.InvariantCulture));
        await Expect(s.Page.Locator("#surface-chart-data thead th")).ToHaveCountAsync(22);

        await s.Page.Locator("#theme-toggle").ClickAsync();
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", "light");
        await s.Page.Locator("#surface-chart-data-toggle").ClickAsync();
        await s.Page.WaitForFunctionAsync($"() => {Plot}._fullLayout.font.color === '#24292f'");
        await s.ScreenshotAsync("surface-light");

        // A phone: the scene fits the screen's width.
        await s.Page.SetViewportSizeAsync(390, 844);
        await s.Page.WaitForFunctionAsync($"() => {Plot}.getBoundingClientRect().width <= 390");
        // The page reflows after the plot does (the relayout is asynchronous): wait for it rather than read it once.
        await s.Page.WaitForFunctionAsync("() => document.documentElement.scrollWidth <= 390");
        Assert.InRange(await s.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), 300, 390);
        await s.ScreenshotAsync("phone-surface");
        await s.Page.SetViewportSizeAsync(1400, 900);

        // The option detail: model vs exchange, every row within tolerance for the simulator's Black-76 quote; a mark
        // pinned away from its IV is marked divergent.
        Assert.True(s.Book.Index.TryGetCoin("BTC", out var btc));
        var expiry = btc.Expiries[^1];
        var forward = MarketMeasures.Forward(expiry);
        var calls = expiry.Slots.Where(x => x.Instrument.Type == OptionType.Call).OrderBy(x => Math.Abs(x.Instrument.StrikeValue - forward)).ToList();
        var (plain, pinned) = (calls[0].Instrument.Symbol, calls[1].Instrument.Symbol);
        await s.GotoAsync($"/?view=chain&expiry={expiry.Label}&option={plain}");
        var model = s.Page.Locator("#detail-model");
        await Expect(model).ToBeVisibleAsync();
        await Expect(model.Locator("tbody tr[data-model]")).ToHaveCountAsync(5);
        await Expect(model).ToHaveAttributeAsync("data-divergent", "false");
        await Expect(model.Locator("tr.divergent")).ToHaveCountAsync(0);
        await Expect(model.Locator("tr[data-model=vega] th")).ToHaveTextAsync("Vega (USD per vol pt)");
        await model.ScrollIntoViewIfNeededAsync();
        await s.ScreenshotAsync("option-detail-model-light");

        s.Simulator.SetMarkPrice(pinned, Math.Round(calls[1].ReadQuote().MarkPrice * 1.5, 2));
        // Back to the dark theme (kept by its cookie) before opening the pinned option.
        await s.GotoAsync($"/?view=chain&expiry={expiry.Label}");
        await s.Page.Locator("#theme-toggle").ClickAsync();
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", "dark");
        await s.GotoAsync($"/?view=chain&expiry={expiry.Label}&option={pinned}");
        await Expect(model).ToHaveAttributeAsync("data-divergent", "true");
        await Expect(model.Locator("tr[data-model=iv]")).ToHaveClassAsync("divergent");
        await Expect(model.Locator("tr[data-model=iv] .divergent-note")).ToHaveTextAsync("beyond tolerance");
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", "dark");
        await model.ScrollIntoViewIfNeededAsync();
        await s.ScreenshotAsync("option-detail-model-dark");
    }
}
