using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// <c>GET /api/analytics/{asset}/surface</c> (docs/analytics.md, "The IV surface") against a recomputation from the
/// <c>/api/options</c> items of the same still book, done here on its own: the forward of each expiry, the interpolation
/// in log-moneyness among the out-of-the-money options and in delta, nulls outside the quoted range.
/// </summary>
public sealed class SurfaceApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Item(string Expiry, bool IsCall, double Strike, double Underlying, double MarkIv, double Delta, long UpdatedAtMs);

    [Fact]
    public async Task The_surface_agrees_with_a_recomputation_from_the_option_items_of_the_same_moment()
    {
        await using var host = await TrackerApp.StartWithSimulatorAsync();
        using var http = host.Http();
        host.Simulator!.Faults.SilentConnections = true;

        const string list = "/api/options/BTC?fields=expiry,type,strike,underlying,mark_iv,delta,updated_at";
        JsonNode surface = null!;
        List<Item> items = [];
        await Eventually.Until(async () =>
        {
            var before = await http.GetStringAsync(list, Ct);
            surface = await OptionsApiTests.GetJsonAsync(http, "/api/analytics/BTC/surface");
            var after = await http.GetStringAsync(list, Ct);
            items = [.. JsonNode.Parse(after)!["data"]!.AsArray().Select(i => new Item(
                (string)i!["expiry"]!, (string)i["type"]! == "Call", (double)i["strike"]!, (double?)i["underlying"] ?? double.NaN,
                (double?)i["mark_iv"] ?? double.NaN, (double?)i["delta"] ?? double.NaN,
                i["updated_at"] is { } at ? DateTimeOffset.Parse((string)at!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() : 0))];
            return before == after;
        }, "two lists of a still book alike");

        Assert.Equal("BTC", (string)surface["asset"]!);
        var k = surface["moneyness"]!.AsArray().Select(x => (double)x!).ToArray();
        Assert.Equal(21, k.Length);
        Assert.Equal(-0.5, k[0], 12);
        Assert.Equal(0.5, k[^1], 12);
        var deltas = surface["deltas"]!.AsArray().Select(x => (double?)x).ToArray();
        Assert.Equal(["10Δ put", "15Δ put", "20Δ put", "25Δ put", "30Δ put", "40Δ put", "ATM", "40Δ call", "30Δ call", "25Δ call", "20Δ call", "15Δ call", "10Δ call"],
            surface["delta_labels"]!.AsArray().Select(x => (string)x!));
        var rows = surface["data"]!.AsArray();
        Assert.Equal(rows.Count, (int)surface["total"]!);
        Assert.True(rows.Count >= 2, $"{rows.Count} expiries");

        int filled = 0, empty = 0;
        foreach (var row in rows.Select(r => r!))
        {
            var label = (string)row["expiry"]!;
            var ofExpiry = items.Where(i => i.Expiry == label).ToList();
            // The forward: the underlying of the expiry's most recently updated option.
            var freshest = ofExpiry.Where(i => double.IsFinite(i.Underlying)).Max(i => i.UpdatedAtMs);
            var forward = (double)row["forward"]!;
            Assert.Contains(forward, ofExpiry.Where(i => i.UpdatedAtMs == freshest).Select(i => i.Underlying));

            // By moneyness: the OTM options' (k, IV), linear between neighbours, nothing outside.
            var points = ofExpiry.Where(i => i.MarkIv > 0 && (i.IsCall ? i.Strike >= forward : i.Strike <= forward))
                .GroupBy(i => i.Strike).OrderBy(g => g.Key)
                .Select(g => (K: Math.Log(g.Key / forward), Iv: g.Average(i => i.MarkIv))).ToList();
            var cells = row["iv_by_moneyness"]!.AsArray();
            for (var c = 0; c < k.Length; c++)
            {
                double? expected = null;
                if (points.Count > 0 && k[c] >= points[0].K && k[c] <= points[^1].K)
                {
                    var hi = points.FindIndex(p => p.K >= k[c]);
                    var (k2, iv2) = points[hi];
                    var (k1, iv1) = hi > 0 ? points[hi - 1] : points[hi];
                    expected = k2 == k[c] || k1 == k2 ? iv2 : iv1 + ((iv2 - iv1) * (k[c] - k1) / (k2 - k1));
                }
                AssertCell(expected, cells[c], $"{label} k={k[c]}");
                if (expected is null)
                    empty++;
                else
                    filled++;
            }
            // At k = 0 the moneyness grid is the ATM IV by its own definition (both OTM neighbours of F).
            if (cells[10] is not null)
                Assert.Equal((double)row["atm_iv"]!, (double)cells[10]!, 12);

            // By delta: linear in the exchange's delta among the OTM side, between the options either side of the target.
            var byDelta = row["iv_by_delta"]!.AsArray();
            for (var c = 0; c < deltas.Length; c++)
            {
                if (deltas[c] is not { } target)
                {
                    AssertCell((double?)row["atm_iv"], byDelta[c], $"{label} ATM");
                    continue;
                }
                var side = ofExpiry.Where(i => i.IsCall == target > 0 && i.MarkIv > 0 && double.IsFinite(i.Delta) && (i.IsCall ? i.Strike >= forward : i.Strike <= forward))
                    .OrderBy(i => Math.Abs(i.Strike - forward)).ToList();
                double? expected = null;
                for (var n = 0; n < side.Count; n++)
                {
                    if (side[n].Delta == target)
                    {
                        expected = side[n].MarkIv;
                        break;
                    }
                    if (n > 0 && Math.Abs(side[n - 1].Delta) > Math.Abs(target) && Math.Abs(side[n].Delta) < Math.Abs(target))
                    {
                        var (a, b) = (side[n - 1], side[n]);
                        expected = a.MarkIv + ((b.MarkIv - a.MarkIv) * (target - a.Delta) / (b.Delta - a.Delta));
                        break;
                    }
                }
                AssertCell(expected, byDelta[c], $"{label} Δ={target}");
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{rows.Count} expiries; moneyness cells: {filled} quoted, {empty} null outside the quoted strikes");
        Assert.True(filled > 0 && empty > 0, $"{filled} filled, {empty} empty");
        host.Simulator.Faults.SilentConnections = false;
    }

    [Fact]
    public async Task Unknown_asset_is_404_a_bad_grid_400_naming_it_and_one_grid_leaves_the_other_out()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        using (var unknown = await http.GetAsync("/api/analytics/DOGE/surface", Ct))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using (var bad = await http.GetAsync("/api/analytics/BTC/surface?grid=strike", Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var problem = JsonNode.Parse(await bad.Content.ReadAsStringAsync(Ct))!;
            Assert.Contains("strike", (string)problem["errors"]!["grid"]![0]!, StringComparison.Ordinal);
        }
        var byDelta = await OptionsApiTests.GetJsonAsync(http, "/api/analytics/btc/surface?grid=delta");
        Assert.Null(byDelta["moneyness"]);
        Assert.NotNull(byDelta["deltas"]);
        Assert.All(byDelta["data"]!.AsArray(), r => Assert.Null(r!["iv_by_moneyness"]));
        Assert.All(byDelta["data"]!.AsArray(), r => Assert.Equal(13, r!["iv_by_delta"]!.AsArray().Count));
        // An asset tracked but without options yet: an empty surface, not an error.
        var empty = await OptionsApiTests.GetJsonAsync(http, "/api/analytics/ETH/surface");
        Assert.Equal(0, (int)empty["total"]!);
    }

    private static void AssertCell(double? expected, JsonNode? actual, string where)
    {
        if (expected is not { } value)
        {
            Assert.True(actual is null, $"{where}: expected null, got {actual?.ToJsonString()}");
            return;
        }
        Assert.True(actual is not null, $"{where}: expected {value}, got null");
        Assert.Equal(value, (double)actual!, 10);
    }
}
