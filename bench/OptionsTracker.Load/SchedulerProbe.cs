using System.Diagnostics;

namespace OptionsTracker.Load;

/// <summary>
/// The machine's own noise floor for latency: a thread asks to sleep 1 ms, over and over, and records how late it
/// wakes. On a busy machine a runnable thread waits for a core; every latency figure measured beside this one carries
/// that wait too.
/// </summary>
internal sealed class SchedulerProbe : IDisposable
{
    private readonly List<double> _lateMs = new(1 << 16);
    private readonly Thread _thread;
    private volatile bool _stop;

    public SchedulerProbe()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "scheduler probe" };
        _thread.Start();
    }

    public Percentiles Stop()
    {
        _stop = true;
        _thread.Join();
        return new Percentiles(_lateMs);
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }

    private void Run()
    {
        while (!_stop)
        {
            var asleep = Stopwatch.GetTimestamp();
            Thread.Sleep(1);
            _lateMs.Add(Math.Max(0, Stopwatch.GetElapsedTime(asleep).TotalMilliseconds - 1));
        }
    }
}
