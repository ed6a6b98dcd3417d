using System.Diagnostics.CodeAnalysis;

namespace OptionsTracker.Security;

/// <summary>
/// Where the sign-in form may send the browser afterwards: only a path on this site. The rules are
/// <c>Url.IsLocalUrl</c>'s (a single leading <c>/</c>, not <c>//</c> or <c>/\</c>) made stricter: no control
/// character and no backslash anywhere, because browsers drop tabs and newlines from a URL and read <c>\</c>
/// as <c>/</c>, so <c>/\t/example.com</c> and <c>/x/..\\..\\</c>-style tricks would otherwise become
/// <c>//example.com</c>, another site.
/// </summary>
internal static class ReturnUrl
{
    public static bool IsLocal([NotNullWhen(true)] string? url)
    {
        if (url is not { Length: > 0 } || url[0] != '/')
            return false;
        if (url.Length > 1 && url[1] is '/' or '\\')
            return false;
        foreach (var c in url)
        {
            if (char.IsControl(c) || c == '\\')
                return false;
        }
        return true;
    }

    /// <summary><paramref name="url"/> when it is local, else the dashboard's root.</summary>
    public static string Safe(string? url) => IsLocal(url) ? url : "/";
}
