using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Diagnostics;
using OptionsTracker.Health;

namespace OptionsTracker.Alerts;

/// <summary>
/// Every <see cref="AlertsOptions.EvaluationInterval"/> (a <see cref="PeriodicTimer"/> on the injected
/// <see cref="TimeProvider"/>, so tests step it), looks at the feed's health, the store and the rules over the
/// live book, and posts what changed to the <see cref="AlertDispatcher"/> without waiting for delivery.
/// </summary>
internal sealed class AlertEvaluationService(
    FeedMonitor monitor,
    IOptionStore store,
    HealthAlerts health,
    MarketRules rules,
    AlertDispatcher dispatcher,
    IOptions<AlertsOptions> options,
    TimeProvider time,
    ILogger<AlertEvaluationService> logger) : BackgroundService
{
    private readonly List<Alert> _alerts = [];
    // A failure that repeats every tick is logged when it starts or changes kind, then rarely.
    private readonly LogThrottle _failureLog = new(time, LogThrottle.DefaultInterval);
    private long _evaluations;

    /// <summary>Evaluations completed (for tests and diagnostics).</summary>
    public long Evaluations => Interlocked.Read(ref _evaluations);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        Log.AlertsOn(logger, settings.HasTelegram, settings.HasWebhook, rules.Count, settings.EvaluationInterval);
        using var timer = new PeriodicTimer(settings.EvaluationInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    EvaluateOnce();
                    _failureLog.Recover();
                }
                catch (Exception e)
                {
                    // One bad evaluation must not end alerting (nor, escaping, the host).
                    if (_failureLog.ShouldLog(e.GetType().Name))
                        Log.EvaluationFailed(logger, Secrets.Describe(e, settings));
                }
                Interlocked.Increment(ref _evaluations);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal void EvaluateOnce()
    {
        var now = time.GetUtcNow();
        _alerts.Clear();
        health.Evaluate(monitor.GetReport(), store.Name, store.Problem, now, _alerts);
        rules.Evaluate(store.Book.Index, now, _alerts);
        foreach (var alert in _alerts)
            dispatcher.Post(alert);
    }
}
