using System.Diagnostics;
using System.Globalization;
using System.Net;
using OptionsTracker.Bench;
using OptionsTracker.Simulator;

namespace OptionsTracker.Load;

/// <summary>
/// dotnet run -c Release --project bench/OptionsTracker.Load -- [--quick] [--phases ceiling,ingest,alloc,latency,startup,api,memory]
/// (or --phases dashboard / tape-memory,tape-sse,tape-ingest, not in the default set)
/// Starts the simulator and the tracker and prints one <c>name: value</c> line per figure (details on <c># </c> lines).
/// </summary>
internal static class LoadHarness
{
    private const string OptionsPath = "api/options/BTC";
    private const string StandInPath = "api/stats";
    private const string NarrowPath = "api/options/BTC?fields=symbol,mark_price,updated_at";

    private static readonly Dictionary<string, string> Figures = new(StringComparer.Ordinal);
    private static CancellationToken _stopping;

    public static async Task<int> Main(string[] args)
    {
        // The tape-sse phase's clients, started by the harness itself in a separate process (SseClientProcess).
        if (args is [SseClientProcess.Flag, ..])
            return await SseClientProcess.RunAsync(args);
        var quick = args.Contains("--quick", StringComparer.Ordinal);
        var phasesAt = Array.IndexOf(args, "--phases");
        var phases = phasesAt >= 0 && phasesAt + 1 < args.Length
            ? args[phasesAt + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : ["ceiling", "ingest", "alloc", "latency", "startup", "api", "memory"];
        var plan = quick ? Plan.Quick : Plan.Full;
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        var token = cancel.Token;
        _stopping = token;

        Detail($"OptionsTracker load harness, {(quick ? "quick" : "full")} run");
        Detail($"date {TimeProvider.System.GetUtcNow():yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores ({Machine.CpuModel()}); .NET {Environment.Version}; load average {Machine.LoadAverage()}");
        Detail($"tracker: {TrackerProcess.FindTrackerDll()}");
        var total = Stopwatch.StartNew();

        byte[][] frames = [];
        await PhaseAsync(phases, "ceiling", async () =>
        {
            await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { TargetInstrumentCount = 2000 }, token);
            var captured = await TickerCapture.CaptureAsync(simulator, framesPerSymbol: 1, token);
            frames = captured.InOrder();
            Detail($"captured {frames.Length} ticker frames off the simulator's WebSocket, {frames.Average(f => f.Length):0} bytes on average");
            MeasureCeiling(frames, plan, "before ingest");
        });

        await PhaseAsync(phases, "ingest", () => IngestAsync(plan, frames, token));
        await PhaseAsync(phases, "alloc", () => AllocationAsync(plan, token));
        await PhaseAsync(phases, "latency", () => LatencyAsync(plan, token));

        TrackerProcess? defaultBoard = null;
        BybitSimulator? defaultSimulator = null;
        try
        {
            if (phases.Contains("startup") || phases.Contains("api"))
                defaultSimulator = await BybitSimulator.StartAsync(new SimulatorOptions(), token);
            await PhaseAsync(phases, "startup", async () => defaultBoard = await StartupAsync(plan, defaultSimulator!, token));
            await PhaseAsync(phases, "api", async () =>
            {
                if (defaultBoard is null)
                {
                    defaultBoard = TrackerProcess.Start(defaultSimulator!);
                    await defaultBoard.WaitLiveAsync(defaultSimulator!.InstrumentCount, TimeSpan.FromSeconds(60), token);
                }
                await ApiAsync(plan, defaultBoard, defaultSimulator!, token);
            });
        }
        finally
        {
            if (defaultBoard is not null)
                await defaultBoard.DisposeAsync();
            if (defaultSimulator is not null)
                await defaultSimulator.DisposeAsync();
        }

        await PhaseAsync(phases, "memory", () => MemoryAsync(plan, token));
        // Opt-in (needs Debian's Chromium): page open times and dashboard viewers per core, DashboardBench.cs.
        await PhaseAsync(phases, "dashboard", () => DashboardBench.RunAsync(quick, args, token));
        // Opt-in, the trade tape (issue 17): bytes a trade in the ring, a 10,000 trades/s burst to 100 SSE clients,
        // ticker ingest with and without the trade topics (TapeBench.cs).
        await PhaseAsync(phases, "tape-memory", () => TapeBench.MemoryAsync());
        await PhaseAsync(phases, "tape-sse", () => TapeBench.SseAsync(quick, token,
            clients: IntArgument(args, "--tape-clients", 100), rate: IntArgument(args, "--tape-rate", 10_000)));
        await PhaseAsync(phases, "tape-ingest", () => TapeBench.IngestAsync(plan, token));
        // Opt-in, issue 19: both venues ingested at once, and each alone over the same board (TwoVenueBench.cs);
        // two-venues:both, two-venues:bybit, two-venues:deribit run one configuration.
        var twoVenueModes = TwoVenueBench.Modes.Where(m => phases.Contains("two-venues") || phases.Contains("two-venues:" + m)).ToList();
        if (twoVenueModes.Count > 0)
            phases.Add("two-venues");
        await PhaseAsync(phases, "two-venues", () => TwoVenueBench.RunAsync(plan, twoVenueModes, token));

        Detail($"done in {total.Elapsed.TotalSeconds:0} s; load average {Machine.LoadAverage()}");
        Detail("summary (e2e_*: exchange to readable in the book; e2e_api_*: exchange to seen by a client polling the API)");
        foreach (var name in new[] { "ingest_msgs_per_s", "parse_ceiling_msgs_per_s", "e2e_p50_ms", "e2e_p99_ms", "e2e_api_p50_ms", "e2e_api_p99_ms", "startup_full_board_s", "api_rps", "api_p99_ms", "working_set_mb" })
            Console.WriteLine($"{name}: {Figures.GetValueOrDefault(name, "n/a (not run)")}");
        return 0;
    }

