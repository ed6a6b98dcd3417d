using OptionsTracker.Bybit;
using OptionsTracker.Collector;

namespace OptionsTracker.Dashboard;

/// <summary>
/// Adds, enables, disables and removes tracked coins from the page. Each change is persisted and reaches the
/// collector at once: no restart.
/// </summary>
public sealed class AssetEditor(TrackedAssets assets, IServiceProvider services, BybitRestClient rest)
{
    // Absent in the web role: that instance serves the board from Redis and does not choose what is collected.
    private readonly FeedService? _feed = services.GetService<FeedService>();

    private const string NotCollecting = "This instance serves the board from Redis (role web): change the tracked coins on the collector.";

    /// <summary>Checks with the exchange that it lists options for the coin, then tracks it. Returns an error to show, or null.</summary>
    public async Task<string?> AddAsync(string? input, CancellationToken cancellationToken)
    {
        if (_feed is null)
            return NotCollecting;
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
        if (TrySave(() => assets.Add(coin)) is { } error)
            return error;
        _feed.Track(coin);
        return null;
    }

    public string? Enable(string coin)
    {
        if (_feed is null)
            return NotCollecting;
        if (TrySave(() => assets.SetEnabled(coin, true)) is { } error)
            return error;
        _feed.Track(coin);
        return null;
    }

    public async Task<string?> DisableAsync(string coin)
    {
        if (_feed is null)
            return NotCollecting;
        if (TrySave(() => assets.SetEnabled(coin, false)) is { } error)
            return error;
        await _feed.UntrackAsync(coin);
        return null;
    }

    public async Task<string?> RemoveAsync(string coin)
    {
        if (_feed is null)
            return NotCollecting;
        if (TrySave(() => assets.Remove(coin)) is { } error)
            return error;
        await _feed.UntrackAsync(coin);
        return null;
    }

    /// <summary>A change the file cannot keep is not made (it would be lost at the next start): say why instead.</summary>
    private string? TrySave(Func<bool> change)
    {
        try
        {
            change();
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"Could not save the tracked coins to {assets.FilePath}: {ex.Message}";
        }
    }
}
