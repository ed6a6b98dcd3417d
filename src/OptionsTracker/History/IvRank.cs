namespace OptionsTracker.History;

/// <summary>
/// Where a coin's ATM IV at one tenor stands against its own recorded past: one definition for the term endpoint's
/// <c>iv_rank</c>/<c>iv_percentile</c> and the dashboard. Over the daily values of <c>atm_iv_{tenor}d</c> (each UTC
/// day's last recorded value) in the lookback, with the current value as the last day:
/// <list type="bullet">
/// <item><see cref="Rank"/> = (current − min) / (max − min), 0 to 1 (null when max = min);</item>
/// <item><see cref="Percentile"/> = the share of the lookback's days whose value is below the current one, 0 to 1;</item>
/// <item><see cref="LookbackDays"/> = the days actually covered (from the first recorded value to now, at most the
/// lookback asked): a rank over 3 days says much less than one over 365, and the answer says which it is.</item>
/// </list>
/// </summary>
public readonly record struct IvRank(double? Rank, double? Percentile, double LookbackDays, int Days)
{
    /// <summary>The default lookback: a year, as traders quote IV rank.</summary>
    public static readonly TimeSpan DefaultLookback = TimeSpan.FromDays(365);

    /// <summary>
    /// The rank of <paramref name="current"/> (a fraction; NaN gives none) among <paramref name="coin"/>'s recorded
    /// <c>atm_iv_{tenorDays}d</c> over <paramref name="lookback"/> before <paramref name="now"/>; null when nothing was recorded.
    /// </summary>
    public static async Task<IvRank?> ComputeAsync(IHistoryStore store, string coin, int tenorDays, double current, DateTimeOffset now,
        TimeSpan lookback, CancellationToken cancellationToken)
    {
        var name = MeasureNames.ForTenor("atm_iv", tenorDays);
        var daily = await store.MeasureSeriesAsync(coin, [name], now - lookback, now, TimeSpan.FromDays(1), cancellationToken);
        return Of(daily, current, now);
    }

    /// <summary>The rank from daily points (values[0] = the measure), oldest first; null when none holds a value.</summary>
    public static IvRank? Of(IReadOnlyList<SeriesPoint> daily, double current, DateTimeOffset now)
    {
        var values = new List<double>(daily.Count + 1);
        DateTimeOffset? first = null;
        foreach (var point in daily)
        {
            var value = point.Values[0];
            if (double.IsFinite(value))
            {
                values.Add(value);
                first ??= point.Time;
            }
        }
        if (first is null)
            return null;
        var lookbackDays = Math.Max(0, (now - first.Value).TotalDays);
        if (!double.IsFinite(current))
            return new IvRank(null, null, lookbackDays, values.Count);
        var below = 0;
        var min = current;
        var max = current;
        foreach (var value in values)
        {
            if (value < current)
                below++;
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }
        double? rank = max > min ? (current - min) / (max - min) : null;
        return new IvRank(rank, (double)below / values.Count, lookbackDays, values.Count);
    }
}
