using Microsoft.Extensions.Options;
using OptionsTracker.Health;

namespace OptionsTracker.Alerts;

/// <summary>
/// Turns the feed's and the store's health into alerts, one per change of state, never one per evaluation:
/// the feed down or stale for <see cref="AlertsOptions.FeedDownAfter"/>, and back; the store failing for
/// <see cref="AlertsOptions.StoreDownAfter"/>, and back; a reconnect storm starting and calming. A problem
/// shorter than its grace time is not reported at all. Called by the evaluation loop only: not thread-safe.
/// </summary>
internal sealed class HealthAlerts(IOptions<AlertsOptions> options)
{
    private readonly AlertsOptions _options = options.Value;

    private FeedCondition _feedSeen = FeedCondition.Ok;
    private DateTimeOffset _feedSeenSince;
    private FeedCondition _feedReported = FeedCondition.Ok;
    private DateTimeOffset _feedProblemSince;

    private bool _storeSeenDown;
    private DateTimeOffset _storeSeenSince;
    private bool _storeReportedDown;

    // Points where the cumulative reconnect count changed; the first is the count at the window's start.
    private readonly Queue<(DateTimeOffset At, long Reconnects)> _reconnects = new();
    private bool _inStorm;

    private enum FeedCondition : byte
    {
        Ok,
        Down,
        Stale,
    }

    public void Evaluate(FeedReport report, string storeName, string? storeProblem, DateTimeOffset now, List<Alert> alerts)
    {
        EvaluateFeed(report, now, alerts);
        EvaluateStore(storeName, storeProblem, now, alerts);
        EvaluateReconnects(report.Reconnects, now, alerts);
    }

    private void EvaluateFeed(FeedReport report, DateTimeOffset now, List<Alert> alerts)
    {
        var condition = report.State switch
        {
            FeedState.Disconnected or FeedState.Unreachable => FeedCondition.Down,
            FeedState.Stale => FeedCondition.Stale,
            // Loading and Degraded (some connections down, or the store) are not the feed being down.
            _ => FeedCondition.Ok,
        };
        if (condition != _feedSeen)
        {
            _feedSeen = condition;
            _feedSeenSince = now;
        }
        if (_feedSeen == _feedReported)
            return;

        if (_feedSeen == FeedCondition.Ok)
        {
            var was = _feedReported == FeedCondition.Down ? "down" : "stale";
            alerts.Add(new Alert("feed", "feed_back", $"feed back after {Format(now - _feedProblemSince)} {was}: {report.Reason}", now));
            _feedReported = FeedCondition.Ok;
        }
        else if (now - _feedSeenSince >= _options.FeedDownAfter)
        {
            if (_feedReported == FeedCondition.Ok)
                _feedProblemSince = _feedSeenSince;
            alerts.Add(_feedSeen == FeedCondition.Down
                ? new Alert("feed", "feed_down", $"feed down for {Format(now - _feedSeenSince)}: {report.Reason}", now)
                : new Alert("feed", "feed_stale", $"data stale for {Format(now - _feedSeenSince)}: {report.Reason}", now));
            _feedReported = _feedSeen;
        }
    }

    private void EvaluateStore(string storeName, string? problem, DateTimeOffset now, List<Alert> alerts)
    {
        var down = problem is not null;
        if (down != _storeSeenDown)
        {
            _storeSeenDown = down;
            _storeSeenSince = now;
        }
        if (_storeSeenDown == _storeReportedDown)
            return;

        if (!_storeSeenDown)
        {
            alerts.Add(new Alert("store", "store_back", $"store {storeName} back", now));
            _storeReportedDown = false;
        }
        else if (now - _storeSeenSince >= _options.StoreDownAfter)
        {
            alerts.Add(new Alert("store", "store_down", $"store {storeName} failing for {Format(now - _storeSeenSince)}: {problem}; serving from memory", now));
            _storeReportedDown = true;
        }
    }

    private void EvaluateReconnects(long reconnects, DateTimeOffset now, List<Alert> alerts)
    {
        // The count is a sum over the current connections; it can fall when connections are retired.
        if (_reconnects.Count > 0 && reconnects < _reconnects.Last().Reconnects)
            _reconnects.Clear();
        if (_reconnects.Count == 0 || _reconnects.Last().Reconnects != reconnects)
            _reconnects.Enqueue((now, reconnects));
        var windowStart = now - _options.ReconnectStormWindow;
        while (_reconnects.Count > 1 && _reconnects.ElementAt(1).At <= windowStart)
            _reconnects.Dequeue();

        var inWindow = reconnects - _reconnects.Peek().Reconnects;
        var storm = inWindow > _options.ReconnectStormCount;
        if (storm == _inStorm)
            return;
        _inStorm = storm;
        var window = Format(_options.ReconnectStormWindow);
        alerts.Add(storm
            ? new Alert("feed", "reconnect_storm", $"reconnect storm: {inWindow} reconnects within {window} (more than {_options.ReconnectStormCount})", now) { Value = inWindow, Threshold = _options.ReconnectStormCount }
            : new Alert("feed", "reconnects_calm", $"reconnects calm again: {inWindow} within {window}", now) { Value = inWindow, Threshold = _options.ReconnectStormCount });
    }

    internal static string Format(TimeSpan duration) => duration switch
    {
        { TotalSeconds: < 120 } => $"{duration.TotalSeconds:0} s",
        { TotalMinutes: < 120 } => $"{duration.TotalMinutes:0} min",
        { TotalHours: < 48 } => $"{(int)duration.TotalHours} h {duration.Minutes} min",
        _ => $"{duration.TotalDays:0.#} days",
    };
}
