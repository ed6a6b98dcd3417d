using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OptionsTracker.Simulator;

namespace OptionsTracker.Load;

/// <summary>
/// The tracker as users run it: <c>dotnet OptionsTracker.dll</c> in its own process (Release build, its shipped
/// runtime settings), pointed at a simulator through <c>Bybit__RestUrl</c>/<c>Bybit__WsUrl</c>. Its own process gives
/// honest CPU time, start-up and working set. Disposing kills it.
/// </summary>
internal sealed class TrackerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();

    private TrackerProcess(Process process, Uri baseUrl, long startedAt)
    {
        _process = process;
        BaseUrl = baseUrl;
        StartedAt = startedAt;
        Http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseUrl { get; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> just before the process was started.</summary>
    public long StartedAt { get; }

    public HttpClient Http { get; }

    public int Id => _process.Id;

    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public long WorkingSetBytes
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    public string RecentOutput
    {
        get
        {
            lock (_lastLines)
                return string.Join(Environment.NewLine, _lastLines);
        }
    }

    /// <summary>The Release build of the host next to this harness in the repository.</summary>
    public static string FindTrackerDll()
    {
        // Another build of the host (e.g. a copy of the build before a change, to measure before and after side by side).
        if (Environment.GetEnvironmentVariable("LOAD_TRACKER_DLL") is { Length: > 0 } other)
            return File.Exists(other) ? other : throw new FileNotFoundException($"LOAD_TRACKER_DLL {other} not found", other);
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Release";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OptionsTracker.slnx")))
            {
                var dll = Path.Combine(dir.FullName, "src", "OptionsTracker", "bin", configuration, "net10.0", "OptionsTracker.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"build the host first ({dll})", dll);
            }
        }
        throw new DirectoryNotFoundException("OptionsTracker.slnx not found above " + AppContext.BaseDirectory);
    }

    public static TrackerProcess Start(BybitSimulator simulator, IDictionary<string, string>? extraEnvironment = null)
    {
        var dll = FindTrackerDll();
        var port = FreePort();
        var baseUrl = new Uri($"http://127.0.0.1:{port}/");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(baseUrl.AbsoluteUri.TrimEnd('/'));
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Bybit__RestUrl"] = simulator.RestUrl.AbsoluteUri;
        info.Environment["Bybit__WsUrl"] = simulator.WsUrl.AbsoluteUri;
        info.Environment["Tracker__Assets"] = string.Join(',', simulator.BaseCoins);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        // The per-client API rate limit (200/s by default) would answer a 1,000 req/s loopback client with 429s.
        info.Environment["Security__RateLimitPerSecond"] = "1000000";
        info.Environment["Security__RateLimitBurst"] = "1000000";
        // History has its own figures. Recording here writes state/history.duckdb beside the tracker's dll, which the
        // next phase's process (another simulator port: a source mismatch) or a process still closing (the file lock)
        // cannot open: the history is Degraded and the phase never sees the tracker healthy and live.
        info.Environment["History__Enabled"] = "false";
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
            info.Environment[key] = value;

        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var tracker = new TrackerProcess(process, baseUrl, startedAt);
        process.OutputDataReceived += (_, e) => tracker.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => tracker.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return tracker;
    }

    /// <summary>GET /api/stats, or null while the host is not listening yet.</summary>
    public async Task<FeedStats?> TryGetStatsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri("api/stats", UriKind.Relative), cancellationToken);
            if (!response.IsSuccessStatusCode)
                return null;
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            var root = json.RootElement;
            return new FeedStats(
                root.GetProperty("total_options").GetInt32(),
                root.GetProperty("subscribed_topics").GetInt32(),
                root.GetProperty("messages_processed").GetInt64(),
                root.GetProperty("feed_state").GetString() ?? "",
                root.GetProperty("memory_bytes").GetInt64());
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The client's 30 s passed: a tracker starting on a saturated machine may answer late. Not an answer, like a refusal.
            return null;
        }
    }

    public async Task<FeedStats> GetStatsAsync(CancellationToken cancellationToken) =>
        await TryGetStatsAsync(cancellationToken) ?? throw new InvalidOperationException("GET /api/stats failed");

    /// <summary>Polls until the feed is live with <paramref name="options"/> options subscribed, or throws with the host's output.</summary>
    /// <param name="extraTopics">Topics subscribed besides the options' tickers (one trade topic per coin when the tape is on);
    /// the feed is live with the options alone or with these too.</param>
    public async Task<FeedStats> WaitLiveAsync(int options, TimeSpan timeout, CancellationToken cancellationToken, TimeSpan? pollInterval = null,
        int extraTopics = 0)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the tracker exited with {_process.ExitCode}:{Environment.NewLine}{RecentOutput}");
            var stats = await TryGetStatsAsync(cancellationToken);
            if (stats is { FeedState: "live" } && stats.TotalOptions == options
                && (stats.SubscribedTopics == options || stats.SubscribedTopics == options + extraTopics))
                return stats;
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"the feed was not live with {options} options within {timeout}: {stats}{Environment.NewLine}{RecentOutput}");
            await Task.Delay(pollInterval ?? TimeSpan.FromMilliseconds(10), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            while (_lastLines.Count > 40)
                _lastLines.Dequeue();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

internal sealed record FeedStats(int TotalOptions, int SubscribedTopics, long MessagesProcessed, string FeedState, long MemoryBytes);
