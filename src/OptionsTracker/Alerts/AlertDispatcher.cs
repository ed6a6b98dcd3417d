using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace OptionsTracker.Alerts;

/// <summary>
/// The one way out for alerts. Evaluation posts without waiting; a single reader sends each alert to every
/// sink (Telegram, webhook) at no more than <see cref="AlertsOptions.MaxMessagesPerMinute"/>. The queue is
/// bounded: when sinks are slower than alerts arrive, the oldest waiting alert is dropped and counted, so a
/// slow or dead Telegram never blocks evaluation nor grows memory.
/// </summary>
internal sealed class AlertDispatcher : BackgroundService
{
    private readonly Channel<Alert> _queue;
    private readonly IReadOnlyList<IAlertSink> _sinks;
    private readonly AlertsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertDispatcher> _logger;
    private readonly RateGate _rate;
    private long _posted;
    private long _dropped;
    private long _sent;
    private long _failed;
    private long _droppedReported;

    public AlertDispatcher(IEnumerable<IAlertSink> sinks, IOptions<AlertsOptions> options, TimeProvider time, ILogger<AlertDispatcher> logger)
    {
        _sinks = [.. sinks];
        _options = options.Value;
        _time = time;
        _logger = logger;
        _rate = new RateGate(_options.MaxMessagesPerMinute, TimeSpan.FromMinutes(1), time);
        _queue = Channel.CreateBounded<Alert>(
            new BoundedChannelOptions(_options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>Alerts handed in.</summary>
    public long Posted => Interlocked.Read(ref _posted);

    /// <summary>Alerts dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Deliveries that succeeded (one per alert and sink).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Deliveries that failed (one per alert and sink).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Queues an alert; never blocks. Callable from any thread.</summary>
    public void Post(Alert alert)
    {
        Interlocked.Increment(ref _posted);
        Log.AlertRaised(_logger, alert.Name, alert.Text);
        _queue.Writer.TryWrite(alert);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DrainAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Keep the host alive: a failing reader restarts after a pause.
                Log.DispatcherFailed(_logger, Secrets.Describe(e, _options));
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken);
            }
        }
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var alert))
            {
                await _rate.WaitAsync(cancellationToken);
                await Task.WhenAll(_sinks.Select(sink => SendAsync(sink, alert, cancellationToken)));
            }
            var dropped = Dropped;
            if (dropped != _droppedReported)
            {
                _droppedReported = dropped;
                Log.AlertsDropped(_logger, dropped);
            }
        }
    }

    private async Task SendAsync(IAlertSink sink, Alert alert, CancellationToken cancellationToken)
    {
        try
        {
            await sink.SendAsync(alert, cancellationToken);
            Interlocked.Increment(ref _sent);
            Log.AlertSent(_logger, alert.Name, sink.Name);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Not retried: health alerts are re-raised by the next state change, rules by their next firing.
            Interlocked.Increment(ref _failed);
            Log.SendFailed(_logger, alert.Name, sink.Name, Secrets.Describe(e, _options));
        }
    }
}
