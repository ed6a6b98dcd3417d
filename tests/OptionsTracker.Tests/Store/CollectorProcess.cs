using System.Diagnostics;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Store;

/// <summary>
/// The tracker as a separate process (<c>dotnet OptionsTracker.dll</c> from the test's output), so a test can
/// kill it the way a machine dies: no shutdown, no lease released.
/// </summary>
public sealed class CollectorProcess : IAsyncDisposable
{
    private readonly Process _process;

    private CollectorProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public static CollectorProcess Start(BybitSimulator simulator, IDictionary<string, string?> settings)
    {
        var directory = AppContext.BaseDirectory;
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var all = new Dictionary<string, string?>(TrackerApp.FastTimings)
        {
            ["Bybit:RestUrl"] = simulator.RestUrl.AbsoluteUri,
            ["Bybit:WsUrl"] = simulator.WsUrl.AbsoluteUri,
            ["Tracker:Assets"] = string.Join(",", simulator.BaseCoins),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
            all[key] = value;
        info.ArgumentList.Add(Path.Combine(directory, "OptionsTracker.dll"));
        info.ArgumentList.Add("--urls=http://127.0.0.1:0");
        foreach (var (key, value) in all)
            info.ArgumentList.Add($"--{key}={value}");
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new CollectorProcess(process);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL: the process dies mid-feed, holding its lease.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
            return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
