using Microsoft.Extensions.Options;
using OptionsTracker.Diagnostics;
using OptionsTracker.Tape;

namespace OptionsTracker.Alerts;

/// <summary>
/// Checks every trade of the <see cref="TradeTape"/> against the trade rules (<see cref="TradeRules"/>), one loop per coin
/// with a rule: it reads the coin's trades after the last sequence it checked (<see cref="TradeTape.After"/>), so each
/// trade is checked once and in order, and waits on the tape between reads (<see cref="TradeTape.WaitAsync"/>), so a large
/// trade alerts as soon as it is on the tape rather than at the next <see cref="AlertsOptions.EvaluationInterval"/>.
/// Alerts leave through the same <see cref="AlertDispatcher"/> (sinks, rate gate, bounded queue) as every other alert.
/// Registered with the other alert services, on the same process.
/// </summary>
internal sealed class TradeAlertService(
    TradeTape tape,
    AlertDispatcher dispatcher,
    IOptions<AlertsOptions> options,
    IOptions<TapeOptions> tapeOptions,
    TimeProvider time,
    ILogger<TradeAlertService> logger) : BackgroundService
{
    /// <summary>Trades read per pass: bounds one pass's work when the reader is far behind (a burst, a mirror's catch-up).</summary>
    private const int BatchSize = 1000;

    private long _checked;

    /// <summary>Trades read off the tape and checked (including those made before start); for tests and diagnostics.</summary>
    public long Checked => Interlocked.Read(ref _checked);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var rules = options.Value.Rules.Where(r => r.Kind?.IsTradeRule() == true).ToList();
        if (rules.Count == 0)
            return;
        if (!tapeOptions.Value.Enabled)
        {
            Log.TradeAlertsWithoutTape(logger, rules.Count);
            return;
        }
        var start = time.GetUtcNow();
        var coins = rules.GroupBy(r => r.Asset.ToUpperInvariant(), StringComparer.Ordinal)
            .Select(g => new TradeRules(g.Key, g, start))
            .ToList();
        Log.TradeAlertsOn(logger, rules.Count, string.Join(", ", coins.Select(c => c.Coin)), start);
        await Task.WhenAll(coins.Select(c => WatchAsync(c, stoppingToken)));
    }

    private async Task WatchAsync(TradeRules rules, CancellationToken stoppingToken)
    {
        // Failures here repeat at every pass until fixed: logged when they start or change kind, then rarely.
        var failureLog = new LogThrottle(time, LogThrottle.DefaultInterval);
        var alerts = new List<Alert>();
        long checkedUpTo = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var trades = tape.After(rules.Coin, checkedUpTo, BatchSize);
                var now = time.GetUtcNow();
                if (trades.Count > 0)
                {
                    if (checkedUpTo > 0 && trades[0].Sequence > checkedUpTo + 1)
                        Log.TradesNotChecked(logger, rules.Coin, checkedUpTo + 1, trades[0].Sequence - 1);
                    checkedUpTo = trades[^1].Sequence;
                    var skipped = rules.Check(trades, now, alerts);
                    if (skipped > 0)
                        Log.TradesBeforeStartSkipped(logger, rules.Coin, skipped);
                }
                rules.FlushDue(now, alerts);
                foreach (var alert in alerts)
                    dispatcher.Post(alert);
                alerts.Clear();
                // Counted once their alerts are posted, so a reader of Checked sees those alerts already posted.
                Interlocked.Add(ref _checked, trades.Count);
                failureLog.Recover();
                if (trades.Count == BatchSize)
                    continue;
                await WaitAsync(rules, checkedUpTo, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // One bad pass must not end trade alerting (nor, escaping, the host). The trades of the failed pass are
                // not checked again: a trade that breaks the check would otherwise break every pass after it.
                alerts.Clear();
                if (failureLog.ShouldLog(e.GetType().Name))
                    Log.TradeAlertsFailed(logger, rules.Coin, Secrets.Describe(e, options.Value));
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        // Blocks still gathering their legs at shutdown are told rather than lost.
        rules.FlushDue(time.GetUtcNow(), alerts, all: true);
        foreach (var alert in alerts)
            dispatcher.Post(alert);
    }

    /// <summary>Until the coin has a trade after <paramref name="after"/>, or a gathering block is due.</summary>
    private async Task WaitAsync(TradeRules rules, long after, CancellationToken stoppingToken)
    {
        if (rules.NextDue is not { } due)
        {
            await tape.WaitAsync(rules.Coin, after, stoppingToken);
            return;
        }
        var delay = due - time.GetUtcNow();
        if (delay <= TimeSpan.Zero)
            return;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var more = tape.WaitAsync(rules.Coin, after, either.Token);
        var settled = Task.Delay(delay, time, either.Token);
        await Task.WhenAny(more, settled);
        await either.CancelAsync();
        stoppingToken.ThrowIfCancellationRequested();
    }
}
