using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OptionsTracker.Diagnostics;
using Polly;
using Polly.Retry;
using Prometheus;
using Telegram.Bot.Exceptions;

namespace OptionsTracker.Alerts;

/// <summary>
/// The one way out for alerts. Evaluation posts without waiting; a single reader sends each alert to every
/// sink (Telegram, webhook) at no more than <see cref="AlertsOptions.MaxMessagesPerMinute"/>. The queue is
/// bounded: when sinks are slower than alerts arrive, the oldest waiting alert is dropped and counted, so a
/// slow or dead Telegram never blocks evaluation nor grows memory. A send that fails for a passing reason is
/// retried (<see cref="AlertsOptions.SendAttempts"/>) before it counts as failed. The counters are in <c>/metrics</c>.
/// </summary>
internal sealed class AlertDispatcher : BackgroundService
{
    private readonly Channel<Alert> _queue;
    private readonly IReadOnlyList<IAlertSink> _sinks;
    private readonly AlertsOptions _options;
    private readonly TimeProvider _time;
    // The reader restarts every second while it fails: logged when the failure starts or changes kind, then rarely.
    private readonly LogThrottle _failureLog;
    private readonly ILogger<AlertDispatcher> _logger;
    private readonly RateGate _rate;
    private readonly ResiliencePipeline _retry;
    private long _posted;
    private long _dropped;
    private long _sent;
    private long _failed;
    private long _retried;
    private long _droppedReported;

    public AlertDispatcher(
        IEnumerable<IAlertSink> sinks, IOptions<AlertsOptions> options, TimeProvider time, ILogger<AlertDispatcher> logger, MetricsRegistry? metrics = null)
    {
        _sinks = [.. sinks];
        _options = options.Value;
        _time = time;
        _failureLog = new LogThrottle(time, LogThrottle.DefaultInterval);
        _logger = logger;
        _rate = new RateGate(_options.MaxMessagesPerMinute, TimeSpan.FromMinutes(1), time);
        _queue = Channel.CreateBounded<Alert>(
            new BoundedChannelOptions(_options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
        _retry = RetryPipeline(_options, time);
        if (metrics is not null)
            ExportTo(metrics.Registry);
    }

    /// <summary>Alerts handed in.</summary>
    public long Posted => Interlocked.Read(ref _posted);

    /// <summary>Alerts dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Deliveries that succeeded (one per alert and sink).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Deliveries that failed (one per alert and sink), after their retries.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Sends tried again after a passing failure.</summary>
    public long Retried => Interlocked.Read(ref _retried);

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
                if (_failureLog.ShouldLog(e.GetType().Name))
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
            await _retry.ExecuteAsync(
                static async (state, token) =>
                {
                    var (dispatcher, sink, alert) = state;
                    try
                    {
                        await sink.SendAsync(alert, token);
                    }
                    catch (Exception e) when (!token.IsCancellationRequested && IsPassing(e))
                    {
                        // Said here, where the sink and alert are known; the pipeline waits and tries again.
                        throw new PassingSendFailure(sink.Name, alert.Name, Secrets.Describe(e, dispatcher._options), e);
                    }
                },
                (this, sink, alert),
                cancellationToken);
            Interlocked.Increment(ref _sent);
            Log.AlertSent(_logger, alert.Name, sink.Name);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failed);
            Log.SendFailed(_logger, alert.Name, sink.Name, Secrets.Describe(e is PassingSendFailure passing ? passing.InnerException! : e, _options));
        }
    }

    private ResiliencePipeline RetryPipeline(AlertsOptions options, TimeProvider time)
    {
        if (options.SendAttempts <= 1)
            return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.SendAttempts - 1,
                Delay = options.SendRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<PassingSendFailure>(),
                OnRetry = args =>
                {
                    Interlocked.Increment(ref _retried);
                    if (args.Outcome.Exception is PassingSendFailure failure)
                        Log.SendRetrying(_logger, failure.AlertName, failure.SinkName, failure.Error, args.AttemptNumber + 2, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>
    /// Whether a failed send may succeed when tried again: the destination was unreachable, timed out, or answered
    /// 5xx, 408 or 429. Any other 4xx (a wrong token, an unknown chat, a bad webhook URL) will fail the same way.
    /// </summary>
    internal static bool IsPassing(Exception e)
    {
        var status = e switch
        {
            ApiRequestException api => api.ErrorCode,
            RequestException { HttpStatusCode: { } code } => (int)code,
            HttpRequestException { StatusCode: { } code } => (int)code,
            _ => 0,
        };
        return status is 0 or (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests or >= 500;
    }

    private void ExportTo(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        var posted = factory.CreateCounter("optionstracker_alerts_posted_total", "Alerts raised.");
        var dropped = factory.CreateCounter("optionstracker_alerts_dropped_total", "Alerts dropped because the send queue was full.");
        var sends = factory.CreateCounter("optionstracker_alert_sends_total", "Alert deliveries (one per alert and destination), by result.",
            new CounterConfiguration { LabelNames = ["result"] });
        var retried = factory.CreateCounter("optionstracker_alert_send_retries_total", "Alert sends tried again after a passing failure.");
        registry.AddBeforeCollectCallback(() =>
        {
            posted.IncTo(Posted);
            dropped.IncTo(Dropped);
            sends.WithLabels("sent").IncTo(Sent);
            sends.WithLabels("failed").IncTo(Failed);
            retried.IncTo(Retried);
        });
    }

    /// <summary>A send that failed for a passing reason; the retry pipeline handles only these.</summary>
    private sealed class PassingSendFailure(string sinkName, string alertName, string error, Exception inner) : Exception(error, inner)
    {
        public string SinkName { get; } = sinkName;
        public string AlertName { get; } = alertName;
        public string Error { get; } = error;
    }
}
