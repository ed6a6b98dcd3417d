using System.Net;
using System.Text.Json.Nodes;
using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// <c>GET /api/analytics/{asset}/strikes</c>: every figure agrees with a recomputation from <c>/api/options</c> items
/// taken from the same still market (definitions in docs/analytics.md, written out here), and bad input answers 400 or 404.
/// </summary>
public sealed class PositioningApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Item(decimal Strike, bool IsCall, string Expiry, DateTime Delivery, double? Oi, double? Volume, double? Gamma,
        double? MarkIv, double? Underlying, double? Index, DateTime? UpdatedAt);

    private static Item ItemOf(JsonNode n) => new(
        (decimal)n["strike"]!, (string?)n["type"] == "Call", (string)n["expiry"]!, ((DateTime)n["expiry_date"]!).ToUniversalTime(),
        (double?)n["open_interest"], (double?)n["volume_24h"], (double?)n["gamma"], (double?)n["mark_iv"], (double?)n["underlying"],
        (double?)n["index_price"], ((DateTime?)n["updated_at"])?.ToUniversalTime());

    /// <summary>The value of the most recently updated item that has one (the first on a tie): the index, an expiry's forward.</summary>
    private static double Freshest(IEnumerable<Item> items, Func<Item, double?> value)
    {
        Item? best = null;
        foreach (var item in items)
        {
            if (value(item) is > 0 && item.UpdatedAt is { } at && (best is null || at > best.UpdatedAt))
                best = item;
        }
        return best is null ? double.NaN : value(best)!.Value;
    }

    private static double? Sum(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is { } d && double.IsFinite(d)).Select(v => v!.Value).ToList();
        return present.Count == 0 ? null : present.Sum();
    }

    /// <summary>Every figure of the response recomputed from the option items and compared; a message for the first difference, null when all agree.</summary>
    private static string? Disagreement(JsonNode body, List<Item> all, string? expiry)
    {
        var items = expiry is null ? all : all.Where(i => i.Expiry == expiry).ToList();
        var now = ((DateTime)body["time"]!).ToUniversalTime();
        var index = Freshest(all, i => i.Index);
        var forwards = items.GroupBy(i => i.Expiry).ToDictionary(g => g.Key, g => Freshest(g, i => i.Underlying));
        static bool Near(double? expected, double? actual) =>
            expected is null ? actual is null : actual is { } a && Math.Abs(expected.Value - a) <= 1e-6 * Math.Max(1, Math.Abs(expected.Value));
        double? Gex(Item i) => i.Gamma is { } g && i.Oi is { } oi && forwards[i.Expiry] is var f && double.IsFinite(f)
            ? (i.IsCall ? 1 : -1) * g * oi * f * f * 0.01 : null;

        if (!Near(index, (double?)body["index_price"]))
            return $"index {index} vs {body["index_price"]}";
        var data = body["data"]!.AsArray();
        var strikes = items.Select(i => i.Strike).Distinct().Order().ToList();
        if (!strikes.SequenceEqual(data.Select(d => (decimal)d!["strike"]!)) || (int)body["total"]! != strikes.Count)
            return "strikes";
        foreach (var row in data)
        {
            var at = items.Where(i => i.Strike == (decimal)row!["strike"]!).ToList();
            var calls = at.Where(i => i.IsCall).ToList();
            var puts = at.Where(i => !i.IsCall).ToList();
            (string Name, double? Expected)[] fields =
            [
                ("call_oi", Sum(calls.Select(i => i.Oi))), ("put_oi", Sum(puts.Select(i => i.Oi))),
                ("call_volume", Sum(calls.Select(i => i.Volume))), ("put_volume", Sum(puts.Select(i => i.Volume))),
                ("call_gex", Sum(calls.Select(Gex))), ("put_gex", Sum(puts.Select(Gex))), ("net_gex", Sum(at.Select(Gex))),
            ];
            foreach (var (name, expected) in fields)
            {
                if (!Near(expected, (double?)row![name]))
                    return $"{name} at {row["strike"]}: {expected} vs {row[name]}";
            }
        }
        if (!Near(Sum(items.Select(Gex)), (double?)body["total_gex"]))
            return $"total_gex {Sum(items.Select(Gex))} vs {body["total_gex"]}";

        // Max pain: the listed strike where holders would receive least (the lower on a tie).
        var held = items.Where(i => i.Oi is > 0).ToList();
        decimal? maxPain = null;
        var least = double.PositiveInfinity;
        foreach (var strike in strikes)
        {
            var settle = (double)strike;
            var payout = held.Sum(i => i.Oi!.Value * (i.IsCall ? Math.Max(0, settle - (double)i.Strike) : Math.Max(0, (double)i.Strike - settle)));
            if (payout < least)
                (least, maxPain) = (payout, strike);
        }
        if (held.Count > 0 ? (decimal?)body["max_pain"] != maxPain : body["max_pain"] is not null)
            return $"max_pain {maxPain} vs {body["max_pain"]}";

        // The flip: total GEX at S (forwards scaled by S/index, Black-76 gamma at mark IV, sticky strike) on ±30 % in
        // 0.5 % steps; the crossing nearest the index, linearly interpolated.
        double TotalAt(double ratio)
        {
            var total = 0.0;
            foreach (var i in held)
            {
                var years = (i.Delivery - now).TotalDays / 365;
                if (i.MarkIv is not > 0 || !(years > 0) || !double.IsFinite(forwards[i.Expiry]))
                    continue;
                var f = forwards[i.Expiry] * ratio;
                var gamma = Black76.Greeks(f, (double)i.Strike, years, i.MarkIv.Value, i.IsCall ? OptionType.Call : OptionType.Put).Gamma;
                total += (i.IsCall ? 1 : -1) * gamma * i.Oi!.Value * f * f * 0.01;
            }
            return total;
        }
        var grid = Enumerable.Range(-60, 121).Select(j => 1 + (j * 0.005)).ToList();
        var values = grid.Select(TotalAt).ToList();
        double? flip = null;
        for (var j = 0; j + 1 < grid.Count; j++)
        {
            if (values[j] == 0 || Math.Sign(values[j]) == Math.Sign(values[j + 1]))
                continue;
            var crossing = index * (grid[j] + ((grid[j + 1] - grid[j]) * values[j] / (values[j] - values[j + 1])));
            if (flip is null || Math.Abs(crossing - index) < Math.Abs(flip.Value - index))
                flip = crossing;
        }
        if (!Near(flip, (double?)body["gex_flip"]))
            return $"gex_flip {flip} vs {body["gex_flip"]}";
        return null;
    }

    [Fact]
    public async Task Strikes_of_all_expiries_and_of_one_agree_with_a_recomputation_from_the_option_items_of_a_still_market()
    {
        await using var app = await TrackerApp.StartWithSimulatorAsync();
        await app.WaitForFullBoardAsync();
        app.Simulator!.Faults.SilentConnections = true;
        using var http = app.Http();
        Assert.True(app.Book.Index.TryGetCoin("BTC", out var coin));
        var expiry = coin.Expiries[1].Label;

        string? allDiffers = "not compared", oneDiffers = "not compared";
        JsonNode? all = null, one = null;
        await Eventually.Until(async () =>
        {
            var items = (await OptionsApiTests.GetJsonAsync(http, "/api/options/BTC"))["data"]!.AsArray().Select(n => ItemOf(n!)).ToList();
            all = await OptionsApiTests.GetJsonAsync(http, "/api/analytics/BTC/strikes");
            one = await OptionsApiTests.GetJsonAsync(http, $"/api/analytics/btc/strikes?expiry={expiry}");
            allDiffers = Disagreement(all, items, null);
            oneDiffers = Disagreement(one, items, expiry);
            return allDiffers is null && oneDiffers is null;
        }, "the strikes endpoint agreeing with the option items");

        Assert.Equal("BTC", (string?)all!["asset"]);
        Assert.Null(all["expiry"]);
        Assert.Equal(expiry, (string?)one!["expiry"]);
        Assert.True((int)all["total"]! > (int)one["total"]!);
        Assert.NotNull(all["max_pain"]);
        Assert.NotNull(all["total_gex"]);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"all: {all["total"]} strikes, max pain {all["max_pain"]}, total GEX {all["total_gex"]}, flip {all["gex_flip"]}, index {all["index_price"]}; "
            + $"{expiry}: {one["total"]} strikes, max pain {one["max_pain"]}, total GEX {one["total_gex"]}, flip {one["gex_flip"]}");
    }

    [Fact]
    public async Task Bad_expiry_is_a_400_naming_it_and_unknown_expiry_or_asset_a_404()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        using var bad = await http.GetAsync("/api/analytics/BTC/strikes?expiry=soon", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = JsonNode.Parse(await bad.Content.ReadAsStringAsync(Ct))!;
        Assert.NotNull(problem["errors"]!["expiry"]);

        using var unknown = await http.GetAsync("/api/analytics/BTC/strikes?expiry=2020-01-03", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("03JAN20", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var asset = await http.GetAsync("/api/analytics/NOPE/strikes", Ct);
        Assert.Equal(HttpStatusCode.NotFound, asset.StatusCode);

        // "all" is the same as no expiry.
        var all = await OptionsApiTests.GetJsonAsync(http, "/api/analytics/BTC/strikes?expiry=all");
        Assert.Null(all["expiry"]);
        Assert.Equal(7, (int)all["total"]!);
    }
}
