using OptionsTracker.Bybit;
using OptionsTracker.Collector;

namespace OptionsTracker.Dashboard;

/// <summary>
/// Adds, enables, disables and removes tracked coins from the page. Each change is persisted and reaches the
/// collector at once: no restart.
/// </summary>
public sealed class AssetEditor(TrackedAssets assets, FeedService feed, BybitRestClient rest)
{
    /// <summary>Checks with the exchange that it lists options for the coin, then tracks it. Returns an error to show, or null.</summary>
    public async Task<string?> AddAsync(string? input, CancellationToken cancellationToken)
    {
        var coin = (input ?? "").Trim().ToUpperInvariant();
        if (!TrackerOptions.IsValidCoin(coin))
            return "A base coin is letters and digits, e.g. XRP.";
        if (assets.IsEnabled(coin))
            return $"{coin} is already tracked.";
        bool listsOptions;
        try
        {
            listsOptions = await rest.ListsOptionsAsync(coin, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"Could not ask the exchange about {coin}: {ex.Message}";
        }
        if (!listsOptions)
            return $"Bybit lists no options for {coin}.";
        assets.Add(coin);
        feed.Track(coin);
        return null;
    }

    public void Enable(string coin)
    {
        if (assets.SetEnabled(coin, true))
            feed.Track(coin);
    }

    public Task DisableAsync(string coin)
    {
        assets.SetEnabled(coin, false);
        return feed.UntrackAsync(coin);
    }

    public Task RemoveAsync(string coin)
    {
        assets.Remove(coin);
        return feed.UntrackAsync(coin);
    }
}
