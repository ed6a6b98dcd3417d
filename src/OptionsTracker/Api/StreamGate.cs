using System.Diagnostics.CodeAnalysis;
using System.Net;
using Microsoft.Extensions.Options;
using OptionsTracker.Diagnostics;
using Prometheus;

namespace OptionsTracker.Api;

/// <summary>
/// Admits stream clients (Server-Sent Events and WebSockets together) up to <see cref="ApiOptions.MaxStreamsPerClient"/>
/// per client address and <see cref="ApiOptions.MaxStreams"/> in all, and counts those it refused or dropped; the
/// figures are in <c>/metrics</c>. Each open stream costs a socket, a cursor and at most one chunk of a message in
/// flight, so the caps bound what streams can cost in all. Thread-safe: every stream opens and closes here.
/// </summary>
internal sealed class StreamGate
{
    private readonly IOptionsMonitor<ApiOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<IPAddress, int> _perClient = [];
    private readonly Lock _lock = new();
    private int _open;
    private long _refused;
    private long _droppedSlow;
    private long _droppedPolicy;
    private long _fullLoggedAt = long.MinValue;

    public StreamGate(IOptionsMonitor<ApiOptions> options, TimeProvider time, ILogger<StreamGate> logger, MetricsRegistry? metrics = null)
    {
        _options = options;
        _time = time;
        _logger = logger;
        if (metrics is not null)
            ExportTo(metrics.Registry);
    }

    /// <summary>Streams open now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Streams answered 429 because a cap was reached.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Clients dropped because a message did not reach them within <see cref="ApiOptions.StreamSendTimeout"/>.</summary>
    public long DroppedSlow => Interlocked.Read(ref _droppedSlow);

    /// <summary><c>/ws</c> clients closed for sending too many messages.</summary>
    public long DroppedPolicy => Interlocked.Read(ref _droppedPolicy);

    /// <summary>
    /// Takes a stream slot for <paramref name="client"/>, or answers why not (a 429 problem naming the setting);
    /// dispose the lease when the stream ends.
    /// </summary>
    public bool TryEnter(IPAddress? client, [NotNullWhen(true)] out Lease? lease, out string refusal)
    {
        var address = Normalize(client);
        var options = _options.CurrentValue;
        lock (_lock)
        {
            _perClient.TryGetValue(address, out var mine);
            // The client's own cap first: when it is at its cap, that is the answer it can act on.
            if (mine >= options.MaxStreamsPerClient)
            {
                refusal = $"This address has {mine} streams open, the limit per client (Api:MaxStreamsPerClient = {options.MaxStreamsPerClient}). Close one first; a WebSocket can change its subscription instead.";
                RefuseLocked(full: false);
                lease = null;
                return false;
            }
            if (_open >= options.MaxStreams)
            {
                refusal = $"The server has {_open} streams open, its limit (Api:MaxStreams = {options.MaxStreams}). Try again later.";
                RefuseLocked(full: true);
                lease = null;
                return false;
            }
            _perClient[address] = mine + 1;
            _open++;
        }
        refusal = "";
        lease = new Lease(this, address);
        return true;
    }

    public void CountDroppedSlow() => Interlocked.Increment(ref _droppedSlow);

    public void CountDroppedPolicy() => Interlocked.Increment(ref _droppedPolicy);

    private void RefuseLocked(bool full)
    {
        _refused++;
        // Being full is a state worth one line; each refused client is not (an attack would flood the log).
        var now = _time.GetTimestamp();
        if (full && (_fullLoggedAt == long.MinValue || _time.GetElapsedTime(_fullLoggedAt, now) >= TimeSpan.FromMinutes(5)))
        {
            _fullLoggedAt = now;
            Log.StreamLimitReached(_logger, _open, _refused);
        }
    }

    private void Exit(IPAddress address)
    {
        lock (_lock)
        {
            _open--;
            if (_perClient.TryGetValue(address, out var mine) && mine > 1)
                _perClient[address] = mine - 1;
            else
                _perClient.Remove(address);
        }
    }

    // An IPv4 client may arrive as ::ffff:a.b.c.d on a dual-stack socket; one client, one count.
    private static IPAddress Normalize(IPAddress? address) =>
        address is null ? IPAddress.None : address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private void ExportTo(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        var open = factory.CreateGauge("optionstracker_stream_clients", "Stream clients (Server-Sent Events and WebSockets) connected now.");
        var refused = factory.CreateCounter("optionstracker_stream_clients_refused_total", "Stream requests answered 429 because Api:MaxStreams or Api:MaxStreamsPerClient was reached.");
        var dropped = factory.CreateCounter("optionstracker_stream_clients_dropped_total", "Stream clients dropped: slow (a message not taken within Api:StreamSendTimeout) or policy (too many /ws messages).",
            new CounterConfiguration { LabelNames = ["reason"] });
        registry.AddBeforeCollectCallback(() =>
        {
            open.Set(Open);
            refused.IncTo(Refused);
            dropped.WithLabels("slow").IncTo(DroppedSlow);
            dropped.WithLabels("policy").IncTo(DroppedPolicy);
        });
    }

    /// <summary>One open stream's slot; disposing it frees the slot (once).</summary>
    public sealed class Lease(StreamGate gate, IPAddress address) : IDisposable
    {
        private StreamGate? _gate = gate;

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Exit(address);
    }
}