    /// <summary>The number after <paramref name="name"/> on the command line, or <paramref name="fallback"/>.</summary>
    private static int IntArgument(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    private static async Task PhaseAsync(HashSet<string> phases, string name, Func<Task> phase)
    {
        if (!phases.Contains(name))
            return;
        Detail($"--- {name} (load average {Machine.LoadAverage()})");
        var watch = Stopwatch.StartNew();
        try
        {
            await phase();
        }
        catch (Exception ex) when (!_stopping.IsCancellationRequested)
        {
            Detail($"phase {name} failed: {ex.GetType().Name}: {ex.Message}");
        }
        Detail($"{name} took {watch.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Single-thread reader walk over the captured frames, repeated; the median is the ceiling.</summary>
    private static double MeasureCeiling(byte[][] frames, Plan plan, string when, string figure = "parse_ceiling_msgs_per_s")
    {
        ParseCeiling.Run(frames, TimeSpan.FromMilliseconds(300)); // JIT and caches
        var rates = new List<double>();
        var perCpuSecond = new List<double>();
        using var harness = Process.GetCurrentProcess();
        for (var i = 0; i < plan.CeilingRepeats; i++)
        {
            harness.Refresh();
            var cpuBefore = harness.TotalProcessorTime;
            var (walked, elapsed, _) = ParseCeiling.Run(frames, plan.CeilingRun);
            harness.Refresh();
            rates.Add(walked / elapsed.TotalSeconds);
            // Frames per CPU second of this process (nothing else in it runs now): what the walk costs whatever share
            // of the cores a busy machine gives this thread.
            perCpuSecond.Add(walked / (harness.TotalProcessorTime - cpuBefore).TotalSeconds);
        }
        var median = Median(rates);
        Detail($"parse-only ceiling {when}: {string.Join(", ", rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))} frames/s on one thread; "
            + $"{string.Join(", ", perCpuSecond.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))} frames per CPU second; load average {Machine.LoadAverage()}");
        Figure(figure, median.ToString("F0", CultureInfo.InvariantCulture));
        Figure(figure.Replace("_per_s", "_per_cpu_s", StringComparison.Ordinal), Median(perCpuSecond).ToString("F0", CultureInfo.InvariantCulture));
        return median;
    }

    private static async Task IngestAsync(Plan plan, byte[][] frames, CancellationToken cancellationToken)
    {
        var (rate, cpuPerMillion) = await RunIngestAsync(plan, cancellationToken);
        if (frames.Length > 0)
        {
            // Measured again right after (the simulator and tracker stopped), under the same outside load; the higher of
            // the two is the ceiling.
            var after = MeasureCeiling(frames, plan, "after ingest", "parse_ceiling_after_ingest_msgs_per_s");
            var before = double.Parse(Figures.GetValueOrDefault("parse_ceiling_msgs_per_s", "0"), CultureInfo.InvariantCulture);
            var ceiling = Math.Max(before, after);
            Figure("parse_ceiling_msgs_per_s", ceiling.ToString("F0", CultureInfo.InvariantCulture));
            Figure("ingest_to_ceiling_ratio", (rate / ceiling).ToString("F2", CultureInfo.InvariantCulture));
            var ceilingPerCpu = Math.Max(
                double.Parse(Figures.GetValueOrDefault("parse_ceiling_msgs_per_cpu_s", "0"), CultureInfo.InvariantCulture),
                double.Parse(Figures.GetValueOrDefault("parse_ceiling_after_ingest_msgs_per_cpu_s", "0"), CultureInfo.InvariantCulture));
            Figure("ingest_to_ceiling_cpu_ratio", (1e6 / cpuPerMillion / ceilingPerCpu).ToString("F2", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The ingest windows themselves; the simulator and tracker stop when it returns.</summary>
    private static async Task<(double Rate, double CpuPerMillion)> RunIngestAsync(Plan plan, CancellationToken cancellationToken)
    {
        await using var simulator = await BybitSimulator.StartAsync(
            new SimulatorOptions { TargetInstrumentCount = 10_000, PushInterval = TimeSpan.Zero }, cancellationToken);
        Detail($"simulator: {simulator.InstrumentCount} options, pushing as fast as the sockets take");
        await using var tracker = TrackerProcess.Start(simulator);
        await tracker.WaitLiveAsync(simulator.InstrumentCount, TimeSpan.FromSeconds(120), cancellationToken);
        Detail($"tracker pid {tracker.Id} live on {simulator.ConnectionCount} connections; warming up {plan.Warmup.TotalSeconds:0} s");
        await Task.Delay(plan.Warmup, cancellationToken);

        var rates = new List<double>();
        var cpuPerMillion = new List<double>();
        using var harness = Process.GetCurrentProcess();
        for (var window = 0; window < plan.IngestWindows; window++)
        {
            var before = await tracker.GetStatsAsync(cancellationToken);
            var cpuBefore = tracker.CpuTime;
            harness.Refresh();
            var simulatorCpuBefore = harness.TotalProcessorTime;
            var sentBefore = simulator.TickerMessagesSent;
            var started = Stopwatch.GetTimestamp();
            await Task.Delay(plan.IngestWindow, cancellationToken);
            var after = await tracker.GetStatsAsync(cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var cpu = (tracker.CpuTime - cpuBefore).TotalSeconds;
            harness.Refresh();
            var simulatorCpu = (harness.TotalProcessorTime - simulatorCpuBefore).TotalSeconds;
            var messages = after.MessagesProcessed - before.MessagesProcessed;
            var sent = simulator.TickerMessagesSent - sentBefore;
            rates.Add(messages / elapsed);
            cpuPerMillion.Add(cpu / messages * 1e6);
            Detail($"window {window + 1}: {messages / elapsed:N0} msgs/s processed ({sent / elapsed:N0} sent); tracker {cpu / elapsed:0.00} cores, "
                + $"{cpu / messages * 1e6:0.00} CPU s per million; simulator+harness {simulatorCpu / elapsed:0.00} cores; load average {Machine.LoadAverage()}");
        }
        var rate = Median(rates);
        Figure("ingest_msgs_per_s", rate.ToString("F0", CultureInfo.InvariantCulture));
        Figure("ingest_cpu_s_per_million_msgs", Median(cpuPerMillion).ToString("F2", CultureInfo.InvariantCulture));
        Figure("ingest_msgs_per_cpu_s", (1e6 / Median(cpuPerMillion)).ToString("F0", CultureInfo.InvariantCulture));
        Figure("ingest_working_set_mb", (tracker.WorkingSetBytes / 1048576.0).ToString("F0", CultureInfo.InvariantCulture));
        return (rate, Median(cpuPerMillion));
    }

    /// <summary>
    /// Bytes allocated per message with the tracker in this process and the simulator pushing as fast as it can: the
    /// count covers the whole process (simulator, Kestrel, harness too), so it bounds the tracker's share from above.
    /// </summary>
    private static async Task AllocationAsync(Plan plan, CancellationToken cancellationToken)
    {
        await using var simulator = await BybitSimulator.StartAsync(
            new SimulatorOptions { TargetInstrumentCount = 4_000, PushInterval = TimeSpan.Zero }, cancellationToken);
        await using var tracker = InProcessTracker.Start(simulator);
        await tracker.WaitFullBoardAsync(simulator.InstrumentCount, TimeSpan.FromSeconds(120), cancellationToken);
        await Task.Delay(plan.Warmup, cancellationToken);
        using var sampler = new AllocationSampler();
        var messagesBefore = tracker.Report.MessagesProcessed;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gen0Before = GC.CollectionCount(0);
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(plan.AllocationWindow, cancellationToken);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var messages = tracker.Report.MessagesProcessed - messagesBefore;
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Detail($"in-process: {messages / elapsed:N0} msgs/s, {allocated / 1048576.0:0.0} MB allocated by the whole process in {elapsed:0.0} s, "
            + $"{GC.CollectionCount(0) - gen0Before} gen0 GCs; load average {Machine.LoadAverage()}");
        Detail("allocated most (sampled every ~100 KB): " + string.Join("; ", sampler.Top(8).Select(t => $"{t.Type} {t.Bytes / 1048576.0:0.0} MB")));
        Figure("ingest_inprocess_msgs_per_s", (messages / elapsed).ToString("F0", CultureInfo.InvariantCulture));
        Figure("alloc_bytes_per_msg_upper_bound", ((double)allocated / messages).ToString("F2", CultureInfo.InvariantCulture));
    }

    private static async Task LatencyAsync(Plan plan, CancellationToken cancellationToken)
    {
        // Bybit's rate (every option every 100 ms) on 3,000 options: 30,000 messages per second.
        await using var simulator = await BybitSimulator.StartAsync(
            new SimulatorOptions { TargetInstrumentCount = 3_000, PushInterval = TimeSpan.FromMilliseconds(100) }, cancellationToken);
        await using var tracker = InProcessTracker.Start(simulator);
        await tracker.WaitFullBoardAsync(simulator.InstrumentCount, TimeSpan.FromSeconds(120), cancellationToken);
        await Task.Delay(plan.Warmup, cancellationToken);

        var messagesBefore = tracker.Report.MessagesProcessed;
        var started = Stopwatch.GetTimestamp();
        using var scheduler = new SchedulerProbe();
        var book = new Percentiles(await BookLatencyProbe.RunAsync(tracker.Book, plan.LatencyWindow, cancellationToken));
        var late = scheduler.Stop();
        Detail($"scheduler noise floor (a 1 ms sleep woke late by): p50 {late.P50:0.00} ms, p99 {late.P99:0.00} ms, max {late.Max:0.00} ms");
        Figure("sched_late_p99_ms", late.P99.ToString("F2", CultureInfo.InvariantCulture));
        var rate = (tracker.Report.MessagesProcessed - messagesBefore) / Stopwatch.GetElapsedTime(started).TotalSeconds;
        Detail($"{simulator.InstrumentCount} options every 100 ms: {rate:N0} msgs/s; {book.Count:N0} book samples; load average {Machine.LoadAverage()}");
        Figure("e2e_msgs_per_s", rate.ToString("F0", CultureInfo.InvariantCulture));
        Figure("e2e_p50_ms", book.P50.ToString("F2", CultureInfo.InvariantCulture));
        Figure("e2e_p99_ms", book.P99.ToString("F2", CultureInfo.InvariantCulture));
        Figure("e2e_max_ms", book.Max.ToString("F2", CultureInfo.InvariantCulture));

        var (status, _) = await ApiProbe.GetOnceAsync(tracker.Http, OptionsPath, cancellationToken);
        if (status != HttpStatusCode.OK)
        {
            Figure("e2e_api_p99_ms", $"n/a (endpoint missing: GET /{OptionsPath} answered {(int)status})");
            return;
        }
        // A polling client sees a value one answer after it became readable at the latest, so the figure includes
        // the answer's duration: the narrow projection shows the API's freshness, the full list what a client of the
        // whole board gets.
        foreach (var (path, prefix) in new[] { (NarrowPath, "e2e_api"), (OptionsPath, "e2e_api_full") })
        {
            var (samples, polls) = await ApiProbe.LatencyAsync(tracker.Http, path, plan.LatencyWindow, cancellationToken);
            var api = new Percentiles(samples);
            Detail($"through GET /{path}: {polls} polls in {plan.LatencyWindow.TotalSeconds:0} s, {api.Count:N0} samples; load average {Machine.LoadAverage()}");
            Figure($"{prefix}_p50_ms", api.P50.ToString("F2", CultureInfo.InvariantCulture));
            Figure($"{prefix}_p99_ms", api.P99.ToString("F2", CultureInfo.InvariantCulture));
            Figure($"{prefix}_max_ms", api.Max.ToString("F2", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Process start to the default board subscribed and filled, against a simulator already running.</summary>
    private static async Task<TrackerProcess?> StartupAsync(Plan plan, BybitSimulator simulator, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        TrackerProcess? last = null;
        for (var run = 0; run < plan.StartupRepeats; run++)
        {
            if (last is not null)
                await last.DisposeAsync();
            last = TrackerProcess.Start(simulator);
            await last.WaitLiveAsync(simulator.InstrumentCount, TimeSpan.FromSeconds(60), cancellationToken);
            var live = Stopwatch.GetElapsedTime(last.StartedAt).TotalSeconds;
            // Filled: where the options API exists, every option of every coin must carry a quote.
            var filledNote = await WaitFilledAsync(last, simulator, cancellationToken);
            var seconds = Stopwatch.GetElapsedTime(last.StartedAt).TotalSeconds;
            times.Add(seconds);
            Detail($"run {run + 1}: live and all {simulator.InstrumentCount} topics subscribed after {live:0.000} s; {filledNote} after {seconds:0.000} s; load average {Machine.LoadAverage()}");
        }
        Figure("startup_full_board_s", Median(times).ToString("F2", CultureInfo.InvariantCulture));
        Figure("startup_options", simulator.InstrumentCount.ToString(CultureInfo.InvariantCulture));

        // In-process, where "filled" can be checked on the book itself: host start to every option quoted, every topic
        // subscribed and the feed live (the runtime is already up and partly warm here, unlike a new process).
        var inProcessStart = Stopwatch.GetTimestamp();
        await using (var inProcess = InProcessTracker.Start(simulator))
        {
            await inProcess.WaitFullBoardAsync(simulator.InstrumentCount, TimeSpan.FromSeconds(60), cancellationToken, TimeSpan.FromMilliseconds(5));
            var seconds = Stopwatch.GetElapsedTime(inProcessStart).TotalSeconds;
            Detail($"in-process host: every option in the book quoted, all subscribed, live after {seconds:0.000} s; load average {Machine.LoadAverage()}");
            Figure("startup_inprocess_filled_s", seconds.ToString("F2", CultureInfo.InvariantCulture));
        }
        return last;
    }

    private static async Task<string> WaitFilledAsync(TrackerProcess tracker, BybitSimulator simulator, CancellationToken cancellationToken)
    {
        var (status, _) = await ApiProbe.GetOnceAsync(tracker.Http, OptionsPath, cancellationToken);
        if (status != HttpStatusCode.OK)
            return $"fill not checked (GET /{OptionsPath} answered {(int)status})";
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(30))
        {
            var quoted = 0;
            foreach (var coin in simulator.BaseCoins)
                quoted += await ApiProbe.CountQuotedAsync(tracker.Http, $"api/options/{coin}", cancellationToken);
            if (quoted >= simulator.InstrumentCount)
                return "every option quoted through the API";
            await Task.Delay(10, cancellationToken);
        }
        return "NOT every option quoted through the API within 30 s";
    }

    private static async Task ApiAsync(Plan plan, TrackerProcess tracker, BybitSimulator simulator, CancellationToken cancellationToken)
    {
        using var http = ApiProbe.CreateClient(tracker.BaseUrl);
        var (status, _) = await ApiProbe.GetOnceAsync(http, OptionsPath, cancellationToken);
        Detail($"feed under way: {simulator.InstrumentCount} options every 100 ms (~{simulator.InstrumentCount * 10:N0} msgs/s)");
        if (status != HttpStatusCode.OK)
        {
            Figure("api_rps", $"n/a (endpoint missing: GET /{OptionsPath} answered {(int)status})");
            Figure("api_p99_ms", $"n/a (endpoint missing: GET /{OptionsPath} answered {(int)status})");
            await MeasureEndpointAsync(plan, tracker, http, StandInPath, "api_stand_in_stats", cancellationToken);
            return;
        }
        await MeasureEndpointAsync(plan, tracker, http, OptionsPath, "api", cancellationToken);
        // Smaller answers of the same API, to show what the full list's size costs.
        await MeasureEndpointAsync(plan, tracker, http, NarrowPath, "api_narrow", cancellationToken);
        var oneSymbol = simulator.GetInstruments("BTC")[0].Symbol;
        await MeasureEndpointAsync(plan, tracker, http, $"api/option/{oneSymbol}", "api_one_option", cancellationToken);
    }

    private static async Task MeasureEndpointAsync(Plan plan, TrackerProcess tracker, HttpClient http, string path, string prefix, CancellationToken cancellationToken)
    {
        var (status, bytes) = await ApiProbe.GetOnceAsync(http, path, cancellationToken);
        Detail($"GET /{path}: HTTP {(int)status}, {bytes:N0} bytes per answer");
        // Warm-up: the tracker process has just started, and its first seconds of requests run partly unoptimised code
        // while the JIT recompiles the hot paths in the background (on the same cores). A tracker serves for days.
        await ApiProbe.ClosedLoopAsync(http, path, plan.ApiConcurrency, plan.Warmup, cancellationToken);
        var cpuBefore = tracker.CpuTime;
        var closed = await ApiProbe.ClosedLoopAsync(http, path, plan.ApiConcurrency, plan.ApiClosedWindow, cancellationToken);
        var cpu = (tracker.CpuTime - cpuBefore).TotalSeconds / closed.Elapsed.TotalSeconds;
        Detail($"closed loop, {plan.ApiConcurrency} clients: {closed.RequestsPerSecond:N0} req/s, p50 {closed.Latency.P50:0.00} ms, p99 {closed.Latency.P99:0.00} ms, "
            + $"{closed.Errors} errors; tracker {cpu:0.00} cores ({cpu / closed.RequestsPerSecond * 1000:0.00} CPU ms per request); load average {Machine.LoadAverage()}");
        Figure($"{prefix}_rps", closed.RequestsPerSecond.ToString("F0", CultureInfo.InvariantCulture));

        if (closed.RequestsPerSecond < 1000)
        {
            // Offering 1,000 req/s to a server that completes fewer only measures a growing queue and its timeouts.
            Figure($"{prefix}_p99_ms", $"n/a (the server completed only {closed.RequestsPerSecond:F0} req/s closed-loop; closed-loop p99 {closed.Latency.P99:F2} ms)");
            return;
        }
        var open = await ApiProbe.OpenLoopAsync(http, path, 1000, plan.ApiOpenWindow, cancellationToken);
        Detail($"open loop at 1,000 req/s: {open.RequestsPerSecond:N0} req/s done, p50 {open.Latency.P50:0.00} ms, p99 {open.Latency.P99:0.00} ms, "
            + $"max {open.Latency.Max:0.00} ms, {open.Errors} errors; load average {Machine.LoadAverage()}");
        Figure($"{prefix}_p99_ms", open.Latency.P99.ToString("F2", CultureInfo.InvariantCulture));
        Figure($"{prefix}_p50_ms", open.Latency.P50.ToString("F2", CultureInfo.InvariantCulture));
    }

    private static async Task MemoryAsync(Plan plan, CancellationToken cancellationToken)
    {
        await using var simulator = await BybitSimulator.StartAsync(
            new SimulatorOptions { TargetInstrumentCount = 5_000, PushInterval = TimeSpan.FromMilliseconds(100) }, cancellationToken);
        await using var tracker = TrackerProcess.Start(simulator);
        await tracker.WaitLiveAsync(simulator.InstrumentCount, TimeSpan.FromSeconds(120), cancellationToken);
        Detail($"{simulator.InstrumentCount} options every 100 ms; running {plan.MemoryRun.TotalSeconds:0} s");
        var samples = new List<double>();
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < plan.MemoryRun)
        {
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            samples.Add(tracker.WorkingSetBytes / 1048576.0);
        }
        var stats = await tracker.GetStatsAsync(cancellationToken);
        Detail($"working set every 5 s (MB): {string.Join(", ", samples.Select(s => s.ToString("F0", CultureInfo.InvariantCulture)))}; "
            + $"{stats.MessagesProcessed:N0} messages processed; load average {Machine.LoadAverage()}");
        Figure("working_set_mb", samples[^1].ToString("F0", CultureInfo.InvariantCulture));
        Figure("working_set_max_mb", samples.Max().ToString("F0", CultureInfo.InvariantCulture));
        Figure("working_set_options", simulator.InstrumentCount.ToString(CultureInfo.InvariantCulture));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    internal static void Figure(string name, string value)
    {
        Figures[name] = value;
        Console.WriteLine($"{name}: {value}");
    }

    internal static void Detail(string text) => Console.WriteLine("# " + text);
}

internal sealed record Plan(
    TimeSpan CeilingRun, int CeilingRepeats, TimeSpan Warmup, int IngestWindows, TimeSpan IngestWindow, TimeSpan AllocationWindow,
    TimeSpan LatencyWindow, int StartupRepeats, int ApiConcurrency, TimeSpan ApiClosedWindow, TimeSpan ApiOpenWindow, TimeSpan MemoryRun)
{
    public static readonly Plan Quick = new(
        TimeSpan.FromSeconds(1), 3, TimeSpan.FromSeconds(3), 3, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(10), 3, 4, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));

    public static readonly Plan Full = new(
        TimeSpan.FromSeconds(3), 5, TimeSpan.FromSeconds(5), 5, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15),
        TimeSpan.FromSeconds(30), 5, 4, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(120));
}
