using System.Collections.Concurrent;

namespace OptionsTracker.Feed;

/// <summary>
/// What the feed knows about each coin's loading, for health, stats and the dashboard's light. How the venues' requests
/// and connections fare is each venue's <see cref="VenueStatus"/>.
/// </summary>
public sealed class FeedStatus(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, CoinLoadState> _coins = new(StringComparer.Ordinal);

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public IReadOnlyDictionary<string, CoinLoadState> Coins => _coins;

    public void SetCoin(string coin, CoinLoadState state) => _coins[coin] = state;

    public void RemoveCoin(string coin) => _coins.TryRemove(coin, out _);
}

public enum CoinLoadState : byte
{
    /// <summary>Instruments not yet fetched.</summary>
    Loading,

    /// <summary>Instruments in the book and subscribed.</summary>
    Loaded,

    /// <summary>The venue lists no options for this coin (yet).</summary>
    NoOptions,

    /// <summary>The venue refused the coin's request for good (Bybit: a parameter error, retCode 10001): not retried.</summary>
    Refused,
}
