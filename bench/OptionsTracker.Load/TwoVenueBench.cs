using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OptionsTracker.Simulator;
using OptionsTracker.Simulator.Deribit;
using static OptionsTracker.Load.LoadHarness;

namespace OptionsTracker.Load;

/// <summary>
/// Issue 19: the tracker ingesting both venues at once, and each venue alone over the same board for comparison. A Bybit
/// simulator (BTC and ETH, about 4,000 options) and a Deribit simulator over the same market (the same options) push as
/// fast as the sockets take; the tracker, a separate process as in "ingest", subscribes to both (<c>bybit,deribit</c>), or
/// to one (<c>bybit</c>, <c>deribit</c>). Per venue, the messages per second are the tracker's own counters
/// (<c>/api/stats</c> <c>venues[].messages_processed</c>) over each window; the CPU is the tracker process's alone
/// (<see cref="Process.TotalProcessorTime"/>), divided by what it processed. What each simulator sent is printed beside as
/// a cross-check. Bytes per message are not measured here (another process's allocations are not visible to the harness):
/// see <c>TwoVenueTickerBenchmarks</c> in bench/OptionsTracker.Benchmarks and the allocation tests.
/// <c>--phases two-venues</c> (all three) or <c>two-venues:both</c>, <c>two-venues:bybit</c>, <c>two-venues:deribit</c>; not in the default set.
/// </summary>
internal static class TwoVenueBench
{
    private static readonly string[] Venues = ["bybit", "deribit"];

    /// <summary>The configurations measured, in this order: each venue alone, then both at once.</summary>
    public static readonly string[] Modes = ["bybit", "deribit", "both"];

