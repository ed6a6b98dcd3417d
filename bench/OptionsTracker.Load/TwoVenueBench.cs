using System.Diagnostics;
using System.Globalization;
using OptionsTracker.Simulator;
using OptionsTracker.Simulator.Deribit;
using static OptionsTracker.Load.LoadHarness;

namespace OptionsTracker.Load;

/// <summary>
/// Issue 19: the tracker ingesting both venues at once. A Bybit simulator and a Deribit simulator over the same market
/// both push as fast as the sockets take; the tracker (a separate process, as in "ingest") subscribes to both. Per venue,
/// the messages per second are what each simulator sent (its socket is the tracker's: nothing is sent faster than the
/// tracker reads), the total is what the tracker processed, and the CPU is the tracker process's alone.
/// <c>--phases two-venues</c>; not in the default set.
/// </summary>
internal static class TwoVenueBench
{
    public static async Task RunAsync(Plan plan, CancellationToken cancellationToken)
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
        int deribitOptions = deribit.InstrumentCount;
        Detail($"simulators: Bybit {bybit.InstrumentCount} options, Deribit {deribitOptions} options over the same market, both pushing as fast as the sockets take");
        var environment = new Dictionary<string, string>
        {
            ["Tracker__Venues"] = "bybit,deribit",
            ["Deribit__RestUrl"] = deribit.RestUrl.AbsoluteUri,
            ["Deribit__WsUrl"] = deribit.WsUrl.AbsoluteUri,
        };
        await using var tracker = TrackerProcess.Start(bybit, environment);
        var deadline = Stopwatch.GetTimestamp() + 180 * Stopwatch.Frequency;
        while (deribit.Connections.Sum(c => c.Channels.Count) < deribitOptions || bybit.Connections.Sum(c => c.SubscribedTopicCount) < bybit.InstrumentCount)
        {
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"both venues not subscribed within 180 s: Deribit {deribit.Connections.Sum(c => c.Channels.Count)}/{deribitOptions}, "
                    + $"Bybit {bybit.Connections.Sum(c => c.SubscribedTopicCount)}/{bybit.InstrumentCount}{Environment.NewLine}{tracker.RecentOutput}");
            await Task.Delay(100, cancellationToken);
        }

        Detail($"tracker pid {tracker.Id} subscribed: Bybit on {bybit.ConnectionCount} connections, Deribit on {deribit.ConnectionCount}; warming up {plan.Warmup.TotalSeconds:0} s");
        await Task.Delay(plan.Warmup, cancellationToken);
        var bybitRates = new List<double>();
        var deribitRates = new List<double>();
        var totalRates = new List<double>();
        var cpuPerMillion = new List<double>();
        for (var window = 0; window < plan.IngestWindows; window++)
        {
            var before = await tracker.GetStatsAsync(cancellationToken);
            var cpuBefore = tracker.CpuTime;
            long bybitBefore = bybit.TickerMessagesSent, deribitBefore = deribit.TickerMessagesSent;
            var started = Stopwatch.GetTimestamp();
            await Task.Delay(plan.IngestWindow, cancellationToken);
            var after = await tracker.GetStatsAsync(cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var cpu = (tracker.CpuTime - cpuBefore).TotalSeconds;
            var processed = after.MessagesProcessed - before.MessagesProcessed;
            double bybitRate = (bybit.TickerMessagesSent - bybitBefore) / elapsed, deribitRate = (deribit.TickerMessagesSent - deribitBefore) / elapsed;
            bybitRates.Add(bybitRate);
            deribitRates.Add(deribitRate);
            totalRates.Add(processed / elapsed);
            cpuPerMillion.Add(cpu / processed * 1e6);
            Detail($"window {window + 1}: Bybit {bybitRate:N0} msgs/s sent, Deribit {deribitRate:N0} msgs/s sent, tracker processed {processed / elapsed:N0} msgs/s "
                + $"on {cpu / elapsed:0.00} cores, {cpu / processed * 1e6:0.00} CPU s per million; load average {Machine.LoadAverage()}");
        }

        Figure("two_venues_bybit_msgs_per_s", Median(bybitRates).ToString("F0", CultureInfo.InvariantCulture));
        Figure("two_venues_deribit_msgs_per_s", Median(deribitRates).ToString("F0", CultureInfo.InvariantCulture));
        Figure("two_venues_processed_msgs_per_s", Median(totalRates).ToString("F0", CultureInfo.InvariantCulture));
        Figure("two_venues_cpu_s_per_million_msgs", Median(cpuPerMillion).ToString("F2", CultureInfo.InvariantCulture));
        Figure("two_venues_working_set_mb", (tracker.WorkingSetBytes / 1048576.0).ToString("F0", CultureInfo.InvariantCulture));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }
}
