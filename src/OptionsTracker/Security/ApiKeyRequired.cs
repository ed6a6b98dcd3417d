namespace OptionsTracker.Security;

/// <summary>
/// Endpoint metadata: with <see cref="SecurityOptions.ApiKey"/> set, the endpoint answers only a request carrying
/// the key (<c>X-API-Key</c>) or the dashboard's sign-in cookie. Put on route groups by <see cref="EndpointAccess"/>,
/// enforced by <see cref="ApiKeyGate"/>; an endpoint's URL plays no part.
/// </summary>
internal sealed class ApiKeyRequired
{
    /// <summary>API data and streams: a caller without the key gets 401 with a problem body naming the header.</summary>
    public static readonly ApiKeyRequired Api = new(redirectsToSignIn: false);

    /// <summary>The dashboard: a browser without the sign-in cookie is sent to <c>/login</c>, which brings it back.</summary>
    public static readonly ApiKeyRequired Dashboard = new(redirectsToSignIn: true);

    /// <summary>
    /// An endpoint that answers any URL (a fallback): refused as a request matching no endpoint is, by the path's
    /// style (<see cref="ApiKeyGate.IsApi"/>).
    /// </summary>
    public static readonly ApiKeyRequired AsUnmatched = new(redirectsToSignIn: null);

    private ApiKeyRequired(bool? redirectsToSignIn) => RedirectsToSignIn = redirectsToSignIn;

    /// <summary>Sign-in redirect (true), 401 problem (false), or by the request's path (null).</summary>
    public bool? RedirectsToSignIn { get; }
}
