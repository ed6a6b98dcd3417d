using StackExchange.Redis;

namespace OptionsTracker.Store;

/// <summary>
/// The Redis layout. Every command touches one key, so a Redis Cluster routes each to its own slot and no
/// command ever spans slots; readers find options through the index sets, never through <c>KEYS</c> or
/// <c>SCAN</c>. <c>option:{symbol}</c> and <c>stats:global</c> are the original tool's names.
/// </summary>
public sealed class RedisKeys(string prefix)
{
    /// <summary>The hash of one option.</summary>
    public RedisKey Option(string symbol) => $"{prefix}option:{symbol}";

    /// <summary>The set of base coins with options.</summary>
    public RedisKey Coins => $"{prefix}options:coins";

    /// <summary>The set of one base coin's option symbols.</summary>
    public RedisKey Coin(string baseCoin) => $"{prefix}options:coin:{baseCoin}";

    /// <summary>The set of one base coin's expiry labels (<c>26DEC25</c>).</summary>
    public RedisKey Expiries(string baseCoin) => $"{prefix}options:expiries:{baseCoin}";

    /// <summary>The set of the option symbols of one base coin and expiry.</summary>
    public RedisKey Expiry(string baseCoin, string expiryLabel) => $"{prefix}options:expiry:{baseCoin}:{expiryLabel}";

    /// <summary>The active collector's counters.</summary>
    public RedisKey Stats => $"{prefix}stats:global";

    /// <summary>Who collects: the active collector's id, with a time to live it keeps renewing.</summary>
    public RedisKey Lease => $"{prefix}collector:lease";

    /// <summary>The tracked coins, shared by every instance: the JSON of the assets file.</summary>
    public RedisKey Assets => $"{prefix}config:assets";

    /// <summary>A message each time <see cref="Assets"/> is changed.</summary>
    public RedisChannel AssetsChanged => RedisChannel.Literal($"{prefix}config:assets:changed");

    /// <summary>One message per write: the symbols written, and removed ones prefixed with <c>-</c>.</summary>
    public RedisChannel Changes => RedisChannel.Literal($"{prefix}options:changes");

    /// <summary>A dashboard session signed out, kept (with a time to live) until any copy of its cookie would have expired.</summary>
    public RedisKey RevokedSession(string session) => $"{prefix}session:revoked:{session}";
}
