using System.Collections.Concurrent;
using OptionsTracker.Book;

namespace OptionsTracker.Feed;

/// <summary>
/// What the feed knows about each coin's loading, for health, stats and the dashboard's light. How the venues' requests
/// and connections fare is each venue's <see cref="VenueStatus"/>.
/// </summary>
public sealed class FeedStatus(TimeProvider time)
{
    // Per (venue, coin): each venue's feed loads its own options of a coin, and one may be loaded while another still loads.
    private readonly ConcurrentDictionary<(Venue Venue, string Coin), CoinLoadState> _coins = new();

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    /// <summary>
    /// Each coin's state over every venue: <see cref="CoinLoadState.Loading"/> while any venue loads it, else
    /// <see cref="CoinLoadState.Loaded"/> when any venue has it, else no options, else refused.
    /// </summary>
    public IReadOnlyDictionary<string, CoinLoadState> Coins
    {
        get
        {
            var coins = new Dictionary<string, CoinLoadState>(StringComparer.Ordinal);
            foreach (var ((_, coin), state) in _coins)
                coins[coin] = coins.TryGetValue(coin, out var other) && Rank(other) < Rank(state) ? other : state;
            return coins;
        }
    }

    /// <summary>Each (venue, coin)'s own state: what one venue's feed, and the Redis reconciliation of its keys, go by.</summary>
    public IReadOnlyDictionary<(Venue Venue, string Coin), CoinLoadState> VenueCoins => _coins;

    /// <summary>The coins of one venue in <paramref name="state"/>.</summary>
    public IEnumerable<string> CoinsOf(Venue venue, CoinLoadState state) =>
        _coins.Where(c => c.Key.Venue == venue && c.Value == state).Select(c => c.Key.Coin);

    public void SetCoin(Venue venue, string coin, CoinLoadState state) => _coins[(venue, coin)] = state;

    public void RemoveCoin(Venue venue, string coin) => _coins.TryRemove((venue, coin), out _);

    private static int Rank(CoinLoadState state) => state switch
    {
        CoinLoadState.Loading => 0,
        CoinLoadState.Loaded => 1,
        CoinLoadState.NoOptions => 2,
        _ => 3,
    };
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
