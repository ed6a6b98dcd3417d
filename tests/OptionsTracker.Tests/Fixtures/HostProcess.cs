using System.Diagnostics;

namespace OptionsTracker.Tests.Fixtures;

/// <summary>Runs the real tracker executable as a user would, for start-up behaviour seen from outside.</summary>
public static class HostProcess
{
    /// <summary>Starts the host with these environment variables and arguments and waits for it to exit (60 s at most).</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        // Unreachable exchange, so a host that wrongly starts does nothing harmful before the timeout.
        var start = StartInfo("http://127.0.0.1:0", AppContext.BaseDirectory, new Dictionary<string, string>
        {
            ["Bybit__RestUrl"] = "http://127.0.0.1:9/",
            ["Bybit__WsUrl"] = "ws://127.0.0.1:9/",
        }, environment, args);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(Eventually.Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the host kept running");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Asserts the host stopped at start-up with exit code 1 and one line on stderr naming <paramref name="named"/>.</summary>
    public static async Task AssertStopsNamingAsync(string named, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var (exitCode, stdout, stderr) = await RunToExitAsync(environment, args);
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Configuration error:", line);
        Assert.Contains(named, line);
        Assert.DoesNotContain("   at ", stdout + stderr);
    }

    /// <summary>
    /// Starts the real tracker as <c>dotnet run</c> would in Production (not the test host's Development), with
    /// <paramref name="args"/>, and returns once <c>/health/live</c> answers. Dispose to kill it.
    /// </summary>
    public static async Task<RunningHost> StartAsync(IReadOnlyDictionary<string, string> environment, string? workingDirectory, params string[] args)
    {
        var port = FreePort();
        // The content root: `dotnet run` runs in the project folder, a published app in its own.
        var start = StartInfo($"http://127.0.0.1:{port}", workingDirectory ?? AppContext.BaseDirectory,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, environment, args);
        var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new RunningHost(process, new Uri($"http://127.0.0.1:{port}/"), output);
        await Eventually.Until(async () =>
        {
            Assert.False(process.HasExited, $"the host exited: {host.Output}");
            try
            {
                using var response = await host.Http.GetAsync("/health/live", TestContext.Current.CancellationToken);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the host to answer", 60);
        return host;
    }

    private static ProcessStartInfo StartInfo(string url, string workingDirectory, IReadOnlyDictionary<string, string> defaults,
        IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var hostDll = Path.Combine(AppContext.BaseDirectory, "OptionsTracker.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", hostDll, "--urls", url, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // Its own tracked-coin file: one left in the content root would override Tracker__Assets.
        start.Environment["Tracker__AssetsFile"] = Path.Combine(Path.GetTempPath(), $"optionstracker-test-{Guid.NewGuid():N}.json");
        // No history unless the test's environment turns it on (with its own History__Path).
        start.Environment["History__Enabled"] = "false";
        foreach (var (key, value) in defaults.Concat(environment))
            start.Environment[key] = value;
        return start;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class RunningHost(Process process, Uri baseAddress, System.Text.StringBuilder output) : IDisposable
{
    public HttpClient Http { get; } = new() { BaseAddress = baseAddress, Timeout = Eventually.Timeout };

    /// <summary>The tracker's process id (for its memory figures in /proc).</summary>
    public int ProcessId => process.Id;

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public void Dispose()
    {
        Http.Dispose();
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
        process.Dispose();
    }
}