    public static async Task RunAsync(Plan plan, IReadOnlyCollection<string> modes, CancellationToken cancellationToken)
    {
        foreach (var mode in Modes.Where(modes.Contains))
        {
            Detail($"--- two venues, {mode} (load average {Machine.LoadAverage()})");
            try
            {
                await RunModeAsync(plan, mode, cancellationToken);
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Detail($"two venues, {mode} failed: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    private static async Task RunModeAsync(Plan plan, string mode, CancellationToken cancellationToken)
    {
        await using var bybit = await BybitSimulator.StartAsync(
            new SimulatorOptions { BaseCoins = ["BTC", "ETH"], TargetInstrumentCount = 4_000, PushInterval = TimeSpan.Zero }, cancellationToken);
        await using var deribit = await DeribitSimulator.StartAsync(new DeribitSimulatorOptions
        {
            Market = bybit,
            PushInterval = TimeSpan.Zero,
            // The feed's start-up subscribes in bursts; the load phase measures ingest, not the credit pacing.
            MaxSubscribeCredits = 1_000_000,
            SubscribeCreditsPerSecond = 1_000_000,
        }, cancellationToken);
        string[] venues = mode == "both" ? Venues : [mode];
        int deribitOptions = deribit.InstrumentCount, bybitOptions = bybit.InstrumentCount;
        Detail($"simulators: Bybit {bybitOptions} options, Deribit {deribitOptions} options over the same market, both pushing as fast as the sockets take; "
            + $"tracker venues {string.Join(',', venues)}");
        var environment = new Dictionary<string, string>
        {
            ["Tracker__Venues"] = string.Join(',', venues),
            ["Deribit__RestUrl"] = deribit.RestUrl.AbsoluteUri,
            ["Deribit__WsUrl"] = deribit.WsUrl.AbsoluteUri,
        };
        await using var tracker = TrackerProcess.Start(bybit, environment);
        bool wantsBybit = venues.Contains("bybit"), wantsDeribit = venues.Contains("deribit");
        var deadline = Stopwatch.GetTimestamp() + 300 * Stopwatch.Frequency;
        while ((wantsDeribit && deribit.Connections.Sum(c => c.Channels.Count) < deribitOptions)
            || (wantsBybit && bybit.Connections.Sum(c => c.SubscribedTopicCount) < bybitOptions))
        {
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"not subscribed within 300 s: Deribit {deribit.Connections.Sum(c => c.Channels.Count)}/{deribitOptions}, "
                    + $"Bybit {bybit.Connections.Sum(c => c.SubscribedTopicCount)}/{bybitOptions}{Environment.NewLine}{tracker.RecentOutput}");
            await Task.Delay(100, cancellationToken);
        }

        // The feed can be subscribed before the host listens (a loaded machine starts Kestrel late): wait for an answer.
        while (await tracker.TryGetStatsAsync(cancellationToken) is null)
        {
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"GET /api/stats not answered within 300 s{Environment.NewLine}{tracker.RecentOutput}");
            await Task.Delay(200, cancellationToken);
        }

        Detail($"tracker pid {tracker.Id} subscribed: Bybit on {bybit.ConnectionCount} connections, Deribit on {deribit.ConnectionCount}; warming up {plan.Warmup.TotalSeconds:0} s");
        await Task.Delay(plan.Warmup, cancellationToken);
        // Its own client with a long timeout: on a saturated machine the tracker, ingesting flat out, may answer after 30 s.
        using var http = new HttpClient { BaseAddress = tracker.BaseUrl, Timeout = TimeSpan.FromSeconds(180) };
        var rates = venues.ToDictionary(v => v, _ => new List<double>(), StringComparer.Ordinal);
        var totalRates = new List<double>();
        var cpuPerMillion = new List<double>();
        var cores = new List<double>();
        for (var window = 0; window < plan.IngestWindows; window++)
        {
            // The counters are read at some moment inside each request: the window runs from the middle of the first
            // read to the middle of the second, and the reads' own durations are printed (their halves bound the error).
            var (before, startedAt, firstRead) = await GetVenueMessagesAsync(http, cancellationToken);
            var cpuBefore = tracker.CpuTime;
            long bybitSentBefore = bybit.TickerMessagesSent, deribitSentBefore = deribit.TickerMessagesSent;
            var sentStarted = Stopwatch.GetTimestamp();
            await Task.Delay(plan.IngestWindow, cancellationToken);
            var cpu = (tracker.CpuTime - cpuBefore).TotalSeconds;
            var sentElapsed = Stopwatch.GetElapsedTime(sentStarted).TotalSeconds;
            long bybitSentAfter = bybit.TickerMessagesSent, deribitSentAfter = deribit.TickerMessagesSent;
            var (after, endedAt, secondRead) = await GetVenueMessagesAsync(http, cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(startedAt, endedAt).TotalSeconds;
            double bybitSent = (bybitSentAfter - bybitSentBefore) / sentElapsed, deribitSent = (deribitSentAfter - deribitSentBefore) / sentElapsed;
            long processed = 0;
            var perVenue = new List<string>();
            foreach (var venue in venues)
            {
                var count = after.GetValueOrDefault(venue) - before.GetValueOrDefault(venue);
                processed += count;
                rates[venue].Add(count / elapsed);
                perVenue.Add($"{venue} {count / elapsed:N0} msgs/s");
            }
            // CPU over the harness's window (between the two reads), messages over the counters' window: the same
            // span but for the reads' latency, so CPU per message takes the counters' rate over the CPU's span.
            var processedInCpuWindow = processed / elapsed * sentElapsed;
            totalRates.Add(processed / elapsed);
            cpuPerMillion.Add(cpu / processedInCpuWindow * 1e6);
            cores.Add(cpu / sentElapsed);
            Detail($"window {window + 1}: tracker counted {string.Join(", ", perVenue)} (simulators sent Bybit {bybitSent:N0}, Deribit {deribitSent:N0} msgs/s); "
                + $"{processed / elapsed:N0} msgs/s on {cpu / sentElapsed:0.00} cores, {cpu / processedInCpuWindow * 1e6:0.00} CPU s per million; "
                + $"stats reads {firstRead.TotalMilliseconds:0}/{secondRead.TotalMilliseconds:0} ms; load average {Machine.LoadAverage()}");
        }

        var prefix = $"two_venues_{mode}";
        foreach (var venue in venues)
            Figure($"{prefix}_{venue}_msgs_per_s", Median(rates[venue]).ToString("F0", CultureInfo.InvariantCulture));
        Figure($"{prefix}_processed_msgs_per_s", Median(totalRates).ToString("F0", CultureInfo.InvariantCulture));
        Figure($"{prefix}_cpu_s_per_million_msgs", Median(cpuPerMillion).ToString("F2", CultureInfo.InvariantCulture));
        Detail($"{prefix}: CPU s per million per window {string.Join(", ", cpuPerMillion.Select(c => c.ToString("F2", CultureInfo.InvariantCulture)))}; "
            + $"tracker cores {string.Join(", ", cores.Select(c => c.ToString("F2", CultureInfo.InvariantCulture)))}");
        Figure($"{prefix}_tracker_cores", Median(cores).ToString("F2", CultureInfo.InvariantCulture));
        Figure($"{prefix}_working_set_mb", (tracker.WorkingSetBytes / 1048576.0).ToString("F0", CultureInfo.InvariantCulture));
    }

    /// <summary>Each venue's <c>messages_processed</c> from <c>/api/stats</c> (<c>venues</c>): the tracker's own per-venue counters.</summary>
    /// <returns>The counts, the middle of the request (a <see cref="Stopwatch"/> timestamp) and how long it took.</returns>
    private static async Task<(Dictionary<string, long> Counts, long At, TimeSpan Took)> GetVenueMessagesAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var sent = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(new Uri("api/stats", UriKind.Relative), cancellationToken);
        var answered = Stopwatch.GetTimestamp();
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        if (!json.RootElement.TryGetProperty("venues", out var venues))
            throw new InvalidOperationException("/api/stats has no per-venue counters (venues): a tracker build before issue 19's counters");
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var venue in venues.EnumerateArray())
            counts[venue.GetProperty("venue").GetString() ?? ""] = venue.GetProperty("messages_processed").GetInt64();
        return (counts, sent + (answered - sent) / 2, Stopwatch.GetElapsedTime(sent, answered));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }
}
