using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using OptionsTracker.Store;

namespace OptionsTracker.Security;

/// <summary>
/// The dashboard's sign-in tickets. Each carries a random session id and a tag of the API key it was signed in
/// with (an HMAC, so the ticket never holds the key), and both are checked on every request: a new key signs
/// every browser out, and a signed-out session id is refused until any copy of its cookie would have expired.
/// The revoked ids live in this process and, with Redis configured, in Redis too, so every instance sharing it
/// refuses them, restarts included. While Redis cannot be reached a sign-out holds on the instance that served
/// it, and instances check only their own list (failing open rather than signing everyone out). Any thread may call.
/// </summary>
internal sealed class DashboardSessions
{
    public const string SessionClaim = "optionstracker:session";
    public const string KeyClaim = "optionstracker:key";

    private readonly byte[]? _keyTag;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<CookieAuthenticationOptions> _cookies;
    private readonly ILogger<DashboardSessions> _logger;
    private readonly RedisConnection? _redis;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);

    public DashboardSessions(IOptions<SecurityOptions> options, IOptionsMonitor<CookieAuthenticationOptions> cookies, TimeProvider time,
        ILogger<DashboardSessions> logger, RedisConnection? redis = null)
    {
        _redis = redis;
        _keyTag = KeyTag(options.Value.ApiKey);
        _cookies = cookies;
        _time = time;
        _logger = logger;
    }

    /// <summary>A new signed-in session for the current key.</summary>
    public ClaimsPrincipal NewPrincipal()
    {
        var tag = _keyTag ?? throw new InvalidOperationException("No API key is set: there is nothing to sign in with.");
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, "dashboard"),
            new Claim(SessionClaim, Convert.ToHexString(RandomNumberGenerator.GetBytes(16))),
            new Claim(KeyClaim, Convert.ToBase64String(tag)),
        ], CookieAuthenticationDefaults.AuthenticationScheme);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>The cookie handler's check of every request's ticket: signed in with today's key, not signed out.</summary>
    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        if (await IsValidAsync(context.Principal, context.HttpContext.RequestAborted))
            return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>Refuses <paramref name="principal"/>'s session from now on: here, and through Redis on every instance.</summary>
    public async Task RevokeAsync(ClaimsPrincipal? principal, CancellationToken cancellationToken)
    {
        if (principal?.FindFirst(SessionClaim)?.Value is not { } session)
            return;
        var now = _time.GetUtcNow();
        // A copy of the cookie renewed (sliding expiration) just before this cannot outlive now + the lifetime.
        var until = now + _cookies.Get(CookieAuthenticationDefaults.AuthenticationScheme).ExpireTimeSpan;
        foreach (var (id, expiry) in _revoked)
        {
            if (expiry <= now)
                _revoked.TryRemove(id, out _);
        }
        _revoked[session] = until;
        Log.SignedOut(_logger, until);
        if (_redis is null)
            return;
        if (!_redis.IsConnected)
        {
            Log.SignOutNotShared(_logger, _redis.Describe() ?? "not connected");
            return;
        }
        try
        {
            var redis = await _redis.GetAsync(cancellationToken);
            await redis.GetDatabase().StringSetAsync(_redis.Keys.RevokedSession(session), until.ToUnixTimeSeconds(), until - now);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            Log.SignOutNotShared(_logger, ex.Message);
        }
    }

    private async Task<bool> IsValidAsync(ClaimsPrincipal? principal, CancellationToken cancellationToken)
    {
        if (_keyTag is null || principal is null || !HasKeyTag(principal, _keyTag))
            return false;
        if (principal.FindFirst(SessionClaim)?.Value is not { Length: > 0 } session
            || _revoked.TryGetValue(session, out var until) && until > _time.GetUtcNow())
            return false;
        return !await IsRevokedElsewhereAsync(session, cancellationToken);
    }

    private static bool HasKeyTag(ClaimsPrincipal principal, byte[] keyTag)
    {
        Span<byte> tag = stackalloc byte[32];
        return principal.FindFirst(KeyClaim)?.Value is { } presented
            && Convert.TryFromBase64String(presented, tag, out var length)
            && CryptographicOperations.FixedTimeEquals(tag[..length], keyTag);
    }

    /// <summary>Whether another instance (or this one before a restart) signed the session out, as Redis says.</summary>
    private async Task<bool> IsRevokedElsewhereAsync(string session, CancellationToken cancellationToken)
    {
        // Not connected: no wait for a connect on a request's path; the local list is all there is.
        if (_redis is not { IsConnected: true })
            return false;
        try
        {
            var redis = await _redis.GetAsync(cancellationToken);
            var until = await redis.GetDatabase().StringGetAsync(_redis.Keys.RevokedSession(session));
            if (until.IsNullOrEmpty || !until.TryParse(out long seconds))
                return false;
            _revoked[session] = DateTimeOffset.FromUnixTimeSeconds(seconds);
            return true;
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            Log.RevocationUnreadable(_logger, ex.Message);
            return false;
        }
    }

    private static byte[]? KeyTag(string? key) =>
        key is { Length: > 0 } ? HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), "OptionsTracker dashboard sign-in"u8) : null;
}
