using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.History;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// What the recorder tests share: a temp directory for the DuckDB file (deleted after), the settings that turn recording
/// on (every second, no backfill unless asked, analytics kept while the market is frozen) and reads of /health and
/// /metrics.
/// </summary>
internal sealed class RecorderHost : IDisposable
{
    public RecorderHost()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"optionstracker-recorder-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string FilePath => Path.Combine(Directory, "history.duckdb");

    public Dictionary<string, string?> Settings(string interval = "00:00:01", string backfill = "00:00:00", string? path = null,
        int maxPending = 60) => new()
    {
        ["History:Enabled"] = "true",
        ["History:Path"] = path ?? FilePath,
        ["History:Interval"] = interval,
        ["History:Backfill"] = backfill,
        ["History:MaxPending"] = maxPending.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // A frozen market keeps one analytics snapshot, so the measures recorded can be compared with it.
        ["Analytics:MaxAge"] = "00:10:00",
    };

    public static Task<BybitSimulator> SimulatorAsync(int options = 200) =>
        BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC", "ETH"], TargetInstrumentCount = options }, TestContext.Current.CancellationToken);

    public static IHistoryStore Store(TrackerApp app) => app.Services.GetRequiredService<IHistoryStore>();

    public static HistoryRecorder Recorder(TrackerApp app) => app.Services.GetRequiredService<HistoryRecorder>();

    /// <summary>The history entry of /health: its status and reason.</summary>
    public static async Task<(string Status, string Reason)> HealthAsync(TrackerApp app)
    {
        using var http = app.Http();
        using var response = await http.GetAsync(new Uri("/health", UriKind.Relative), TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var history = json.RootElement.GetProperty("checks").GetProperty("history");
        return (history.GetProperty("status").GetString()!, history.GetProperty("reason").GetString() ?? "");
    }

    /// <summary>One sample of /metrics (the first line of that name, labels included in <paramref name="name"/>); NaN when absent.</summary>
    public static async Task<double> MetricAsync(TrackerApp app, string name)
    {
        using var http = app.Http();
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
                return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return double.NaN;
    }

    /// <summary>Writes the history's log lines to the test output when disposed (at the end of the test, passed or failed).</summary>
    public static IDisposable PrintHistoryLogsAtEnd(Alerts.CapturingLoggerProvider logs, ITestOutputHelper output) => new LogPrinter(logs, output);

    private sealed class LogPrinter(Alerts.CapturingLoggerProvider logs, ITestOutputHelper output) : IDisposable
    {
        public void Dispose()
        {
            foreach (var line in logs.Lines.Where(l => l.Category.Contains("History", StringComparison.Ordinal) || l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning))
                output.WriteLine($"{line.Level} {line.EventId} {line.Category}: {line.Text}");
        }
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a native handle being released: the temp directory is cleaned by the OS.
        }
    }
}
