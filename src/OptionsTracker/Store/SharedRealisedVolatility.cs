using System.Globalization;
using Microsoft.Extensions.Options;
using OptionsTracker.Diagnostics;
using OptionsTracker.Feed;
using OptionsTracker.Measures;
using StackExchange.Redis;

namespace OptionsTracker.Store;

/// <summary>
/// With Redis, one realised volatility on every instance, so <c>hv</c> reads the same everywhere. The process holding the
/// collector lease (its poller asks Bybit) writes each enabled coin's latest values to <c>analytics:hv:{coin}</c>, a small
/// hash (<c>7</c> → <c>0.45024716</c>, <c>7_time</c> → ms), replaced whole in one transaction when the values change, and
/// again every <see cref="StoreOptions.ResyncInterval"/> in case Redis restarted empty. Every other process (a web instance,
/// a standby collector) reads those hashes every <see cref="Period"/> into its own <see cref="RealisedVolatility"/>. A coin
/// without a hash keeps what this instance had: a Redis restarted empty or a collector that has not asked yet erases
/// nothing. While Redis fails, the values stay and the fault is logged when it starts, changes kind, and ends.
/// </summary>
internal sealed class SharedRealisedVolatility(
    RedisConnection connection,
    RealisedVolatility realised,
    TrackedAssets assets,
    IOptions<StoreOptions> options,
    TimeProvider time,
    ILogger<SharedRealisedVolatility> logger,
    LogThrottle errorLog,
    ICollectorLease? lease = null) : BackgroundService
{
    /// <summary>How often a reader looks (the values change once an hour) and a writer checks for new values.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    private const string TimeSuffix = "_time";
    private readonly StoreOptions _options = options.Value;
    private long _writtenVersion = -1;
    private long _writtenAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var multiplexer = await connection.GetAsync(stoppingToken);
            using var timer = new PeriodicTimer(Period, time);
            do
            {
                // No lease on a web instance: it never collects.
                var writing = lease is { IsHeld: true };
                try
                {
                    var database = multiplexer.GetDatabase();
                    if (writing)
                    {
                        await WriteAsync(database, stoppingToken);
                    }
                    else
                    {
                        _writtenVersion = -1; // if the lease comes, write at once
                        await ReadAsync(database, stoppingToken);
                    }
                    if (errorLog.Recover())
                        Log.RealisedVolatilitySharingResumed(logger);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    if (errorLog.ShouldLog(RedisConnection.FaultKind(ex)))
                        Log.RealisedVolatilitySharingFailed(logger, writing ? "write" : "read", ex.Message, Period);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private async Task WriteAsync(IDatabase database, CancellationToken cancellationToken)
    {
        var version = realised.Version;
        if (version == _writtenVersion && time.GetElapsedTime(_writtenAt) < _options.ResyncInterval)
            return;
        var writes = new List<Task>();
        foreach (var coin in assets.Enabled)
        {
            // Never asked here yet: what the previous collector wrote stays.
            if (!realised.TryGet(coin, out var points))
                continue;
            var key = connection.Keys.RealisedVolatility(coin);
            var transaction = database.CreateTransaction();
            writes.Add(transaction.KeyDeleteAsync(key));
            if (points.Count > 0)
                writes.Add(transaction.HashSetAsync(key, [.. Entries(points)]));
            writes.Add(transaction.ExecuteAsync());
        }
        await Task.WhenAll(writes).WaitAsync(_options.CommandTimeout, cancellationToken);
        _writtenVersion = version;
        _writtenAt = time.GetTimestamp();
    }

    private static IEnumerable<HashEntry> Entries(IReadOnlyList<RealisedVolatilityPoint> points)
    {
        foreach (var point in points)
        {
            var period = point.PeriodDays.ToString(CultureInfo.InvariantCulture);
            yield return new HashEntry(period, point.Value.ToString("R", CultureInfo.InvariantCulture));
            yield return new HashEntry(period + TimeSuffix, point.Time.ToUnixTimeMilliseconds());
        }
    }

    private async Task ReadAsync(IDatabase database, CancellationToken cancellationToken)
    {
        foreach (var coin in assets.Enabled)
        {
            var entries = await database.HashGetAllAsync(connection.Keys.RealisedVolatility(coin)).WaitAsync(_options.CommandTimeout, cancellationToken);
            if (entries.Length == 0)
                continue;
            var points = Parse(entries);
            if (!points.SequenceEqual(realised.Get(coin)))
                realised.Set(coin, points);
        }
    }

    /// <summary>The hash read back, by period ascending; a field that does not parse is skipped.</summary>
    internal static List<RealisedVolatilityPoint> Parse(HashEntry[] entries)
    {
        var times = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var name = (string)entry.Name!;
            if (name.EndsWith(TimeSuffix, StringComparison.Ordinal) && entry.Value.TryParse(out long ms))
                times[name[..^TimeSuffix.Length]] = ms;
        }
        var points = new List<RealisedVolatilityPoint>();
        foreach (var entry in entries)
        {
            var name = (string)entry.Name!;
            if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var period)
                && double.TryParse((string?)entry.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && double.IsFinite(value)
                && times.TryGetValue(name, out var ms))
                points.Add(new RealisedVolatilityPoint(period, value, DateTimeOffset.FromUnixTimeMilliseconds(ms)));
        }
        points.Sort((a, b) => a.PeriodDays.CompareTo(b.PeriodDays));
        return points;
    }
}
