using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using OptionsTracker.Simulator;
using static OptionsTracker.Load.LoadHarness;

namespace OptionsTracker.Load;

/// <summary>
/// <c>--phases dashboard</c>: the dashboard's speed and scale against the default board (BTC, ETH, SOL at 100 ms), the
/// tracker in its own process. (a) Page opens in Debian's Chromium: navigation start to the first table row visible,
/// to interactive (<c>.dash[data-live=on]</c>) and to a click on <i>Chain</i> taking effect; a fresh profile (first
/// visit) and a second open in it (cached). (b) Concurrent viewers of the BTC table: <see cref="CircuitClient"/>s opened in
/// steps (10, 50, 100, 200 by default; <c>--viewers 10,50</c> to choose), the tracker's CPU time (from /proc) as a share
/// of one core and its resident memory per circuit at each step, beside the ingest-only baseline; first checked
/// against real Chromium pages (same render batches per second per viewer). Options: <c>--opens N</c> (0: none), <c>--viewers</c> (<c>none</c>: page opens only).
/// The host runs with the dashboard's per-client rate limit raised (<c>Security__DashboardRateLimitPerMinute</c>, 60 by
/// default): every viewer here comes from 127.0.0.1, and the 61st page load or hub connection in a minute would get 429.
/// </summary>
internal static class DashboardBench
{
    private static readonly string ViewerPath = "?coin=BTC";
    private static readonly byte[] RenderBatchName = Encoding.ASCII.GetBytes("JS.RenderBatch");

