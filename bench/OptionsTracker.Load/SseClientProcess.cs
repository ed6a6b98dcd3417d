using System.Diagnostics;
using System.Globalization;
using System.IO.MemoryMappedFiles;

namespace OptionsTracker.Load;

/// <summary>
/// The SSE clients of <c>--phases tape-sse</c>, in a process of their own (the harness starts itself again with
/// <c>--sse-clients</c>), so the clients' reading is not in the tracker's CPU figure and the two do not share one
/// process's thread pool and GC. The append times cross over in a memory-mapped file: the harness writes
/// <c>appendedAt[sequence]</c> (a <see cref="Stopwatch"/> timestamp, which on Linux is <c>CLOCK_MONOTONIC</c>, one clock
/// for every process of the machine) just before it appends the trade, and a client takes its latency when the trade's
/// <c>id:</c> line arrives. Protocol on standard input and output: the child prints <c>connected</c> once every stream
/// answered, then reads until every client has the last sequence or a <c>stop</c> line arrives, and prints one
/// <c>result</c> line.
/// </summary>
internal static class SseClientProcess
{
    public const string Flag = "--sse-clients";

    /// <summary>The child's side: <c>--sse-clients baseUrl path clients first last mmapPath</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var baseAddress = new Uri(args[1]);
        var path = args[2];
        var clients = int.Parse(args[3], CultureInfo.InvariantCulture);
        var first = long.Parse(args[4], CultureInfo.InvariantCulture);
        var last = long.Parse(args[5], CultureInfo.InvariantCulture);
        using var map = MemoryMappedFile.CreateFromFile(args[6], FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var appendedAt = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients + 10, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var stop = new CancellationTokenSource();
        var clock = new MeasuredCpu();
        var readers = Enumerable.Range(0, clients).Select(_ => new Reader(http, path, appendedAt, first, last, clock)).ToList();
        await Task.WhenAll(readers.Select(r => r.ConnectAsync(stop.Token)));
        Console.WriteLine("connected");
        var runs = readers.Select(r => r.ReadAsync(stop.Token)).ToList();
        var stopLine = Task.Run(() => Console.In.ReadLine());
        var allDone = Task.WhenAll(readers.Select(r => r.Done));
        await Task.WhenAny(stopLine, allDone);
        var (cpu, user) = clock.Since();
        await stop.CancelAsync();
        await Task.WhenAll(runs.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        var latencies = new Percentiles(readers.SelectMany(r => r.Latencies));
        foreach (var line in WorstWindows(readers, first, last))
            Console.WriteLine("worst " + line);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result {readers.Sum(r => (long)r.Received)} {readers.Sum(r => r.OutOfOrder)} {latencies.P50} {latencies.P99} {latencies.Max} {cpu} {user} {readers.Sum(r => r.Bytes)}"));
        foreach (var reader in readers)
            reader.Dispose();
        return 0;
    }

    /// <summary>
    /// This process's CPU from the first measured trade's arrival on (what the warm-up before it cost is not the burst's).
    /// </summary>
    private sealed class MeasuredCpu
    {
        private readonly Process _process = Process.GetCurrentProcess();
        private int _started;
        private TimeSpan _cpu;
        private TimeSpan _user;

        public void Start()
        {
            if (Interlocked.CompareExchange(ref _started, 1, 0) != 0)
                return;
            _process.Refresh();
            _cpu = _process.TotalProcessorTime;
            _user = _process.UserProcessorTime;
        }

        public (double Cpu, double User) Since()
        {
            if (Volatile.Read(ref _started) == 0)
                return (0, 0);
            _process.Refresh();
            return ((_process.TotalProcessorTime - _cpu).TotalSeconds, (_process.UserProcessorTime - _user).TotalSeconds);
        }
    }

    /// <summary>
    /// What the clients saw: receipts of the measured trades, out-of-order ids, latency percentiles, their CPU (all, and
    /// in user mode: the rest is the kernel's, the socket reads), the body bytes they read (chunk framing included).
    /// </summary>
    public sealed record Result(long Received, long OutOfOrder, double P50, double P99, double Max, double CpuSeconds, double UserSeconds, long Bytes)
    {
        /// <summary>The burst's worst windows (<see cref="WorstWindows"/>), one line each.</summary>
        public IReadOnlyList<string> Worst { get; init; } = [];
    }

    /// <summary>Trades per window of <see cref="WorstWindows"/>: 100 ms of the burst at 10,000 trades a second.</summary>
    private const int WindowTrades = 1_000;

    /// <summary>
    /// Where in the burst the tail formed: the measured sequences cut into windows of <see cref="WindowTrades"/> (their
    /// order of appending, so a window is a stretch of the burst's time), the three with the slowest delivery to any
    /// client, each with its share of deliveries over 50 ms; and how many windows had any. A stall of the server shows as
    /// one or two windows late for every client; a slow client as one client late everywhere.
    /// </summary>
    private static IEnumerable<string> WorstWindows(List<Reader> readers, long first, long last)
    {
        var windows = (int)((last - first) / WindowTrades) + 1;
        var stats = new List<(int Window, double Max, long Late, long Count)>(windows);
        for (var w = 0; w < windows; w++)
        {
            double max = 0;
            long late = 0, count = 0;
            foreach (var reader in readers)
            {
                foreach (var latency in reader.LatenciesOf(w * WindowTrades, WindowTrades))
                {
                    count++;
                    max = Math.Max(max, latency);
                    if (latency > 50)
                        late++;
                }
            }
            stats.Add((w, max, late, count));
        }
        yield return string.Create(CultureInfo.InvariantCulture,
            $"{stats.Count(s => s.Late > 0)} of {windows} windows of {WindowTrades:N0} trades had deliveries over 50 ms");
        foreach (var (window, max, late, count) in stats.OrderByDescending(s => s.Max).Take(3))
            yield return string.Create(CultureInfo.InvariantCulture,
                $"sequences {first + (long)window * WindowTrades}+{WindowTrades}: max {max:0.0} ms, {late * 100.0 / Math.Max(1, count):0.0} % of {count:N0} deliveries over 50 ms");
    }

    /// <summary>The harness's side: one child process with its clients connected, then <see cref="FinishAsync"/>.</summary>
    public sealed class Child : IAsyncDisposable
    {
        private readonly Process _process;

        private Child(Process process) => _process = process;

        public static async Task<Child> StartAsync(Uri baseAddress, string path, int clients, long first, long last, string mapPath, CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo
            {
                FileName = Environment.ProcessPath!,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            // The clients stand in for readers on other machines; here they share the server's 2 cores, so they should cost
            // as little as they can: their sockets' reads complete on the epoll thread instead of a hop to the thread pool
            // (0.44-0.57 against 0.55-0.66 CPU µs a delivery, 2 December, docs/performance.md). The server keeps the default.
            start.Environment["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1";
            // `dotnet run` starts the apphost; `dotnet OptionsTracker.Load.dll` starts dotnet, which needs the dll again.
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
                start.ArgumentList.Add(typeof(SseClientProcess).Assembly.Location);
            foreach (var argument in new[] { Flag, baseAddress.ToString(), path, clients.ToString(CultureInfo.InvariantCulture),
                first.ToString(CultureInfo.InvariantCulture), last.ToString(CultureInfo.InvariantCulture), mapPath })
                start.ArgumentList.Add(argument);
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the SSE client process");
            var child = new Child(process);
            var line = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            if (line != "connected")
                throw new InvalidOperationException($"the SSE client process said '{line}' instead of 'connected'");
            return child;
        }

        public TimeSpan CpuTime
        {
            get
            {
                _process.Refresh();
                return _process.TotalProcessorTime;
            }
        }

        /// <summary>Waits up to <paramref name="patience"/> for every client to have the last trade, then asks for the figures.</summary>
        public async Task<Result> FinishAsync(TimeSpan patience, CancellationToken cancellationToken)
        {
            var result = _process.StandardOutput.ReadLineAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(result, Task.Delay(patience, cancellationToken)) != result)
                await _process.StandardInput.WriteLineAsync("stop");
            var line = await result.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            var worst = new List<string>();
            while (line is not null && line.StartsWith("worst ", StringComparison.Ordinal))
            {
                worst.Add(line["worst ".Length..]);
                line = await _process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            }
            var parts = line?.Split(' ') ?? [];
            if (parts is not ["result", _, _, _, _, _, _, _, _])
                throw new InvalidOperationException($"the SSE client process said '{line}' instead of a result");
            double At(int i) => double.Parse(parts[i], CultureInfo.InvariantCulture);
            return new Result((long)At(1), (long)At(2), At(3), At(4), At(5), At(6), At(7), (long)At(8)) { Worst = worst };
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await _process.WaitForExitAsync(patience.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill();
                }
            }
            _process.Dispose();
        }
    }

    /// <summary>
    /// One SSE client: reads the stream in raw chunks and takes only the <c>id:</c> lines (the tape's sequence), found
    /// by vectorised searches.
    /// Latency in ms into a preallocated array; <see cref="Done"/> completes at the last measured sequence.
    /// </summary>
    private sealed class Reader(HttpClient http, string path, MemoryMappedViewAccessor appendedAt, long first, long last, MeasuredCpu clock) : IDisposable
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        // By sequence (index = sequence - first), NaN until it arrives.
        private readonly float[] _latencies = CreateLatencies(Math.Max(0, last - first + 1));
        private HttpResponseMessage? _response;
        private long _previous;

        public int Received { get; private set; }
        public long Bytes { get; private set; }
        public int OutOfOrder { get; private set; }
        public Task Done => _done.Task;
        public IEnumerable<double> Latencies => _latencies.Where(l => !float.IsNaN(l)).Select(l => (double)l);

        /// <summary>The latencies of the measured sequences from index <paramref name="from"/> on, those that arrived.</summary>
        public IEnumerable<double> LatenciesOf(int from, int count) =>
            _latencies.Skip(from).Take(count).Where(l => !float.IsNaN(l)).Select(l => (double)l);

        private static float[] CreateLatencies(long length)
        {
            var latencies = new float[length];
            Array.Fill(latencies, float.NaN);
            return latencies;
        }

        public async Task ConnectAsync(CancellationToken cancellationToken)
        {
            _response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            _response.EnsureSuccessStatusCode();
        }

        public async Task ReadAsync(CancellationToken cancellationToken)
        {
            await using var body = await _response!.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[64 * 1024];
            var carry = 0;
            while (true)
            {
                var read = await body.ReadAsync(buffer.AsMemory(carry), cancellationToken);
                if (read == 0)
                    return;
                var arrived = Stopwatch.GetTimestamp();
                var length = carry + read;
                var keep = Scan(buffer.AsSpan(0, length), arrived);
                // The burst's bytes only (from the read with its first trade on), as its deliveries are counted: not the warm-ups'.
                if (Received > 0)
                    Bytes += read;
                carry = length - keep;
                if (carry == buffer.Length)
                    throw new InvalidOperationException("an SSE line longer than 64 KB");
                buffer.AsSpan(keep, carry).CopyTo(buffer);
            }
        }

        /// <summary>
        /// Takes the <c>id:</c> lines of what arrived, and returns where the unfinished rest begins (kept for the next
        /// read). Vectorised searches over the bytes (<c>IndexOf</c> of "\nid: ", then of the line's end), not a loop per
        /// byte: the clients' reading must cost little beside the server's (every id line follows a line break, as each
        /// event follows a blank line and the stream begins with <c>subscribed</c>; JSON on a data line has none).
        /// </summary>
        private int Scan(ReadOnlySpan<byte> bytes, long arrived)
        {
            var at = 0;
            while (true)
            {
                var found = bytes[at..].IndexOf("\nid: "u8);
                if (found < 0)
                    break;
                var idStart = at + found + 5;
                var end = bytes[idStart..].IndexOf((byte)'\n');
                if (end < 0)
                    return at + found; // the id line is not whole yet
                Id(bytes.Slice(idStart, end), arrived);
                at = idStart + end;
            }
            // From the last line break on: it may begin an id line the next read completes.
            var last = bytes[at..].LastIndexOf((byte)'\n');
            return last < 0 ? bytes.Length : at + last;
        }

        private void Id(ReadOnlySpan<byte> text, long arrived)
        {
            if (!System.Buffers.Text.Utf8Parser.TryParse(text.TrimEnd((byte)'\r'), out long sequence, out _))
                return;
            if (sequence <= _previous)
                OutOfOrder++;
            _previous = sequence;
            if (sequence < first || sequence > last || !float.IsNaN(_latencies[sequence - first]))
                return;
            if (Received == 0)
                clock.Start();
            Received++;
            _latencies[sequence - first] = (float)((arrived - appendedAt.ReadInt64(sequence * sizeof(long))) * 1000.0 / Stopwatch.Frequency);
            if (sequence == last)
                _done.TrySetResult();
        }

        public void Dispose() => _response?.Dispose();
    }
}
