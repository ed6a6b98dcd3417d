using OptionsTracker.Bybit;
using OptionsTracker.Collector;
using StackExchange.Redis;

namespace OptionsTracker.Dashboard;

/// <summary>
/// Adds, enables, disables and removes tracked coins from the page. Each change is saved (the assets file, or Redis
/// shared by every instance) and the collector follows it at once: no restart. With Redis any instance's page can do
/// it, a web instance's too: the active collector hears of the change and follows.
/// </summary>
public sealed class AssetEditor(TrackedAssets assets, BybitRestClient rest)
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
