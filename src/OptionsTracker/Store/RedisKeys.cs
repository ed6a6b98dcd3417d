using OptionsTracker.Book;
using StackExchange.Redis;

namespace OptionsTracker.Store;

/// <summary>
/// The Redis layout. Every command touches one key, so a Redis Cluster routes each to its own slot and no
/// command ever spans slots; readers find options through the index sets, never through <c>KEYS</c> or
/// <c>SCAN</c>. <c>option:{symbol}</c> and <c>stats:global</c> are the original tool's names.
/// <para>
/// Venues: an option is named in Redis by its <em>member</em>, the text that the index sets and the change channel
/// carry and that follows <c>option:</c> in its hash's key. A Bybit option's member is its bare symbol, exactly as
/// the original tool wrote it (<c>option:BTC-26DEC25-100000-C</c>), so scripts written for it keep working; any other
/// venue's member is <c>{venue}:{symbol}</c> (<c>option:deribit:BTC-26DEC25-100000-C</c>, listed in
/// <c>options:coin:BTC</c> as <c>deribit:BTC-26DEC25-100000-C</c>). No venue's symbol contains a colon (Bybit's
/// and Deribit's use <c>-</c> and <c>_</c>), so the first colon, if any, ends the venue; the coin and expiry sets are
/// shared by every venue.
/// </para>
/// </summary>
public sealed class RedisKeys(string prefix)
{
    /// <summary>The hash of one option, by its member (<see cref="Member"/>).</summary>
    public RedisKey Option(string member) => $"{prefix}option:{member}";

    /// <summary>The hash of one option: <c>option:{symbol}</c> on Bybit, <c>option:{venue}:{symbol}</c> elsewhere.</summary>
    public RedisKey Option(InstrumentKey key) => Option(Member(key));

    /// <summary>How an option is named in the index sets, the change channel and its hash's key.</summary>
    public static string Member(InstrumentKey key) =>
        key.Venue == Venue.Bybit ? key.Symbol : string.Concat(key.Venue.Id, ":", key.Symbol);

    /// <summary>Reads a member back: a bare symbol is Bybit's; false for an empty symbol or a malformed venue.</summary>
    public static bool TryParseMember(string member, out InstrumentKey key)
    {
        key = default;
        var colon = member.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            if (member.Length == 0)
                return false;
            key = new InstrumentKey(Venue.Bybit, member);
            return true;
        }
        if (colon == member.Length - 1 || !Venue.TryParse(member.AsSpan(0, colon), out var venue))
            return false;
        key = new InstrumentKey(venue, member[(colon + 1)..]);
        return true;
    }

    /// <summary>The set of base coins with options.</summary>
    public RedisKey Coins => $"{prefix}options:coins";

    /// <summary>The set of one base coin's options (their members: Bybit's are bare symbols).</summary>
    public RedisKey Coin(string baseCoin) => $"{prefix}options:coin:{baseCoin}";

    /// <summary>The set of one base coin's expiry labels (<c>26DEC25</c>).</summary>
    public RedisKey Expiries(string baseCoin) => $"{prefix}options:expiries:{baseCoin}";

    /// <summary>The set of the options (members) of one base coin and expiry.</summary>
    public RedisKey Expiry(string baseCoin, string expiryLabel) => $"{prefix}options:expiry:{baseCoin}:{expiryLabel}";

    /// <summary>The active collector's counters.</summary>
    public RedisKey Stats => $"{prefix}stats:global";

    /// <summary>One coin's latest realised volatility, written by the active collector: period days → value, and <c>{days}_time</c> → ms.</summary>
    public RedisKey RealisedVolatility(string baseCoin) => $"{prefix}analytics:hv:{baseCoin}";

    /// <summary>Who collects: the active collector's id, with a time to live it keeps renewing.</summary>
    public RedisKey Lease => $"{prefix}collector:lease";

    /// <summary>The tracked coins, shared by every instance: the JSON of the assets file.</summary>
    public RedisKey Assets => $"{prefix}config:assets";

    /// <summary>A message each time <see cref="Assets"/> is changed.</summary>
    public RedisChannel AssetsChanged => RedisChannel.Literal($"{prefix}config:assets:changed");

    /// <summary>One message per write: the members written, and removed ones prefixed with <c>-</c>.</summary>
    public RedisChannel Changes => RedisChannel.Literal($"{prefix}options:changes");

    /// <summary>
    /// One coin's trade tape: a Redis Stream written by the active collector, one entry per trade whose id is
    /// <c>{sequence}-0</c> (the tape's sequence), capped at about <c>Tape:Keep</c> entries; web instances mirror it.
    /// </summary>
    public RedisKey Trades(string baseCoin) => $"{prefix}trades:{baseCoin}";

    /// <summary>The saved strategies, shared by every instance: one hash, field = the name in upper case, value = its JSON.</summary>
    public RedisKey Strategies => $"{prefix}strategies";

    /// <summary>A dashboard session signed out, kept (with a time to live) until any copy of its cookie would have expired.</summary>
    public RedisKey RevokedSession(string session) => $"{prefix}session:revoked:{session}";
}
