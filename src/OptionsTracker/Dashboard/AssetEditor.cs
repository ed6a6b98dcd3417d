using Microsoft.Extensions.Options;
using OptionsTracker.Feed;
using StackExchange.Redis;

namespace OptionsTracker.Dashboard;

/// <summary>
/// Adds, enables, disables and removes tracked coins from the page. Each change is saved (the assets file, or Redis
/// shared by every instance) and the collector follows it at once: no restart. With Redis any instance's page can do
/// it, a web instance's too: the active collector hears of the change and follows.
/// A collecting instance asks its venues whether they list options for a coin before adding it. A web instance never
/// talks to an exchange (its role says so, and no venue is registered there): it saves the coin, and the active
/// collector checks it when it tracks it; a coin no venue lists shows in <c>/health</c> ("Bybit lists no options for …").
/// </summary>
public sealed class AssetEditor(TrackedAssets assets, IEnumerable<IVenue> venues, IOptions<TrackerOptions> tracker)
{
    private readonly IVenue[] _venues = tracker.Value.Role == TrackerRole.Web ? [] : [.. venues];

    /// <summary>Whether <see cref="AddAsync"/> asks the exchange first (false on a web instance: the collector checks).</summary>
    public bool ChecksWithExchange => _venues.Length > 0;

    /// <summary>Checks with the venues that one lists options for the coin, then tracks it. Returns an error to show, or null.</summary>
    public async Task<string?> AddAsync(string? input, CancellationToken cancellationToken)
    {
        var coin = (input ?? "").Trim().ToUpperInvariant();
        if (!TrackerOptions.IsValidCoin(coin))
            return "A base coin is letters and digits, e.g. XRP.";
        if (assets.IsEnabled(coin))
            return $"{coin} is already tracked.";
        if (ChecksWithExchange)
        {
            var listed = false;
            foreach (var venue in _venues)
            {
                try
                {
                    listed = await venue.ListsOptionsAsync(coin, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    return $"Could not ask the exchange about {coin}: {ex.Message}";
                }
                if (listed)
                    break;
            }
            if (!listed)
                return _venues.Length == 1 ? $"{_venues[0].Name} lists no options for {coin}." : $"No exchange lists options for {coin}.";
        }
        return await TrySaveAsync(() => assets.AddAsync(coin, cancellationToken));
    }

    public Task<string?> EnableAsync(string coin, CancellationToken cancellationToken) =>
        TrySaveAsync(() => assets.SetEnabledAsync(coin, true, cancellationToken));

    public Task<string?> DisableAsync(string coin, CancellationToken cancellationToken) =>
        TrySaveAsync(() => assets.SetEnabledAsync(coin, false, cancellationToken));

    public Task<string?> RemoveAsync(string coin, CancellationToken cancellationToken) =>
        TrySaveAsync(() => assets.RemoveAsync(coin, cancellationToken));

    /// <summary>A change the store cannot keep is not made (it would be lost at the next start): say why instead.</summary>
    private async Task<string?> TrySaveAsync(Func<Task<bool>> change)
    {
        try
        {
            await change();
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or RedisException or TimeoutException or TrackedAssetsConflictException)
        {
            return $"Could not save the tracked coins to {assets.Location}: {ex.Message}";
        }
    }
}
