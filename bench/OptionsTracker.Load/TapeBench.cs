using System.Diagnostics;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Simulator;
using OptionsTracker.Tape;
using static OptionsTracker.Load.LoadHarness;

namespace OptionsTracker.Load;

/// <summary>
/// The trade tape's figures (issue 17), opt-in phases of the harness:
/// <c>--phases tape-memory</c>: bytes a trade costs in the ring (GC heap before and after filling <c>Tape:Keep</c> trades,
/// and again after filling it once more, which must not grow it);
/// <c>--phases tape-sse</c>: a burst of 10,000 trades a second appended to the tape of an in-process tracker, read by 100
/// SSE clients over real HTTP (<c>GET /api/trades/stream/BTC</c>): latency from the append to each client's receipt,
/// and the CPU it costs.
/// </summary>
internal static class TapeBench
{
    private const string Coin = "BTC";
    private static readonly DateTimeOffset Expiry = new(2030, 3, 29, 8, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A realistic trade: a fresh id string (Bybit's execId is a UUID) and, unless <paramref name="sharedSymbol"/> is
    /// given, a fresh symbol string, as a parser produces for each trade it reads.
    /// </summary>
    private static Trade TradeOf(long n, long timeMs, string? sharedSymbol, bool bookSymbols = false)
    {
        var strike = 60_000 + (n % 80) * 1_000;
        var call = n % 2 == 0;
        return new Trade
        {
            Venue = Venue.Bybit,
            Id = Guid.NewGuid().ToString(),
            Symbol = sharedSymbol ?? (bookSymbols ? BookSymbols[(int)(n % 80) * 2 + (call ? 0 : 1)] : $"{Coin}-29MAR30-{strike}-{(call ? 'C' : 'P')}-USDT"),
            BaseCoin = Coin,
            ExpiryUtc = Expiry,
            Strike = strike,
            Type = call ? OptionType.Call : OptionType.Put,
            TimeMs = timeMs,
            Side = n % 3 == 0 ? TradeSide.Sell : TradeSide.Buy,
            Size = 0.1 + n % 50,
            Price = 500 + n % 3_000,
            Iv = 0.55 + (n % 20) / 100.0,
            MarkIv = 0.56,
            MarkPrice = 510,
            IndexPrice = 95_000,
            Delta = 0.4,
            Gamma = 0.00001,
            Vega = 80,
            ExchangeSequence = n,
        };
    }

    private static IEnumerable<Trade> Stream(long from, int count, long timeMs, string? sharedSymbol, bool bookSymbols = false)
    {
        for (var i = 0; i < count; i++)
            yield return TradeOf(from + i, timeMs + i, sharedSymbol, bookSymbols);
    }

    /// <summary>The symbols of the strikes <see cref="TradeOf"/> trades, made once: the book's strings, which the feed's trades share.</summary>
    private static readonly string[] BookSymbols = [.. Enumerable.Range(0, 160).Select(i => $"{Coin}-29MAR30-{60_000 + i / 2 * 1_000}-{(i % 2 == 0 ? 'C' : 'P')}-USDT")];

    private static long Heap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    // The tape under measurement lives here, never in a local: the JIT may keep a local (or the list an Append returned)
    // alive to the end of the method, which would count trades the ring has already forgotten.
    private static TradeTape? _held;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void NewTape(int keep) => _held = new TradeTape(Options.Create(new TapeOptions { Keep = keep }));

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int Fill(long from, int count, long timeMs, string? sharedSymbol) =>
        _held!.Append(Stream(from, count, timeMs, sharedSymbol)).Count;

    /// <summary>Bytes per trade held by a full ring of <paramref name="keep"/>, with fresh and with shared symbol strings.</summary>
    public static Task MemoryAsync(int keep = 50_000)
    {
        foreach (var (label, symbol) in new[] { ("fresh", (string?)null), ("shared", $"{Coin}-29MAR30-100000-C-USDT") })
        {
            _held = null;
            var before = Heap();
            NewTape(keep);
            var first = Fill(1, keep, 1_000_000, symbol);
            var full = Heap();
            // Once more: the ring forgets the oldest, so the heap must stay where it was.
            var second = Fill(keep + 1, keep, 2_000_000, symbol);
            var again = Heap();
            var held = _held!.After(Coin, 0).Count;
            _held = null;
            var perTrade = (full - before) / (double)keep;
            Detail($"tape of {keep:N0} trades, {label} symbol strings: {first:N0} appended, heap +{(full - before) / 1048576.0:0.0} MB "
                + $"({perTrade:0} B a trade); {second:N0} more appended, {held:N0} held: heap +{(again - before) / 1048576.0:0.0} MB "
                + $"({(again - before) / (double)keep:0} B a held trade); server GC {System.Runtime.GCSettings.IsServerGC}");
            Figure($"tape_bytes_per_trade_{label}_symbols", perTrade.ToString("F0", CultureInfo.InvariantCulture));
            Figure($"tape_bytes_after_refill_ratio_{label}_symbols", ((again - before) / (double)(full - before)).ToString("F2", CultureInfo.InvariantCulture));
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// 100 SSE clients of BTC's trades, then a burst of <paramref name="rate"/> trades a second for <paramref name="burst"/>
    /// appended to the tape (as the feed appends: batches, each trade a new Trade). Each client records, per trade, its
    /// arrival minus the moment just before the trade was appended; the figures are over every client's every trade.
    /// </summary>
    public static async Task SseAsync(bool quick, CancellationToken cancellationToken, int clients = 100, int rate = 10_000)
    {
        var burst = quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(15);
        var total = (int)(rate * burst.TotalSeconds);
        // A small, slow board (the stream serves a coin the book knows), making no trades of its own: every trade on the
        // tape is the harness's.
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions
        {
            TargetInstrumentCount = 200,
            PushInterval = TimeSpan.FromSeconds(1),
        }, cancellationToken);
        await using var tracker = InProcessTracker.Start(simulator, new Dictionary<string, string?>
        {
            // The whole burst fits in the ring: a client that fell behind by more than Keep would miss trades, which is a
            // different figure (counted below as missed, not hidden in the latency).
            ["Tape:Keep"] = Math.Max(50_000, total + 25_000).ToString(CultureInfo.InvariantCulture),
            // All 100 clients come from one address (loopback); the default allows 20 streams per client address.
            ["Api:MaxStreamsPerClient"] = (clients + 10).ToString(CultureInfo.InvariantCulture),
            ["History:Enabled"] = "false",
        });
        await tracker.WaitFullBoardAsync(simulator.InstrumentCount, TimeSpan.FromSeconds(120), cancellationToken);
        var tape = tracker.Services.GetRequiredService<TradeTape>();
        var path = $"api/trades/stream/{Coin}";

        using (var probe = await tracker.Http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken))
        {
            if (probe.StatusCode != HttpStatusCode.OK)
            {
                Figure("tape_sse_p99_ms", $"n/a (GET /{path} answered {(int)probe.StatusCode})");
                return;
            }
        }

        // appendedAt[sequence], shared with the client process (SseClientProcess): a file in memory where there is one.
        var capacity = (long)(total + 100_000) * sizeof(long);
        var mapPath = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), $"optionstracker-tape-sse-{Environment.ProcessId}.bin");
        try
        {
            using var map = MemoryMappedFile.CreateFromFile(mapPath, FileMode.Create, null, capacity, MemoryMappedFileAccess.ReadWrite);
            using var appendedAt = map.CreateViewAccessor(0, capacity, MemoryMappedFileAccess.ReadWrite);
            await BurstAsync(tracker, tape, path, mapPath, appendedAt, quick, clients, rate, total, burst, cancellationToken);
        }
        finally
        {
            File.Delete(mapPath);
        }
    }