    public static async Task RunAsync(bool quick, string[] args, CancellationToken cancellationToken)
    {
        var opens = Option(args, "--opens") is { } o ? int.Parse(o, CultureInfo.InvariantCulture) : quick ? 8 : 20;
        var levels = (Option(args, "--viewers") ?? (quick ? "10,50,100" : "10,50,100,200"))
            .Split(',', StringSplitOptions.RemoveEmptyEntries).Where(v => v != "none").Select(v => int.Parse(v, CultureInfo.InvariantCulture)).Order().ToArray();
        var window = quick ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(30);

        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions(), cancellationToken);
        await using var tracker = TrackerProcess.Start(simulator, new Dictionary<string, string>
        {
            ["Security__DashboardRateLimitPerMinute"] = "1000000",
            ["Security__DashboardRateLimitBurst"] = "1000000",
        });
        await tracker.WaitLiveAsync(simulator.InstrumentCount, TimeSpan.FromSeconds(90), cancellationToken);
        Detail($"tracker pid {tracker.Id} live: {simulator.InstrumentCount} options ({string.Join(", ", simulator.BaseCoins.Select(c => $"{c} {simulator.GetInstruments(c).Count}"))}), pushed every 100 ms");

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });

        if (opens > 0)
            await PageOpensAsync(browser, tracker.BaseUrl, opens, cancellationToken);
        // --viewers none: page opens only.
        if (levels.Length == 0)
            return;
        await ValidateAsync(browser, tracker.BaseUrl, cancellationToken);
        await ViewersAsync(tracker, levels, window, cancellationToken);
    }

    /// <summary>(a) Navigation start to rows, to interactive, and to a click taking effect; first visit, then cached.</summary>
    private static async Task PageOpensAsync(IBrowser browser, Uri baseUrl, int opens, CancellationToken cancellationToken)
    {
        Detail($"page opens: {opens} fresh browser profiles, each opening {baseUrl} and then opening it again (load average {Machine.LoadAverage()})");
        var cold = new Timings();
        var warm = new Timings();
        for (var i = 0; i < opens; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
            var page = await context.NewPageAsync();
            if (i == 0)
                page.Response += (_, response) => DescribeAsset(response);
            cold.Add(await OpenOnceAsync(page, () => page.GotoAsync(baseUrl.AbsoluteUri, new() { WaitUntil = WaitUntilState.Commit })));
            // The table again (the click above put the chain in the address), now with the framework's script cached.
            warm.Add(await OpenOnceAsync(page, () => page.GotoAsync(baseUrl.AbsoluteUri, new() { WaitUntil = WaitUntilState.Commit })));
        }
        cold.Report("dashboard_open_first_visit");
        warm.Report("dashboard_open_cached");
        Detail($"page opens done (load average {Machine.LoadAverage()})");
    }

    private static async Task<(double Rows, double Interactive, double Click)> OpenOnceAsync(IPage page, Func<Task<IResponse?>> navigate)
    {
        var watch = Stopwatch.StartNew();
        // Where the time goes between rows and interactive: the framework script, the hub's socket, the circuit's batches.
        double script = double.NaN, socket = double.NaN, firstBatch = double.NaN;
        var batches = new List<double>();
        void OnFinished(object? sender, IRequest request)
        {
            if (request.Url.Contains("blazor.web", StringComparison.Ordinal))
                script = watch.Elapsed.TotalSeconds;
        }
        void OnSocket(object? sender, IWebSocket ws)
        {
            socket = watch.Elapsed.TotalSeconds;
            ws.FrameReceived += (_, frame) =>
            {
                if (frame.Binary is { } bytes && bytes.AsSpan().IndexOf(RenderBatchName) >= 0)
                {
                    lock (batches)
                        batches.Add(watch.Elapsed.TotalSeconds);
                }
            };
        }
        page.RequestFinished += OnFinished;
        page.WebSocket += OnSocket;
        await navigate();
        await page.Locator("#options-table tbody tr:has(span.symbol)").First.WaitForAsync(new() { Timeout = 60_000 });
        var rows = watch.Elapsed.TotalSeconds;
        await page.Locator(".dash[data-live=on]").WaitForAsync(new() { Timeout = 60_000 });
        var interactive = watch.Elapsed.TotalSeconds;
        page.RequestFinished -= OnFinished;
        page.WebSocket -= OnSocket;
        lock (batches)
        {
            firstBatch = batches.Count > 0 ? batches[0] : double.NaN;
            Detail($"  open: rows {rows:0.000} s, blazor.web.js loaded {script:0.000} s, hub socket {socket:0.000} s, first render batch {firstBatch:0.000} s, "
                + $"live {interactive:0.000} s after {batches.Count(b => b <= interactive)} render batches ({string.Join(" ", batches.Where(b => b <= interactive).Select(b => b.ToString("0.000", CultureInfo.InvariantCulture)))})");
        }
        // A click that takes effect: the Chain view becomes the active one (and the table gives way to the chain).
        await page.Locator(".views [data-view=chain]").ClickAsync();
        await page.Locator(".views [data-view=chain].active").WaitForAsync(new() { Timeout = 60_000 });
        return (rows, interactive, watch.Elapsed.TotalSeconds);
    }

    private static void DescribeAsset(IResponse response)
    {
        if (!response.Url.Contains("blazor.web", StringComparison.Ordinal) && !response.Url.EndsWith('/'))
            return;
        var headers = response.Headers;
        Detail($"{response.Url}: {response.Status}, content-encoding {headers.GetValueOrDefault("content-encoding", "none")}, "
            + $"content-length {headers.GetValueOrDefault("content-length", "?")}, cache-control {headers.GetValueOrDefault("cache-control", "none")}");
    }

    /// <summary>Three Chromium pages and three circuit clients on the BTC table at once: their updates per second agree?</summary>
    private static async Task ValidateAsync(IBrowser browser, Uri baseUrl, CancellationToken cancellationToken)
    {
        const int Pages = 3;
        var window = TimeSpan.FromSeconds(10);
        var counters = new long[Pages];
        var contexts = new List<IBrowserContext>();
        var clients = new List<CircuitClient>();
        using var http = new HttpClient();
        try
        {
            for (var i = 0; i < Pages; i++)
            {
                var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
                contexts.Add(context);
                var page = await context.NewPageAsync();
                var index = i;
                page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) =>
                {
                    if (frame.Binary is { } bytes && bytes.AsSpan().IndexOf(RenderBatchName) >= 0)
                        Interlocked.Increment(ref counters[index]);
                };
                await page.GotoAsync(new Uri(baseUrl, ViewerPath).AbsoluteUri);
                await page.Locator(".dash[data-live=on]").WaitForAsync(new() { Timeout = 60_000 });
                clients.Add(await CircuitClient.OpenAsync(http, baseUrl, ViewerPath, cancellationToken));
            }
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            var pagesBefore = counters.Select(c => Interlocked.Read(ref c)).ToArray();
            var clientsBefore = clients.Select(c => c.RenderBatches).ToArray();
            var watch = Stopwatch.StartNew();
            await Task.Delay(window, cancellationToken);
            var seconds = watch.Elapsed.TotalSeconds;
            var pageRates = counters.Select((c, i) => (Interlocked.Read(ref counters[i]) - pagesBefore[i]) / seconds).ToArray();
            var clientRates = clients.Select((c, i) => (c.RenderBatches - clientsBefore[i]) / seconds).ToArray();
            Detail($"check: render batches per second over {seconds:0.0} s, Chromium pages {Rates(pageRates)}; circuit clients {Rates(clientRates)}");
            Figure("dashboard_check_chromium_updates_per_s", pageRates.Average().ToString("F2", CultureInfo.InvariantCulture));
            Figure("dashboard_check_client_updates_per_s", clientRates.Average().ToString("F2", CultureInfo.InvariantCulture));
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
            foreach (var context in contexts)
                await context.DisposeAsync();
        }
    }

    /// <summary>(b) Viewers of the BTC table in steps: the tracker's CPU share of one core and memory per circuit.</summary>
    private static async Task ViewersAsync(TrackerProcess tracker, int[] levels, TimeSpan window, CancellationToken cancellationToken)
    {
        var settle = TimeSpan.FromSeconds(5);
        // Closed pages and validation circuits leave the host; let it settle before the baseline.
        await Task.Delay(settle, cancellationToken);
        var baseline = await MeasureAsync(tracker, [], window, cancellationToken);
        Detail($"viewers 0 (feed only): tracker {baseline.Cores:0.000} of one core, RSS {baseline.RssMb:0.0} MB, load average {baseline.Load}");
        Figure("dashboard_viewers_0_server_cores", baseline.Cores.ToString("F3", CultureInfo.InvariantCulture));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var clients = new List<CircuitClient>();
        try
        {
            foreach (var level in levels)
            {
                var opening = Stopwatch.StartNew();
                using (var gate = new SemaphoreSlim(8))
                {
                    var opened = await Task.WhenAll(Enumerable.Range(0, level - clients.Count).Select(async _ =>
                    {
                        await gate.WaitAsync(cancellationToken);
                        try
                        {
                            return await CircuitClient.OpenAsync(http, tracker.BaseUrl, ViewerPath, cancellationToken);
                        }
                        finally
                        {
                            gate.Release();
                        }
                    }));
                    clients.AddRange(opened);
                }
                Detail($"{level} viewers open ({opening.Elapsed.TotalSeconds:0.0} s to open {level} circuits); settling {settle.TotalSeconds:0} s");
                await Task.Delay(settle, cancellationToken);

                var result = await MeasureAsync(tracker, clients, window, cancellationToken);
                var perCircuitMb = (result.RssMb - baseline.RssMb) / level;
                var failed = clients.Count(c => c.Error is not null);
                Detail($"viewers {level}: tracker {result.Cores:0.000} of one core ({result.Cores - baseline.Cores:0.000} above the feed alone, "
                    + $"{(result.Cores - baseline.Cores) / level * 1000:0.00} thousandths of a core per viewer); updates per viewer per second "
                    + $"median {result.Rates.P50:0.00}, lowest {result.Rates.At(0):0.00}, highest {result.Rates.Max:0.00}; "
                    + $"{result.BytesPerViewerSecond / 1024:0.0} KB of render batches per viewer per second; "
                    + $"RSS {result.RssMb:0.0} MB ({perCircuitMb * 1024:0} KB per circuit above the baseline); "
                    + $"harness (the clients) {result.HarnessCores:0.00} cores; "
                    + $"machine {result.MachineBusyCores:0.00} of {Environment.ProcessorCount} cores busy; load average {result.Load}; circuits failed {failed}");
                // The steadier figure on a busy machine: the tracker's CPU per update it delivered, above the feed's own.
                var cpuMsPerUpdate = (result.Cores - baseline.Cores) * 1000 / (level * result.Rates.Items.Average());
                Detail($"viewers {level}: {cpuMsPerUpdate:0.00} CPU ms per update delivered; at 4 updates a second {level} viewers would need "
                    + $"{baseline.Cores + cpuMsPerUpdate * level * 4 / 1000:0.00} of one core with the feed");
                Figure($"dashboard_viewers_{level}_server_cores", result.Cores.ToString("F3", CultureInfo.InvariantCulture));
                Figure($"dashboard_viewers_{level}_cpu_ms_per_update", cpuMsPerUpdate.ToString("F2", CultureInfo.InvariantCulture));
                Figure($"dashboard_viewers_{level}_updates_per_s", result.Rates.P50.ToString("F2", CultureInfo.InvariantCulture));
                Figure($"dashboard_viewers_{level}_rss_kb_per_circuit", (perCircuitMb * 1024).ToString("F0", CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
        foreach (var error in clients.Where(c => c.Error is not null and not "disposed").GroupBy(c => c.Error))
            Detail($"circuits failed with: {error.Key} ×{error.Count()}");
        if (!CircuitClient.UnknownCalls.IsEmpty)
            Detail("JS calls answered with null: " + string.Join(", ", CircuitClient.UnknownCalls.Select(kv => $"{kv.Key} ×{kv.Value}")));
    }

    private static async Task<Window> MeasureAsync(TrackerProcess tracker, List<CircuitClient> clients, TimeSpan window, CancellationToken cancellationToken)
    {
        var before = clients.Select(c => (c.RenderBatches, c.RenderBytes)).ToArray();
        var cpuBefore = ProcStat.CpuSeconds(tracker.Id);
        var machineBefore = ProcStat.MachineBusySeconds();
        using var harness = Process.GetCurrentProcess();
        var harnessBefore = harness.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await Task.Delay(window, cancellationToken);
        var seconds = watch.Elapsed.TotalSeconds;
        var cores = (ProcStat.CpuSeconds(tracker.Id) - cpuBefore) / seconds;
        var machine = (ProcStat.MachineBusySeconds() - machineBefore) / seconds;
        harness.Refresh();
        var harnessCores = (harness.TotalProcessorTime - harnessBefore).TotalSeconds / seconds;
        var rates = new Percentiles(clients.Select((c, i) => (c.RenderBatches - before[i].RenderBatches) / seconds));
        var bytes = clients.Count == 0 ? 0 : clients.Select((c, i) => c.RenderBytes - before[i].RenderBytes).Sum() / seconds / clients.Count;
        return new Window(cores, ProcStat.RssMb(tracker.Id), rates, bytes, harnessCores, machine, Machine.LoadAverage());
    }

    private static string Rates(double[] rates) => string.Join(", ", rates.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)));

    private static string? Option(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private sealed record Window(double Cores, double RssMb, Percentiles Rates, double BytesPerViewerSecond, double HarnessCores,
        double MachineBusyCores, string Load);

    /// <summary>Seconds to rows, to interactive and to a click taking effect, over several opens.</summary>
    private sealed class Timings
    {
        private readonly List<(double Rows, double Interactive, double Click)> _opens = [];

        public void Add((double Rows, double Interactive, double Click) open) => _opens.Add(open);

        public void Report(string name)
        {
            foreach (var (label, values) in new[]
            {
                ("rows", _opens.Select(o => o.Rows)),
                ("interactive", _opens.Select(o => o.Interactive)),
                ("click", _opens.Select(o => o.Click)),
            })
            {
                var p = new Percentiles(values);
                Detail($"{name} to {label}: median {p.P50:0.000} s, lowest {p.At(0):0.000} s, p90 {p.At(0.9):0.000} s, highest {p.Max:0.000} s "
                    + $"({string.Join(" ", values.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)))})");
                Figure($"{name}_{label}_p50_s", p.P50.ToString("F3", CultureInfo.InvariantCulture));
            }
        }
    }
}

/// <summary>CPU time and resident memory as Linux's /proc has them.</summary>
internal static class ProcStat
{
    // USER_HZ: the unit of /proc's CPU times; 100 on every Linux the project runs on (sysconf(_SC_CLK_TCK)).
    private const double TicksPerSecond = 100;

    /// <summary>utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat).</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>VmRSS from /proc/PID/status, in MB.</summary>
    public static double RssMb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>Busy CPU seconds of the whole machine (every core: all of /proc/stat's "cpu" line but idle and iowait).</summary>
    public static double MachineBusySeconds()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest times are already inside user and nice).
        return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]) / TicksPerSecond;
    }
}
