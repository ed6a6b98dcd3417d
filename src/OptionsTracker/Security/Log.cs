using System.Net;

namespace OptionsTracker.Security;

// Event id blocks, one per feature (the namespace's last segment), unique across the program; operators filter on
// them, so keep ids and EventNames (= the method name) stable. Bybit 1xxx, Feed 2xxx, Api 3xxx, Store 4xxx,
// Alerts 5xxx, Security 6xxx, Health 7xxx, Dashboard 8xxx, Measures 9xxx.
// tests/OptionsTracker.Tests/Logging/EventIdTests.cs checks them.

/// <summary>Log lines of access control. Event ids 6300–6399; keep ids and names stable, append only.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6300, EventName = "ClientLockedOut", Level = LogLevel.Warning,
        Message = "Client {Client} sent {Failures} wrong keys: its keys are refused for {Lockout}")]
    public static partial void ClientLockedOut(ILogger logger, IPAddress client, int failures, TimeSpan lockout);

    [LoggerMessage(EventId = 6301, EventName = "CrossOriginRefused", Level = LogLevel.Debug,
        Message = "Refused {Path} from origin {Origin}: this site is {Site}")]
    public static partial void CrossOriginRefused(ILogger logger, string path, string origin, string site);

    // Once per process: the first refusal is what an operator who put the tracker behind an HTTPS proxy without
    // telling it sees when the dashboard stops connecting.
    [LoggerMessage(EventId = 6302, EventName = "FirstCrossOriginRefused", Level = LogLevel.Warning,
        Message = "Refused {Path} from origin {Origin}: this site is {Site}. If that origin is this site behind a reverse proxy, set Security__BehindReverseProxy=true and list the proxy in Security__KnownProxies; another site needs Security__CorsOrigins. Later refusals are logged at Debug")]
    public static partial void FirstCrossOriginRefused(ILogger logger, string path, string origin, string site);

    [LoggerMessage(EventId = 6303, EventName = "ForwardedHeadersTrusted", Level = LogLevel.Information,
        Message = "Behind a reverse proxy: X-Forwarded-For and X-Forwarded-Proto are believed only from {Proxies}")]
    public static partial void ForwardedHeadersTrusted(ILogger logger, string proxies);

    [LoggerMessage(EventId = 6304, EventName = "SignedOut", Level = LogLevel.Debug,
        Message = "A dashboard sign-in was revoked until {Until}")]
    public static partial void SignedOut(ILogger logger, DateTimeOffset until);

    [LoggerMessage(EventId = 6305, EventName = "SignOutNotShared", Level = LogLevel.Warning,
        Message = "Could not record a sign-out in Redis ({Error}): other instances still accept that session's cookie")]
    public static partial void SignOutNotShared(ILogger logger, string error);

    // Per request while Redis is failing: Debug only; the store's own health and log report the outage.
    [LoggerMessage(EventId = 6306, EventName = "RevocationUnreadable", Level = LogLevel.Debug,
        Message = "Could not read sign-outs from Redis ({Error}); checking this instance's only")]
    public static partial void RevocationUnreadable(ILogger logger, string error);
}
