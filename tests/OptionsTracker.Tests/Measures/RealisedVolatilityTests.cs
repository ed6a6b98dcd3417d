using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptionsTracker.Measures;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Alerts;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Measures;

/// <summary>
/// Realised volatility end to end: the collector's poller asks the simulator's <c>/v5/market/historical-volatility</c>,
/// the values land in <see cref="RealisedVolatility"/>, in <c>/api/analytics/{asset}/term</c>'s tenors and in
/// <c>/api/analytics/{asset}/volatility</c>; a failing fetch keeps the last values and says so once.
/// </summary>
public class RealisedVolatilityTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_period_of_every_served_coin_reaches_the_store_the_term_tenors_and_the_volatility_endpoint()
    {
        await using var simulator = await BybitSimulator.StartAsync(
            new SimulatorOptions { BaseCoins = ["BTC", "SOL", "XRP"], TargetInstrumentCount = 900 }, Cancel);
        // Asked every 5 s, so the values follow the exchange's into a new hour should the test straddle one.
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?> { ["Analytics:RealisedVolatilityInterval"] = "00:00:05" });
        await app.WaitForFullBoardAsync();
        var realised = app.Services.GetRequiredService<RealisedVolatility>();

        // Bybit's coverage (docs/v5/enum.mdx, as the simulator mirrors it): BTC every period, SOL 7 to 90 days, XRP none.
        await Eventually.Until(() => realised.Get("BTC").Count == 8 && realised.Get("SOL").Count == 6
            && realised.TryGet("XRP", out var xrp) && xrp.Count == 0, "every coin's realised volatility asked");
        Assert.Equal([7, 14, 21, 30, 60, 90, 180, 270], realised.Get("BTC").Select(p => p.PeriodDays));
        Assert.Equal([7, 14, 21, 30, 60, 90], realised.Get("SOL").Select(p => p.PeriodDays));

        // A still market: the term and volatility endpoints are read from the same book.
        simulator.Faults.SilentConnections = true;
        List<string> problems = [];
        JsonNode? volatility = null, term = null;
        await Eventually.Until(async () =>
        {
            var exchange = await ExchangeAnswersAsync(simulator, "BTC", [7, 14, 21, 30, 60, 90, 180, 270]);
            volatility = JsonNode.Parse(await app.Client.GetStringAsync("/api/analytics/BTC/volatility", Cancel))!;
            term = JsonNode.Parse(await app.Client.GetStringAsync("/api/analytics/BTC/term", Cancel))!;
            problems = Compare(exchange, volatility, term);
            return problems.Count == 0;
        }, "the endpoints to agree with the exchange and with one another");
        TestContext.Current.TestOutputHelper?.WriteLine(volatility!.ToJsonString());

        Assert.Equal("BTC", (string?)volatility!["asset"]);
        Assert.Equal(8, (int)volatility["total"]!);
        // The realised volatility is below the simulated ATM IV (0.50 and more): a positive premium where a tenor is listed.
        Assert.Contains(volatility["data"]!.AsArray(), item => (double?)item!["vrp"] > 0);

        var sol = JsonNode.Parse(await app.Client.GetStringAsync("/api/analytics/SOL/volatility", Cancel))!;
        Assert.Equal([7, 14, 21, 30, 60, 90], sol["data"]!.AsArray().Select(i => (int)i!["period_days"]!));
        var xrpVolatility = JsonNode.Parse(await app.Client.GetStringAsync("/api/analytics/XRP/volatility", Cancel))!;
        Assert.Empty(xrpVolatility["data"]!.AsArray());
        var xrpTerm = JsonNode.Parse(await app.Client.GetStringAsync("/api/analytics/XRP/term", Cancel))!;
        Assert.All(xrpTerm["tenors"]!.AsArray(), t => Assert.Null(t!["hv"]));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await app.Client.GetAsync("/api/analytics/NOPE/volatility", Cancel)).StatusCode);
        simulator.Faults.SilentConnections = false;
    }

    [Fact]
    public async Task A_failing_fetch_keeps_the_last_values_logs_one_line_and_recovers()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC"], TargetInstrumentCount = 100 }, Cancel);
        var logs = new CapturingLoggerProvider();
        await using var app = await TrackerApp.StartAsync(simulator,
            new Dictionary<string, string?> { ["Analytics:RealisedVolatilityInterval"] = "00:00:01" }, logs: logs, logLevel: LogLevel.Information);
        var realised = app.Services.GetRequiredService<RealisedVolatility>();
        await Eventually.Until(() => realised.Get("BTC").Count == 8, "BTC's realised volatility");

        simulator.Faults.FailNextHistoricalVolatilityRequests(1_000_000, RestFailure.Http429);
        await Eventually.Until(() => Lines(logs, 1801).Count == 1, "the failure logged");
        // Read after the first failure: from here on every request fails, so nothing may change these.
        var before = realised.Get("BTC");
        Assert.Equal(8, before.Count);
        // Rounds keep failing (every second here: the retry delay is capped by the interval); the line is not repeated.
        var requests = simulator.HistoricalVolatilityRequestsReceived;
        await Eventually.Until(() => simulator.HistoricalVolatilityRequestsReceived >= requests + 3, "three more failed rounds");
        TestContext.Current.TestOutputHelper?.WriteLine(Lines(logs, 1801)[0]);
        Assert.Single(Lines(logs, 1801));
        Assert.Contains("BTC", Lines(logs, 1801)[0], StringComparison.Ordinal);
        Assert.Contains("429", Lines(logs, 1801)[0], StringComparison.Ordinal);
        Assert.Contains("keeping the last values (8 periods)", Lines(logs, 1801)[0], StringComparison.Ordinal);
        Assert.Equal(before.Select(p => p.PeriodDays), realised.Get("BTC").Select(p => p.PeriodDays));
        Assert.Equal(before.Select(p => p.Value), realised.Get("BTC").Select(p => p.Value));

        simulator.Faults.FailNextHistoricalVolatilityRequests(0, RestFailure.Http429);
        await Eventually.Until(() => Lines(logs, 1802).Count == 1, "the recovery logged");
        Assert.Equal(8, realised.Get("BTC").Count);
    }

    [Fact]
    public async Task An_unreachable_exchange_leaves_no_values_and_one_line_per_coin()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = await TrackerApp.StartWithoutExchangeAsync(
            new Dictionary<string, string?> { ["Tracker:Assets"] = "BTC,ETH", ["Analytics:RealisedVolatilityInterval"] = "00:00:01" }, logs: logs);
        var realised = app.Services.GetRequiredService<RealisedVolatility>();

        await Eventually.Until(() => Lines(logs, 1801).Count == 2, "one failure line per coin");
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n", Lines(logs, 1801)));
        Assert.False(realised.TryGet("BTC", out _));
        Assert.False(realised.TryGet("ETH", out _));
        Assert.Contains(Lines(logs, 1801), l => l.StartsWith("BTC:", StringComparison.Ordinal));
        Assert.Contains(Lines(logs, 1801), l => l.StartsWith("ETH:", StringComparison.Ordinal));
    }

    private static List<string> Lines(CapturingLoggerProvider logs, int eventId) =>
        [.. logs.Lines.Where(l => l.EventId == eventId).Select(l => l.Text)];

    /// <summary>What the exchange (the simulator) answers for each period, read here with plain JSON, not the tracker's parser.</summary>
    private static async Task<Dictionary<int, (double Value, long TimeMs)>> ExchangeAnswersAsync(BybitSimulator simulator, string coin, int[] periods)
    {
        using var http = new HttpClient { BaseAddress = simulator.RestUrl };
        var answers = new Dictionary<int, (double, long)>();
        foreach (var period in periods)
        {
            var json = JsonNode.Parse(await http.GetStringAsync($"/v5/market/historical-volatility?category=option&baseCoin={coin}&period={period}", Cancel))!;
            var item = json["result"]!.AsArray().Single()!;
            answers[period] = (double.Parse((string)item["value"]!, CultureInfo.InvariantCulture), long.Parse((string)item["time"]!, CultureInfo.InvariantCulture));
        }
        return answers;
    }

    /// <summary>
    /// Every way the endpoints can disagree: hv and time against the exchange; atm_iv against the term endpoint's tenor
    /// (where both have it) and against a recomputation from its per-expiry ATM IVs (total variance σ²T linear in T between
    /// the two expiries around the tenor, none outside them); vrp against atm_iv − hv.
    /// </summary>
    private static List<string> Compare(Dictionary<int, (double Value, long TimeMs)> exchange, JsonNode volatility, JsonNode term)
    {
        var problems = new List<string>();
        var items = volatility["data"]!.AsArray();
        if (!items.Select(i => (int)i!["period_days"]!).SequenceEqual(exchange.Keys.Order()))
            problems.Add("periods: " + string.Join(",", items.Select(i => (int)i!["period_days"]!)));
        var expiries = term["data"]!.AsArray()
            .Select(e => (Years: (double)e!["days_to_expiry"]! / 365, Iv: (double?)e["atm_iv"]))
            .Where(e => e.Years > 0 && e.Iv > 0)
            .ToList();
        var tenors = term["tenors"]!.AsArray().ToDictionary(t => (double)t!["tenor_days"]!, t => t);
        foreach (var item in items)
        {
            var period = (int)item!["period_days"]!;
            var hv = (double?)item["hv"];
            var atmIv = (double?)item["atm_iv"];
            var vrp = (double?)item["vrp"];
            var time = DateTime.Parse((string)item["time"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            if (!exchange.TryGetValue(period, out var expected))
                continue;
            if (hv != expected.Value || new DateTimeOffset(time, TimeSpan.Zero).ToUnixTimeMilliseconds() != expected.TimeMs)
                problems.Add($"{period}: hv {hv} at {time:O}, the exchange {expected.Value} at {expected.TimeMs}");
            var recomputed = AtmIvAtTenor(expiries, period);
            if (recomputed is null ? atmIv is not null : atmIv is null || Math.Abs(atmIv.Value - recomputed.Value) > 1e-6)
                problems.Add($"{period}: atm_iv {atmIv}, recomputed {recomputed}");
            if (atmIv is null ? vrp is not null : vrp is null || Math.Abs(vrp.Value - (atmIv.Value - hv!.Value)) > 1e-12)
                problems.Add($"{period}: vrp {vrp}, atm_iv − hv {atmIv - hv}");
            if (tenors.TryGetValue(period, out var tenor))
            {
                if ((double?)tenor!["hv"] != hv)
                    problems.Add($"{period}: term tenor hv {(double?)tenor["hv"]}, volatility hv {hv}");
                if ((double?)tenor["atm_iv"] != atmIv || (double?)tenor["vrp"] != vrp)
                    problems.Add($"{period}: term tenor atm_iv/vrp {(double?)tenor["atm_iv"]}/{(double?)tenor["vrp"]}, volatility {atmIv}/{vrp}");
            }
        }
        // The term endpoint's tenors that Bybit measures all carry its realised volatility.
        foreach (var (days, tenor) in tenors)
        {
            if (exchange.TryGetValue((int)days, out var expected) && (double?)tenor!["hv"] != expected.Value)
                problems.Add($"term tenor {days}: hv {(double?)tenor["hv"]}, the exchange {expected.Value}");
        }
        return problems;
    }

    private static double? AtmIvAtTenor(List<(double Years, double? Iv)> expiries, int days)
    {
        var target = days / 365.0;
        for (var i = 0; i < expiries.Count; i++)
        {
            if (expiries[i].Years < target)
                continue;
            if (expiries[i].Years == target)
                return expiries[i].Iv;
            if (i == 0)
                return null;
            var (t0, iv0) = expiries[i - 1];
            var (t1, iv1) = expiries[i];
            var w = (iv0!.Value * iv0.Value * t0) + (((iv1!.Value * iv1.Value * t1) - (iv0.Value * iv0.Value * t0)) * (target - t0) / (t1 - t0));
            return Math.Sqrt(w / target);
        }
        return null;
    }
}
