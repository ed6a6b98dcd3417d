using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// <c>GET /api/analytics/{asset}/term</c> against a recomputation from <c>/api/options</c> items of the same moment
/// (../shared/ANALYTICS.md "Per expiry" and "Constant tenors", written again here from the items' JSON alone, without
/// the tracker's functions), and its answers for an unknown asset and for one without options.
/// </summary>
public sealed class TermApiTests
{
    private static readonly double[] Tenors = [7, 14, 30, 60, 90, 180];

    [Fact]
    public async Task Term_figures_equal_a_recomputation_from_the_option_items_of_the_same_moment()
    {
        await using var host = await TrackerApp.StartWithSimulatorAsync();
        var book = host.Book;
        var analytics = host.Services.GetRequiredService<MarketAnalytics>();
        var realised = host.Services.GetRequiredService<RealisedVolatility>();
        // Realised volatility for some periods (not 60 days): hv and vrp where known, null where not.
        realised.Set("BTC", [new(7, 0.41, DateTimeOffset.UtcNow), new(30, 0.47, DateTimeOffset.UtcNow), new(90, 0.52, DateTimeOffset.UtcNow)]);
        using var http = host.Http();
        // A still market: the book stops changing, so the term figures and the items describe one state.
        host.Simulator!.Faults.SilentConnections = true;

        JsonNode term = null!;
        JsonArray items = null!;
        var expectedHv = new Dictionary<double, double>();
        var attempts = 0;
        await Eventually.Until(async () =>
        {
            attempts++;
            var (sequence, version) = (book.Sequence, realised.Version);
            term = await OptionsApiTests.GetJsonAsync(http, "/api/analytics/BTC/term");
            items = (await OptionsApiTests.GetJsonAsync(http, "/api/options/BTC"))["data"]!.AsArray();
            foreach (var tenor in Tenors)
                expectedHv[tenor] = realised.At("BTC", tenor);
            // The same moment: nothing changed during the reads, and the answer came from a snapshot of that state.
            var snapshot = analytics.Get("BTC");
            // The realised volatility too: the poller's first fetch may replace the test's values, and a snapshot computed
            // just before it (kept for Analytics:MinInterval) still carries the old ones.
            var sameRealised = term["tenors"]!.AsArray().All(t =>
                expectedHv[(double)t!["tenor_days"]!] is var hv && (double.IsNaN(hv) ? t["hv"] is null : t["hv"] is not null && (double)t["hv"]! == hv));
            return book.Sequence == sequence && realised.Version == version && snapshot is not null && snapshot.Sequence == sequence
                && term["time"] is not null && (DateTime)term["time"]! == snapshot.At.UtcDateTime && sameRealised;
        }, "a term answer and the option items of one unchanged book");
        TestContext.Current.TestOutputHelper?.WriteLine($"same moment after {attempts} attempt(s), {items.Count} items");

        var time = (DateTime)term["time"]!;
        var expiries = Recompute(items, time);
        var data = term["data"]!.AsArray();
        Assert.Equal("BTC", (string?)term["asset"]);
        Assert.Equal(expiries.Count, (int)term["total"]!);
        Assert.Equal(expiries.Select(e => e.Label), data.Select(d => (string?)d!["expiry"]));
        for (var i = 0; i < expiries.Count; i++)
        {
            var e = expiries[i];
            var d = data[i]!;
            var what = e.Label;
            Assert.Equal(e.ExpiryDate, (DateTime)d["expiry_date"]!);
            Near(e.Days, d["days_to_expiry"], 1e-6, $"{what} days_to_expiry");
            Near(e.Forward, d["forward"], 0, $"{what} forward");
            Near(e.AtmStrike, d["atm_strike"], 0, $"{what} atm_strike");
            Near(e.AtmIv, d["atm_iv"], 1e-12, $"{what} atm_iv");
            Near(e.Call25, d["iv_25d_call"], 1e-12, $"{what} iv_25d_call");
            Near(e.Put25, d["iv_25d_put"], 1e-12, $"{what} iv_25d_put");
            Near(e.Call25 - e.Put25, d["rr25"], 1e-12, $"{what} rr25");
            Near(((e.Call25 + e.Put25) / 2) - e.AtmIv, d["bf25"], 1e-12, $"{what} bf25");
            Near(e.Call10, d["iv_10d_call"], 1e-12, $"{what} iv_10d_call");
            Near(e.Put10, d["iv_10d_put"], 1e-12, $"{what} iv_10d_put");
            Near(e.Call10 - e.Put10, d["rr10"], 1e-12, $"{what} rr10");
            Near(((e.Call10 + e.Put10) / 2) - e.AtmIv, d["bf10"], 1e-12, $"{what} bf10");
            Near(e.PutCallOi, d["put_call_oi"], 1e-12, $"{what} put_call_oi");
            Near(e.PutCallVolume, d["put_call_volume"], 1e-12, $"{what} put_call_volume");
            Near(e.MaxPain, d["max_pain"], 0, $"{what} max_pain");
        }

        var tenors = term["tenors"]!.AsArray();
        Assert.Equal(Tenors, tenors.Select(t => (double)t!["tenor_days"]!));
        foreach (var t in tenors)
        {
            var days = (double)t!["tenor_days"]!;
            var (atm, rr25, bf25, rr10, bf10) = AtTenor(expiries, days);
            var hv = expectedHv[days];
            Near(atm, t["atm_iv"], 1e-12, $"{days} d atm_iv");
            Near(rr25, t["rr25"], 1e-12, $"{days} d rr25");
            Near(bf25, t["bf25"], 1e-12, $"{days} d bf25");
            Near(rr10, t["rr10"], 1e-12, $"{days} d rr10");
            Near(bf10, t["bf10"], 1e-12, $"{days} d bf10");
            Near(hv, t["hv"], 0, $"{days} d hv");
            Near(atm - hv, t["vrp"], 1e-12, $"{days} d vrp");
        }

        // Not an agreement of nulls: the simulated board forms these figures.
        var formed = $"{data.Count(d => d!["atm_iv"] is not null)} ATM IVs, {data.Count(d => d!["rr25"] is not null)} RR25, {data.Count(d => d!["rr10"] is not null)} RR10, {data.Count(d => d!["max_pain"] is not null)} max pains of {data.Count} expiries; {tenors.Count(t => t!["atm_iv"] is not null)} tenors with ATM IV, {tenors.Count(t => t!["vrp"] is not null)} with VRP";
        TestContext.Current.TestOutputHelper?.WriteLine(formed);
        Assert.True(data.Count(d => d!["rr25"] is not null) >= 2, formed);
        Assert.True(tenors.Count(t => t!["atm_iv"] is not null) >= 2, formed);
        Assert.Contains(tenors, t => t!["vrp"] is not null);
        Assert.True(data.All(d => d!["atm_iv"] is not null && d["max_pain"] is not null), formed);
        host.Simulator.Faults.SilentConnections = false;
    }

