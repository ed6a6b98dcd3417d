using Microsoft.Extensions.Options;
using OptionsTracker.Book;

namespace OptionsTracker.Feed;

/// <summary>
/// Runs the feed: while this process holds the collector lease (always with the embedded store), runs every registered
/// venue (<see cref="VenueFeed"/>) for the enabled coins, and follows the tracked set as it changes. Losing the lease
/// closes every venue's connections. It knows no exchange: venues come in as <see cref="IVenue"/>.
/// </summary>
public sealed class FeedService : BackgroundService
{
    private readonly TrackedAssets _assets;
    private readonly ICollectorLease _lease;
    private readonly ILogger<FeedService> _logger;
    private readonly VenueFeed[] _venues;

    public FeedService(
        IEnumerable<IVenue> venues,
        OptionBook book,
        FeedStatus status,
        TrackedAssets assets,
        IOptions<TrackerOptions> tracker,
        ICollectorLease lease,
        TimeProvider time,
        ILogger<FeedService> logger)
    {
        _assets = assets;
        _lease = lease;
        _logger = logger;
        _venues = [.. venues.Select(v => new VenueFeed(v, book, status, tracker.Value, time, logger))];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _assets.Changed += OnAssetsChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var held = await _lease.AcquireAsync(stoppingToken);
                using var collecting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, held);
                // The persisted set (coins added from the dashboard) wins over configuration.
                await Task.WhenAll(_venues.Select(v => v.CollectAsync(() => _assets.Enabled, collecting.Token)));
                if (stoppingToken.IsCancellationRequested)
                    return;
                // Another collector is active now: stop feeding this book and close the connections (they would
                // only count against the exchanges' limits); start over if the lease comes back.
                await Task.WhenAll(_venues.Select(v => v.Venue.StopAsync()));
                Log.StoppedCollecting(_logger);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
        finally
        {
            _assets.Changed -= OnAssetsChanged;
        }
    }

    /// <summary>
    /// The tracked set changed (on this instance's dashboard, or on another's through the shared store): every venue
    /// tracks the enabled coins not running yet and drops the running ones no longer enabled.
    /// </summary>
    private void OnAssetsChanged() => _ = FollowAssetsAsync();

    private async Task FollowAssetsAsync()
    {
        try
        {
            var wanted = _assets.Enabled;
            foreach (var venue in _venues)
                await venue.FollowAsync(wanted);
        }
        catch (Exception e)
        {
            Log.FollowAssetsFailed(_logger, e.Message);
        }
    }

    /// <summary>Refreshes <paramref name="coin"/>'s instruments on every venue now, as the periodic refresh does.</summary>
    internal async Task RefreshCoinAsync(string coin, CancellationToken cancellationToken)
    {
        foreach (var venue in _venues)
            await venue.RefreshCoinAsync(coin, cancellationToken);
    }
}
