using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace OptionsTracker.Load;

/// <summary>
/// Which types this process allocates: listens to the runtime's GCAllocationTick event (one per ~100 KB allocated,
/// naming the type that crossed the mark), so the top types are where the bytes go. A profiler in a few lines, for
/// telling the tracker's allocations from the simulator's.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly ConcurrentDictionary<string, long> _bytesByType = new(StringComparer.Ordinal);

    public IReadOnlyList<(string Type, long Bytes)> Top(int count) =>
        [.. _bytesByType.OrderByDescending(p => p.Value).Take(count).Select(p => (p.Key, p.Value))];

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.PayloadNames is null)
            return;
        var typeAt = eventData.PayloadNames.IndexOf("TypeName");
        var amountAt = eventData.PayloadNames.IndexOf("AllocationAmount64");
        if (typeAt < 0 || eventData.Payload is null)
            return;
        var type = eventData.Payload[typeAt] as string ?? "?";
        var amount = amountAt >= 0 && eventData.Payload[amountAt] is ulong big ? (long)big : 100_000;
        _bytesByType.AddOrUpdate(type, amount, (_, total) => total + amount);
    }
}
