using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OptionsTracker.History;

/// <summary>
/// /health's <c>history</c> entry: Healthy while the recorder writes (or when this process is not the one that records);
/// Degraded, with the reason, while the store is unavailable (its error: unreachable, source mismatch, file locked),
/// while snapshots pile up, while the clock is behind the last snapshot, and for a while after a gap. The history never
/// makes the process Unhealthy: the feed and the API go on without it.
/// </summary>
public sealed class HistoryHealthCheck(IServiceProvider services) : IHealthCheck
{
    /// <summary>More snapshots than this waiting = the store is behind (one is usually being written).</summary>
    public const int PendingWarning = 2;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<HistoryRecorder>() is not { } recorder)
            return Task.FromResult(HealthCheckResult.Healthy("this web instance reads the history; the active collector records it"));
        var status = recorder.GetStatus();
        var data = new Dictionary<string, object>
        {
            ["store"] = status.Store,
            ["recording"] = status.IsRecording,
            ["last_snapshot"] = status.LastRecorded?.ToString("O", CultureInfo.InvariantCulture) ?? "",
            ["snapshots_written"] = status.SnapshotsWritten,
            ["pending"] = status.Pending,
            ["dropped"] = status.Dropped,
            ["skipped"] = status.Skipped,
            ["last_gap"] = status.LastGap is { } last ? Describe(last) : "",
        };
        var trades = services.GetService<Tape.TradeRecorder>()?.GetStatus();
        if (trades is not null)
        {
            data["trades_written"] = trades.Written;
            data["trades_pending"] = trades.Pending;
            data["trades_missed"] = trades.Missed;
            data["trades_last_gap"] = trades.LastGap is { } tradeGap ? Describe(tradeGap) : "";
        }
        if (!status.IsRecording)
            return Task.FromResult(HealthCheckResult.Healthy("standby: the collector holding the lease records the history", data));
        string? problem = null;
        if (status.Problem is { } storeProblem)
            problem = $"history {status.Store}: {storeProblem}; {status.Pending} snapshots pending, {status.Dropped} dropped";
        else if (status.Pending > PendingWarning)
            problem = $"history {status.Store}: {status.Pending} snapshots pending (the store is slow)";
        else if (status.ClockBehind)
            problem = $"history: the clock is behind the last snapshot recorded ({status.LastRecorded:O}); snapshots skipped until it passes it";
        else if (status.RecentGap is { } gap)
            problem = $"history: gap: {Describe(gap)}";
        else if (trades is { Recording: true, Problem: { } tradeProblem })
            problem = $"history {status.Store}: trades cannot be recorded: {tradeProblem}; {trades.Pending} trades wait on the tape";
        else if (trades?.RecentGap is { } recentTradeGap)
            problem = $"history: trades not recorded: {Describe(recentTradeGap)}";
        if (problem is not null)
            return Task.FromResult(HealthCheckResult.Degraded(problem, data: data));
        var healthy = status.LastRecorded is { } at
            ? $"recording every {status.Interval} into {status.Store}; last snapshot {at:O}"
            : $"recording every {status.Interval} into {status.Store}; no snapshot yet";
        return Task.FromResult(HealthCheckResult.Healthy(healthy, data));
    }

    private static string Describe(Tape.TradeGap gap) => string.Create(CultureInfo.InvariantCulture,
        $"{gap.Missed} trades of {gap.Coin} (sequences {gap.From} to {gap.To}) left the tape before the store could take them");

    private static string Describe(HistoryGap gap) => string.Create(CultureInfo.InvariantCulture,
        $"no snapshot from {gap.From:O} to {gap.To:O} ({gap.Missed} missed: {gap.Reason})");
}
