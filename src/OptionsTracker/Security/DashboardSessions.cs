using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace OptionsTracker.Security;

/// <summary>
/// The dashboard's sign-in tickets. Each carries a random session id and a tag of the API key it was signed in
/// with (an HMAC, so the ticket never holds the key), and both are checked on every request: a new key signs
/// every browser out, and a signed-out session id is refused until any copy of its cookie would have expired.
/// The revoked ids live in this process: with several instances, signing out is effective on the instance that
/// served it (and any copy of the cookie still works on the others until the key changes). Any thread may call.
/// </summary>
internal sealed class DashboardSessions
{
    public const string SessionClaim = "optionstracker:session";
    public const string KeyClaim = "optionstracker:key";

    private readonly byte[]? _keyTag;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<CookieAuthenticationOptions> _cookies;
    private readonly ILogger<DashboardSessions> _logger;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);

    public DashboardSessions(IOptions<SecurityOptions> options, IOptionsMonitor<CookieAuthenticationOptions> cookies, TimeProvider time,
        ILogger<DashboardSessions> logger)
    {
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
        if (IsValid(context.Principal))
            return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>Refuses <paramref name="principal"/>'s session from now on, on this instance.</summary>
    public void Revoke(ClaimsPrincipal? principal)
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
    }

    private bool IsValid(ClaimsPrincipal? principal)
    {
        if (_keyTag is null || principal is null)
            return false;
        if (principal.FindFirst(SessionClaim)?.Value is not { Length: > 0 } session
            || _revoked.TryGetValue(session, out var until) && until > _time.GetUtcNow())
            return false;
        Span<byte> tag = stackalloc byte[32];
        return principal.FindFirst(KeyClaim)?.Value is { } presented
            && Convert.TryFromBase64String(presented, tag, out var length)
            && CryptographicOperations.FixedTimeEquals(tag[..length], _keyTag);
    }

    private static byte[]? KeyTag(string? key) =>
        key is { Length: > 0 } ? HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), "OptionsTracker dashboard sign-in"u8) : null;
}