    private static async Task BurstAsync(InProcessTracker tracker, TradeTape tape, string path, string mapPath, MemoryMappedViewAccessor appendedAt,
        bool quick, int clients, int rate, int total, TimeSpan burst, CancellationToken cancellationToken)
    {
        var baseAddress = tracker.Http.BaseAddress!;
        // The warm-up is the burst itself, shorter, through the same clients of the same process: a server (and a client)
        // measured while its code is still being compiled measures the JIT. Both processes start cold, and tiered
        // compilation compiles a hot method up to three times (quick code, then code that counts for dynamic PGO, then the
        // final code), each step after the method has been called enough and a delay, on a thread of its own that competes
        // with the stream for the 2 cores: one warm-up left ~1,000 methods to compile during the measured burst (3 s of
        // JIT time). So the clients connect once and receive warm-ups at the burst's rate (not measured), the harness
        // waits after each until its JIT has gone quiet, and only then is the burst measured; the JIT's work during the
        // burst is printed beside the figures.
        const int warmRounds = 3;
        var warmCount = rate * 2;
        var timeMs = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var warmFirst = tape.LastSequence(Coin) + 1;
        var first = warmFirst + (long)warmCount * warmRounds;
        var last = first + total - 1;
        await using var child = await SseClientProcess.Child.StartAsync(baseAddress, path, clients, first, last, mapPath, cancellationToken);
        // Every stream is open and has sent its headers; let the server reach its wait on the tape.
        await Task.Delay(500, cancellationToken);
        var settleSeconds = 0.0;
        var settleMethods = 0L;
        for (var round = 0; round < warmRounds; round++)
        {
            await AppendPacedAsync(tape, 1 + (long)round * warmCount, warmCount, timeMs, warmFirst + (long)round * warmCount, rate, appendedAt, cancellationToken);
            timeMs += warmCount;
            var (settled, methods) = await JitQuietAsync(TimeSpan.FromSeconds(30), cancellationToken);
            settleSeconds += settled.TotalSeconds;
            settleMethods += methods;
        }
        if (tape.LastSequence(Coin) + 1 != first)
            throw new InvalidOperationException($"the tape's next sequence is {tape.LastSequence(Coin) + 1}, not {first}: something else appended trades during the warm-up");
        Detail($"{clients} SSE clients (another process) connected to /{path}; {warmRounds} warm-ups of {warmCount:N0} trades at {rate:N0}/s, "
            + $"{settleMethods:N0} methods compiled in the {settleSeconds:0.0} s waited after them for the JIT to go quiet; "
            + $"burst of {rate:N0} trades/s for {burst.TotalSeconds:0} s ({total:N0} trades); load average {Machine.LoadAverage()}");

        using var process = Process.GetCurrentProcess();
        var idleCores = await IdleCoresAsync(process, TimeSpan.FromSeconds(2), cancellationToken);
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var userBefore = process.UserProcessorTime;
        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        using var gcPauses = new GcPauses();
        await Task.Delay(100, cancellationToken); // the listener's session is on
        gcPauses.Take();
        var jitBefore = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        using var scheduler = new SchedulerProbe();
        var started = Stopwatch.GetTimestamp();
        var (batches, _) = await AppendPacedAsync(tape, 0, total, timeMs, first, rate, appendedAt, cancellationToken);
        // The JIT's work while the burst was appended (after it, the connections' ends compile their own code).
        var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - jitBefore.Item1;
        var jitTime = System.Runtime.JitInfo.GetCompilationTime() - jitBefore.Item2;
        var appendSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var result = await child.FinishAsync(TimeSpan.FromSeconds(30), cancellationToken);
        var deliveredSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        // User mode is ours (Kestrel, the stream loop, the copies); the rest is the kernel's (sending over loopback TCP).
        var user = (process.UserProcessorTime - userBefore).TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
        var late = scheduler.Stop();
        var (pauses, promoted) = gcPauses.Take();

        var received = result.Received;
        foreach (var line in result.Worst)
            Detail("where the tail formed: " + line);
        Detail($"appended {total:N0} trades in {batches:N0} batches over {appendSeconds:0.00} s ({total / appendSeconds:N0}/s); "
            + $"finished after {deliveredSeconds:0.00} s; {received:N0} of {(long)total * clients:N0} receipts, {result.OutOfOrder} out of order");
        Detail($"tracker process CPU (tracker, appender, a 200-option simulator; not the clients) {cpu:0.00} s = {cpu / deliveredSeconds:0.00} cores; "
            + $"{cpu / total * 1e6:0.0} CPU µs a trade, {cpu / received * 1e6:0.00} CPU µs a delivery; {allocated / 1048576.0:0} MB allocated ({allocated / (double)received:0} B a delivery), "
            + $"GCs gen0/1/2 {GC.CollectionCount(0) - gcBefore.Item1}/{GC.CollectionCount(1) - gcBefore.Item2}/{GC.CollectionCount(2) - gcBefore.Item3}; "
            + $"client process CPU {result.CpuSeconds:0.00} s ({result.CpuSeconds / received * 1e6:0.00} µs a delivery); "
            + $"GC pauses {pauses.Length}, {pauses.Sum():0} ms in all, the longest {(pauses.Length == 0 ? 0 : pauses.Max()):0.0} ms "
            + $"({string.Join(", ", pauses.Select(p => p.ToString("0.0", CultureInfo.InvariantCulture)))}), promoting {promoted.Sum() / 1048576.0:0} MB; JIT while appending: {jitMethods:N0} methods, {jitTime.TotalMilliseconds:0} ms; "
            + $"scheduler noise (1 ms sleep woke late) p99 {late.P99:0.00} ms; load average {Machine.LoadAverage()}");
        Detail($"server CPU in user mode {user / received * 1e6:0.00} µs a delivery, in the kernel {(cpu - user) / received * 1e6:0.00}; "
            + $"client CPU in user mode {result.UserSeconds / received * 1e6:0.00} µs, in the kernel {(result.CpuSeconds - result.UserSeconds) / received * 1e6:0.00}; "
            + $"the clients read {result.Bytes / 1048576.0:N0} MB ({result.Bytes / (double)Math.Max(1, received):0} B a delivery on the wire)");
        Detail($"the same process idle (clients connected, the appender's 1 ms loop and the scheduler probe running, nothing appended): "
            + $"{idleCores:0.000} cores; net of it, the server spends {(cpu - idleCores * deliveredSeconds) / received * 1e6:0.00} CPU µs a delivery");
        Figure("tape_sse_server_idle_cores", idleCores.ToString("F3", CultureInfo.InvariantCulture));
        Figure("tape_sse_server_cpu_us_per_delivery_net_of_idle", ((cpu - idleCores * deliveredSeconds) / received * 1e6).ToString("F2", CultureInfo.InvariantCulture));
        Figure("tape_sse_trades_per_s", (total / appendSeconds).ToString("F0", CultureInfo.InvariantCulture));
        Figure("tape_sse_clients", clients.ToString(CultureInfo.InvariantCulture));
        Figure("tape_sse_missed", ((long)total * clients - received).ToString(CultureInfo.InvariantCulture));
        Figure("tape_sse_p50_ms", result.P50.ToString("F2", CultureInfo.InvariantCulture));
        Figure("tape_sse_p99_ms", result.P99.ToString("F2", CultureInfo.InvariantCulture));
        Figure("tape_sse_max_ms", result.Max.ToString("F2", CultureInfo.InvariantCulture));
        Figure("tape_sse_server_cores", (cpu / deliveredSeconds).ToString("F2", CultureInfo.InvariantCulture));
        Figure("tape_sse_server_cpu_us_per_delivery", (cpu / received * 1e6).ToString("F2", CultureInfo.InvariantCulture));
        Figure("tape_sse_client_cpu_us_per_delivery", (result.CpuSeconds / received * 1e6).ToString("F2", CultureInfo.InvariantCulture));
        Figure("tape_sse_server_user_cpu_us_per_delivery", (user / received * 1e6).ToString("F2", CultureInfo.InvariantCulture));
        Figure("tape_sse_server_allocated_bytes_per_delivery", (allocated / (double)received).ToString("F0", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Appends <paramref name="count"/> new trades (sequences from <paramref name="firstSequence"/>) paced to
    /// <paramref name="rate"/> a second, as the feed would: every millisecond or so, the trades now due made (fresh objects
    /// and strings, as the parser makes them: they live in the tape, so a collection promotes them as it would the feed's)
    /// and appended as one batch, each one's append time written just before. Each has a fresh id string, and the symbol
    /// string of the book, as the feed's trades of a listed option have. Returns the batches and the seconds it took.
    /// </summary>
    private static async Task<(int Batches, double Seconds)> AppendPacedAsync(TradeTape tape, long from, int count, long timeMs, long firstSequence,
        int rate, MemoryMappedViewAccessor appendedAt, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var sent = 0;
        var batches = 0;
        var batch = new List<Trade>(1_024);
        while (sent < count)
        {
            var due = (int)Math.Min(count, Stopwatch.GetElapsedTime(started).TotalSeconds * rate);
            if (due > sent)
            {
                batch.Clear();
                batch.AddRange(Stream(from + sent, due - sent, timeMs + sent, null, bookSymbols: true));
                var now = Stopwatch.GetTimestamp();
                for (var s = sent; s < due; s++)
                    appendedAt.Write((firstSequence + s) * sizeof(long), now);
                tape.Append(batch);
                sent = due;
                batches++;
            }
            await Task.Delay(1, cancellationToken);
        }
        return (batches, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>
    /// Waits until this process's JIT has gone quiet (fewer than 20 methods compiled in the last 2 s: tiered
    /// compilation's re-compiles of the hot methods done; a timer's first call somewhere may still compile one now and
    /// then), at most <paramref name="patience"/>; returns how long it waited and how many methods it saw compiled.
    /// </summary>
    private static async Task<(TimeSpan Waited, long Methods)> JitQuietAsync(TimeSpan patience, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var initial = System.Runtime.JitInfo.GetCompiledMethodCount();
        var window = new Queue<long>();
        window.Enqueue(initial);
        while (Stopwatch.GetElapsedTime(started) < patience)
        {
            await Task.Delay(250, cancellationToken);
            window.Enqueue(System.Runtime.JitInfo.GetCompiledMethodCount());
            if (window.Count > 9)
                window.Dequeue();
            if (window.Count == 9 && window.Last() - window.Peek() < 20)
                break;
        }
        return (Stopwatch.GetElapsedTime(started), System.Runtime.JitInfo.GetCompiledMethodCount() - initial);
    }

    /// <summary>
    /// The harness process's CPU with nothing appended: the appender's 1 ms loop and the scheduler probe as in the burst,
    /// the clients connected and waiting, the simulator's board; what the burst's figure includes besides the deliveries.
    /// </summary>
    private static async Task<double> IdleCoresAsync(Process process, TimeSpan duration, CancellationToken cancellationToken)
    {
        process.Refresh();
        var before = process.TotalProcessorTime;
        using var scheduler = new SchedulerProbe();
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < duration)
            await Task.Delay(1, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        scheduler.Stop();
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalSeconds / elapsed;
    }

    /// <summary>
    /// Ticker ingest end to end with and without the trade topics: the simulator pushes ~10,000 options as fast as the
    /// sockets take and makes <paramref name="tradesPerSecond"/> trades a second on each coin; the tracker process runs
    /// with the tape (its shards also subscribe <c>publicTrade.{coin}</c>, the trades reach the tape) and with
    /// <c>Tape__Enabled=false</c> (no trade topic), in turn, <paramref name="rounds"/> times each, a fresh process each
    /// time. Per window: tickers processed per second and the tracker's CPU per million of them.
    /// </summary>
    public static async Task IngestAsync(Plan plan, CancellationToken cancellationToken, int rounds = 2, double tradesPerSecond = 20)
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions
        {
            TargetInstrumentCount = 10_000,
            PushInterval = TimeSpan.Zero,
            TradesPerSecond = tradesPerSecond,
        }, cancellationToken);
        Detail($"simulator: {simulator.InstrumentCount} options of {string.Join(", ", simulator.BaseCoins)}, tickers as fast as the sockets take, "
            + $"{tradesPerSecond} trades/s per coin; load average {Machine.LoadAverage()}");
        var results = new Dictionary<bool, (List<double> Rate, List<double> Cpu)> { [true] = ([], []), [false] = ([], []) };
        for (var round = 0; round < rounds; round++)
        {
            foreach (var tape in new[] { true, false })
            {
                var environment = new Dictionary<string, string> { ["Tape__Enabled"] = tape ? "true" : "false" };
                await using var tracker = TrackerProcess.Start(simulator, environment);
                await tracker.WaitLiveAsync(simulator.InstrumentCount, TimeSpan.FromSeconds(120), cancellationToken,
                    extraTopics: tape ? simulator.BaseCoins.Count : 0);
                await Task.Delay(plan.Warmup, cancellationToken);
                var tradesBefore = simulator.TradeMessagesSent;
                for (var window = 0; window < plan.IngestWindows; window++)
                {
                    var before = await StatsAsync(tracker, cancellationToken);
                    var cpuBefore = tracker.CpuTime;
                    var started = Stopwatch.GetTimestamp();
                    await Task.Delay(plan.IngestWindow, cancellationToken);
                    var after = await StatsAsync(tracker, cancellationToken);
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    var cpu = (tracker.CpuTime - cpuBefore).TotalSeconds;
                    var messages = after.MessagesProcessed - before.MessagesProcessed;
                    results[tape].Rate.Add(messages / elapsed);
                    results[tape].Cpu.Add(cpu / messages * 1e6);
                    Detail($"round {round + 1}, {(tape ? "with" : "without")} trade topics, window {window + 1}: {messages / elapsed:N0} msgs/s, "
                        + $"tracker {cpu / elapsed:0.00} cores, {cpu / messages * 1e6:0.00} CPU s per million; load average {Machine.LoadAverage()}");
                }
                var trades = simulator.TradeMessagesSent - tradesBefore;
                var metrics = tape ? await TradesAppendedAsync(tracker, cancellationToken) : "n/a";
                Detail($"  trade frames the simulator sent this tracker's connections meanwhile: {trades:N0}; trades on its tape (optionstracker_trades_appended_total): {metrics}");
            }
        }
        foreach (var (tape, (rate, cpu)) in results)
        {
            var name = tape ? "with" : "without";
            Figure($"tape_ingest_{name}_trades_msgs_per_s", Median(rate).ToString("F0", CultureInfo.InvariantCulture));
            Figure($"tape_ingest_{name}_trades_cpu_s_per_million", Median(cpu).ToString("F2", CultureInfo.InvariantCulture));
            Detail($"{name} trade topics: {string.Join(", ", rate.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))} msgs/s; "
                + $"{string.Join(", ", cpu.Select(c => c.ToString("0.00", CultureInfo.InvariantCulture)))} CPU s per million");
        }
        Figure("tape_ingest_rate_ratio_with_to_without",
            (Median(results[true].Rate) / Median(results[false].Rate)).ToString("F2", CultureInfo.InvariantCulture));
        Figure("tape_ingest_cpu_ratio_with_to_without",
            (Median(results[true].Cpu) / Median(results[false].Cpu)).ToString("F2", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The tracker's /api/stats, asked up to three times: on a saturated machine one request may miss the client's 30 s
    /// (the first run of this phase lost its without-trades half that way).
    /// </summary>
    private static async Task<FeedStats> StatsAsync(TrackerProcess tracker, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await tracker.TryGetStatsAsync(cancellationToken) is { } stats)
                    return stats;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && attempt < 3 && !cancellationToken.IsCancellationRequested)
            {
                Detail($"  /api/stats failed ({e.GetType().Name}), asking again; load average {Machine.LoadAverage()}");
                continue;
            }
            if (attempt >= 3)
                throw new InvalidOperationException("GET /api/stats failed three times");
        }
    }

    private static async Task<string> TradesAppendedAsync(TrackerProcess tracker, CancellationToken cancellationToken)
    {
        try
        {
            var text = await tracker.Http.GetStringAsync(new Uri("metrics", UriKind.Relative), cancellationToken);
            // One series per venue (optionstracker_trades_appended_total{venue="bybit"} 123): the value is the last field.
            var lines = text.Split('\n').Where(l => l.StartsWith("optionstracker_trades_appended_total{", StringComparison.Ordinal)).ToList();
            return lines.Count == 0 ? "not in /metrics"
                : lines.Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException e)
        {
            return $"/metrics failed: {e.Message}";
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }
}
