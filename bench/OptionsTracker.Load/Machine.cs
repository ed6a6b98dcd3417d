using System.Globalization;

namespace OptionsTracker.Load;

/// <summary>What the figures ran on: they mean little without the machine and how busy it was.</summary>
internal static class Machine
{
    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>The 1, 5 and 15 minute load averages, as <c>uptime</c> prints them.</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(", ", parts.Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public static double OneMinuteLoad() =>
        double.TryParse(LoadAverage().Split(',')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : double.NaN;
}
