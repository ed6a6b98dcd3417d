using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// <c>GET /api/analytics/{asset}/fit</c> (docs/analytics.md, "The smile fit (SVI)"): it agrees with a recomputation from
/// <c>/api/options</c> items read at the same moment, and bad input gets a 400 naming the parameter or a 404.
/// </summary>
public sealed class FitApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// A frozen simulated market: every fitted expiry's options are the items with a mark IV, its fitted options the
    /// out-of-the-money ones (calls K ≥ F, puts K ≤ F), and each residual, recomputed here from the item's mark IV and
    /// strike and the endpoint's own parameters, forward and days to expiry, is the endpoint's; so is the RMSE.
    /// </summary>
    [Fact]
    public async Task Residuals_and_rmse_agree_with_a_recomputation_from_the_option_items()
    {
        await using var host = await TrackerApp.StartWithSimulatorAsync();
        using var http = host.Http();
        // A still market, so the snapshot and the items are read from the same book.
        host.Simulator!.Faults.SilentConnections = true;
        var checkedOptions = 0;
        var fitted = 0;
        await Eventually.Until(async () =>
        {
            var fit = await OptionsApiTests.GetJsonAsync(http, "/api/analytics/BTC/fit");
            var items = (await OptionsApiTests.GetJsonAsync(http, "/api/options/BTC"))["data"]!.AsArray()
                .ToDictionary(i => (string)i!["symbol"]!, i => i!);
            Assert.Equal("BTC", (string?)fit["asset"]);
            var data = fit["data"]!.AsArray();
            Assert.Equal(data.Count, (int)fit["total"]!);
            (checkedOptions, fitted) = (0, 0);
            foreach (var expiry in data)
            {
                var label = (string)expiry!["expiry"]!;
                var ofExpiry = items.Values.Where(i => (string?)i["expiry"] == label).ToList();
                if (expiry["a"] is null)
                {
                    // No fit: fewer than five quoted out-of-the-money options.
                    Assert.Empty(expiry["options"]!.AsArray());
                    continue;
                }
                fitted++;
                var forward = (double)expiry["forward"]!;
                var years = (double)expiry["days_to_expiry"]! / 365;
                var (a, b, rho, m, sigma) = ((double)expiry["a"]!, (double)expiry["b"]!, (double)expiry["rho"]!, (double)expiry["m"]!, (double)expiry["sigma"]!);
                Assert.True(b >= 0 && Math.Abs(rho) < 1 && sigma > 0 && a + (b * sigma * Math.Sqrt(1 - (rho * rho))) >= 0, $"{label}: constraints");
                // The forward is one of the expiry's underlying prices (the freshest, by definition); if not, the
                // snapshot was taken before the market stood still.
                if (!ofExpiry.Any(i => (double?)i["underlying"] == forward))
                {
                    TestContext.Current.TestOutputHelper?.WriteLine($"{label}: forward {forward} not among the items' underlying prices yet");
                    return false;
                }

                var quoted = ofExpiry.Where(i => i["mark_iv"] is { } iv && (double)iv > 0).ToList();
                var options = expiry["options"]!.AsArray();
                if (!quoted.Select(i => (string)i["symbol"]!).Order().SequenceEqual(options.Select(o => (string)o!["symbol"]!).Order()))
                {
                    TestContext.Current.TestOutputHelper?.WriteLine($"{label}: the fit's options are not the quoted items yet (a snapshot older than the items)");
                    return false;
                }
                var squares = 0.0;
                var inFit = 0;
                foreach (var option in options)
                {
                    var item = items[(string)option!["symbol"]!];
                    var markIv = (double)item["mark_iv"]!;
                    if ((double)option["mark_iv"]! != markIv)
                    {
                        TestContext.Current.TestOutputHelper?.WriteLine($"{item["symbol"]}: mark IV {option["mark_iv"]} against the item's {markIv}: not yet the same moment");
                        return false;
                    }
                    var strike = (double)item["strike"]!;
                    var isCall = (string?)item["type"] == "Call";
                    var k = Math.Log(strike / forward);
                    var w = a + (b * ((rho * (k - m)) + Math.Sqrt(((k - m) * (k - m)) + (sigma * sigma))));
                    var modelIv = Math.Sqrt(w / years);
                    var residual = (markIv - modelIv) * 100;
                    Assert.Equal(k, (double)option["k"]!, 9);
                    // Within a tolerance, not "to N decimal places": the years come from days_to_expiry as the answer
                    // rounds it, so the two differ by ~1e-7, which rounding to places can put on two sides of a digit.
                    Assert.Equal(modelIv, (double)option["model_iv"]!, 1e-5);
                    Assert.Equal(residual, (double)option["residual"]!, 1e-3);
                    var outOfTheMoney = isCall ? strike >= forward : strike <= forward;
                    Assert.Equal(outOfTheMoney, (bool)option["in_fit"]!);
                    if (outOfTheMoney)
                    {
                        inFit++;
                        squares += residual * residual;
                    }
                    checkedOptions++;
                }
                Assert.Equal(inFit, (int)expiry["options_used"]!);
                Assert.True(inFit >= 5);
                Assert.Equal(Math.Sqrt(squares / inFit), (double)expiry["rmse"]!, 1e-3);
                TestContext.Current.TestOutputHelper?.WriteLine(
                    $"{label}: a {a:G4} b {b:G4} rho {rho:F3} m {m:F4} sigma {sigma:F4}, {inFit} fitted, RMSE {(double)expiry["rmse"]!:F3} vol pts, "
                    + $"butterfly {expiry["butterfly_arbitrage"]}, calendar {expiry["calendar_arbitrage"]?.ToJsonString() ?? "null"}");
                // The simulator's smile is smooth: SVI fits it to a fraction of a vol point, not to noise.
                Assert.InRange((double)expiry["rmse"]!, 0, 2);
            }
            return fitted > 0;
        }, "the fit and the items read from the same book");
        TestContext.Current.TestOutputHelper?.WriteLine($"{checkedOptions} options of {fitted} fitted expiries recomputed");
        host.Simulator.Faults.SilentConnections = false;
    }

    [Fact]
    public async Task One_expiry_by_any_accepted_form_bad_input_400_unknown_expiry_or_asset_404()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        var expiries = (await OptionsApiTests.GetJsonAsync(http, "/api/expiries/BTC"))["data"]!.AsArray();
        var all = await OptionsApiTests.GetJsonAsync(http, "/api/analytics/BTC/fit");
        Assert.Equal(expiries.Count, (int)all["total"]!);
        Assert.Equal(expiries.Select(e => (string)e!["expiry"]!), all["data"]!.AsArray().Select(e => (string)e!["expiry"]!));

        var second = expiries[1]!;
        var iso = ((DateTime)second["expiry_date"]!).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        foreach (var form in new[] { (string)second["expiry"]!, iso })
        {
            var one = await OptionsApiTests.GetJsonAsync(http, $"/api/analytics/BTC/fit?expiry={form}");
            Assert.Equal(1, (int)one["total"]!);
            Assert.Equal((string)second["expiry"]!, (string)one["data"]![0]!["expiry"]!);
        }

        using var bad = await http.GetAsync("/api/analytics/BTC/fit?expiry=tomorrow", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = JsonNode.Parse(await bad.Content.ReadAsStringAsync(Ct))!;
        Assert.Contains("not an expiry", (string)problem["errors"]!["expiry"]![0]!, StringComparison.Ordinal);

        using var unknownExpiry = await http.GetAsync("/api/analytics/BTC/fit?expiry=2001-01-01", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknownExpiry.StatusCode);
        Assert.Contains((string)second["expiry"]!, await unknownExpiry.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var unknownAsset = await http.GetAsync("/api/analytics/NOPE/fit", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknownAsset.StatusCode);
        Assert.Contains("not a tracked asset", await unknownAsset.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