    [Fact]
    public async Task An_unknown_asset_is_404_and_a_tracked_asset_without_options_has_no_figures()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        using var unknown = await http.GetAsync("/api/analytics/DOGE/term", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var problem = JsonNode.Parse(await unknown.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Contains("BTC, ETH, XRP", (string?)problem["detail"], StringComparison.Ordinal);

        // ETH is tracked but the book holds none of its options yet.
        var eth = await OptionsApiTests.GetJsonAsync(http, "/api/analytics/eth/term");
        Assert.Equal("ETH", (string?)eth["asset"]);
        Assert.Equal(0, (int)eth["total"]!);
        Assert.Empty(eth["data"]!.AsArray());
        Assert.Empty(eth["tenors"]!.AsArray());
        Assert.Null(eth["index_price"]);
        Assert.Null(eth["time"]);

        // And one with options answers one item per expiry.
        var btc = await OptionsApiTests.GetJsonAsync(http, "/api/analytics/btc/term");
        Assert.Equal(BookBuilder.Expiries(host.Book.TimeProvider.GetUtcNow()).Count, (int)btc["total"]!);
    }

    private sealed record Item(string Label, DateTime ExpiryDate, double Strike, bool IsCall, double MarkIv, double Delta,
        double OpenInterest, double Volume, double Underlying, DateTime? UpdatedAt);

    private sealed record Expected(string Label, DateTime ExpiryDate, double Days, double Forward, double AtmStrike, double AtmIv,
        double Call25, double Put25, double Call10, double Put10, double PutCallOi, double PutCallVolume, double MaxPain);

    /// <summary>Every expiry's figures from the items, by the definitions, chronologically.</summary>
    private static List<Expected> Recompute(JsonArray json, DateTime time)
    {
        var items = json.Select(i => new Item(
            (string)i!["expiry"]!, (DateTime)i["expiry_date"]!, (double)i["strike"]!, (string?)i["type"] == "Call", Number(i["mark_iv"]), Number(i["delta"]),
            Number(i["open_interest"]), Number(i["volume_24h"]), Number(i["underlying"]), (DateTime?)i["updated_at"])).ToList();
        var result = new List<Expected>();
        foreach (var group in items.GroupBy(i => i.Label).OrderBy(g => g.First().ExpiryDate))
        {
            // The book's order within an expiry: by strike, the call first.
            var options = group.OrderBy(i => i.Strike).ThenBy(i => i.IsCall ? 0 : 1).ToList();
            // F: the underlying of the most recently updated option carrying one (the first of them on a tie).
            var forward = double.NaN;
            DateTime? freshest = null;
            foreach (var o in options.Where(o => IsPositive(o.Underlying)))
            {
                if (freshest is null || o.UpdatedAt > freshest)
                    (forward, freshest) = (o.Underlying, o.UpdatedAt);
            }
            var strikes = options.Select(o => o.Strike).Distinct().Order().ToList();
            var atmStrike = double.NaN;
            if (IsPositive(forward))
                atmStrike = strikes.Aggregate((best, k) => Math.Abs(k - forward) < Math.Abs(best - forward) ? k : best);
            var days = (group.First().ExpiryDate - time).TotalDays;
            var atmIv = AtmIv(options, forward);
            var calls = options.Where(o => o.IsCall).Sum(o => Finite(o.OpenInterest));
            var puts = options.Where(o => !o.IsCall).Sum(o => Finite(o.OpenInterest));
            var callVolume = options.Where(o => o.IsCall).Sum(o => Finite(o.Volume));
            var putVolume = options.Where(o => !o.IsCall).Sum(o => Finite(o.Volume));
            result.Add(new Expected(group.Key, group.First().ExpiryDate, days, forward, atmStrike, atmIv,
                IvAtDelta(options, forward, 0.25), IvAtDelta(options, forward, -0.25), IvAtDelta(options, forward, 0.10), IvAtDelta(options, forward, -0.10),
                calls > 0 ? puts / calls : double.NaN, callVolume > 0 ? putVolume / callVolume : double.NaN, MaxPain(options, strikes)));
        }
        return result;
    }

    /// <summary>Mark IV at K = F, linear in ln(K/F) between the nearest OTM call above and put below that have one.</summary>
    private static double AtmIv(List<Item> options, double forward)
    {
        if (!IsPositive(forward))
            return double.NaN;
        var call = options.Where(o => o.IsCall && o.Strike >= forward && IsPositive(o.MarkIv)).MinBy(o => o.Strike);
        var put = options.Where(o => !o.IsCall && o.Strike <= forward && IsPositive(o.MarkIv)).MaxBy(o => o.Strike);
        if (call is null || put is null)
            return call?.MarkIv ?? put?.MarkIv ?? double.NaN;
        var (kc, kp) = (Math.Log(call.Strike / forward), Math.Log(put.Strike / forward));
        if (kc == kp)
            return (call.MarkIv + put.MarkIv) / 2;
        var weight = (0 - kp) / (kc - kp);
        return (put.MarkIv * (1 - weight)) + (call.MarkIv * weight);
    }

    /// <summary>Mark IV at a delta, linear in delta among the OTM side, walking out from the money; NaN outside the quotes.</summary>
    private static double IvAtDelta(List<Item> options, double forward, double target)
    {
        if (!IsPositive(forward))
            return double.NaN;
        var calls = target > 0;
        var side = options
            .Where(o => o.IsCall == calls && (calls ? o.Strike >= forward : o.Strike <= forward) && IsPositive(o.MarkIv) && double.IsFinite(o.Delta))
            .ToList();
        if (!calls)
            side.Reverse();
        for (var i = 0; i < side.Count; i++)
        {
            if (side[i].Delta == target)
                return side[i].MarkIv;
            if (i > 0 && Math.Abs(side[i - 1].Delta) > Math.Abs(target) && Math.Abs(side[i].Delta) < Math.Abs(target))
            {
                var (a, b) = (side[i - 1], side[i]);
                return a.MarkIv + ((b.MarkIv - a.MarkIv) / (b.Delta - a.Delta) * (target - a.Delta));
            }
        }
        return double.NaN;
    }

    /// <summary>The listed strike minimising what the holders receive at settlement there; the lower on a tie.</summary>
    private static double MaxPain(List<Item> options, List<double> strikes)
    {
        var held = options.Where(o => IsPositive(o.OpenInterest)).ToList();
        if (held.Count == 0)
            return double.NaN;
        var best = double.NaN;
        var least = double.PositiveInfinity;
        foreach (var settle in strikes)
        {
            var paid = held.Sum(o => o.OpenInterest * (o.IsCall ? Math.Max(settle - o.Strike, 0) : Math.Max(o.Strike - settle, 0)));
            if (paid < least)
                (best, least) = (settle, paid);
        }
        return best;
    }

    /// <summary>
    /// The figures at a tenor: the unexpired expiries with an ATM IV, total variance linear in T around it, RR/BF linear in
    /// T between the same two; an expiry's own at its T; NaN outside.
    /// </summary>
    private static (double Atm, double Rr25, double Bf25, double Rr10, double Bf10) AtTenor(List<Expected> expiries, double days)
    {
        var usable = expiries.Where(e => e.Days > 0 && IsPositive(e.AtmIv)).ToList();
        var target = days / 365;
        var after = usable.FindIndex(e => e.Days / 365 >= target);
        if (after < 0 || (usable[after].Days / 365 > target && after == 0))
            return (double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        var a = usable[after];
        var b = usable[after].Days / 365 == target ? a : usable[after - 1];
        var (tb, ta) = (b.Days / 365, a.Days / 365);
        var weight = ReferenceEquals(a, b) ? 0 : (target - tb) / (ta - tb);
        double Between(double x, double y) => (x * (1 - weight)) + (y * weight);
        var w = Between(b.AtmIv * b.AtmIv * tb, a.AtmIv * a.AtmIv * ta);
        return (Math.Sqrt(w / target),
            Between(b.Call25 - b.Put25, a.Call25 - a.Put25), Between(((b.Call25 + b.Put25) / 2) - b.AtmIv, ((a.Call25 + a.Put25) / 2) - a.AtmIv),
            Between(b.Call10 - b.Put10, a.Call10 - a.Put10), Between(((b.Call10 + b.Put10) / 2) - b.AtmIv, ((a.Call10 + a.Put10) / 2) - a.AtmIv));
    }

    private static void Near(double expected, JsonNode? actual, double tolerance, string what)
    {
        if (!double.IsFinite(expected))
        {
            Assert.True(actual is null, $"{what}: expected null, got {actual?.ToJsonString()}");
            return;
        }
        Assert.True(actual is not null, $"{what}: expected {expected.ToString(CultureInfo.InvariantCulture)}, got null");
        var value = (double)actual;
        Assert.True(Math.Abs(value - expected) <= tolerance, $"{what}: expected {expected.ToString("R", CultureInfo.InvariantCulture)}, got {value.ToString("R", CultureInfo.InvariantCulture)}");
    }

    private static double Number(JsonNode? node) => node is null ? double.NaN : (double)node;

    private static double Finite(double value) => double.IsFinite(value) ? value : 0;

    private static bool IsPositive(double value) => double.IsFinite(value) && value > 0;
}
