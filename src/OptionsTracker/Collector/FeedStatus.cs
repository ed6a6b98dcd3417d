using System.Collections.Concurrent;

namespace OptionsTracker.Collector;

/// <summary>What the collector knows about its own progress, for health, stats and the dashboard's light.</summary>
public sealed class FeedStatus(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, CoinLoadState> _coins = new(StringComparer.Ordinal);
    private volatile string? _restError;

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    /// <summary>The last REST failure, cleared by the next success.</summary>
    public string? RestError => _restError;

    public IReadOnlyDictionary<string, CoinLoadState> Coins => _coins;

    public void SetCoin(string coin, CoinLoadState state) => _coins[coin] = state;

    public void RemoveCoin(string coin) => _coins.TryRemove(coin, out _);

    public void RestSucceeded() => _restError = null;

    public void RestFailed(string error) => _restError = error;
}

public enum CoinLoadState : byte
{
    /// <summary>Instruments not yet fetched.</summary>
    Loading,

    /// <summary>Instruments in the book and subscribed.</summary>
    Loaded,

    /// <summary>Bybit lists no options for this coin (yet).</summary>
    NoOptions,

    /// <summary>Bybit refused the coin's request as a parameter error (retCode 10001): not retried.</summary>
    Refused,
}
