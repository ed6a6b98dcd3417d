namespace OptionsTracker.Security;

/// <summary>
/// Endpoint metadata: a browser request from a page of another origin is refused (403) by <see cref="OriginCheck"/>,
/// cookie or not. On the dashboard (its pages and its Blazor hub) and the sign-in form's posts: browsers attach
/// cookies to these from any page, and neither CORS nor SameSite stops it.
/// </summary>
internal sealed class SameOriginRequired
{
    public static readonly SameOriginRequired Instance = new();

    private SameOriginRequired()
    {
    }
}
