using System.Diagnostics.Tracing;

namespace OptionsTracker.Load;

/// <summary>
/// This process's GC pauses one by one (the runtime's own events: from suspending the threads to restarting them), and
/// the bytes each collection promoted: a latency tail of tens of milliseconds is often one pause, which a total
/// (<see cref="GC.GetTotalPauseDuration"/>) does not show.
/// </summary>
internal sealed class GcPauses : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Lock _lock = new();
    private readonly List<double> _pausesMs = [];
    private readonly List<long> _promoted = [];
    private DateTime? _suspended;

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Informational, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        switch (e.EventName)
        {
            case "GCSuspendEEBegin_V1":
                lock (_lock)
                    _suspended = e.TimeStamp;
                break;
            case "GCRestartEEEnd_V1":
                lock (_lock)
                {
                    if (_suspended is { } at)
                        _pausesMs.Add((e.TimeStamp - at).TotalMilliseconds);
                    _suspended = null;
                }
                break;
            case "GCHeapStats_V2" when e.PayloadNames is { } names && e.Payload is { } payload:
                long promoted = 0;
                for (var i = 0; i < names.Count; i++)
                {
                    if (names[i] is "TotalPromotedSize0" or "TotalPromotedSize1" && payload[i] is ulong size)
                        promoted += (long)size;
                }
                lock (_lock)
                    _promoted.Add(promoted);
                break;
        }
    }

    /// <summary>The pauses (ms) and promoted bytes since the last call, and forgets them.</summary>
    public (double[] PausesMs, long[] Promoted) Take()
    {
        lock (_lock)
        {
            var result = (_pausesMs.ToArray(), _promoted.ToArray());
            _pausesMs.Clear();
            _promoted.Clear();
            return result;
        }
    }
}
