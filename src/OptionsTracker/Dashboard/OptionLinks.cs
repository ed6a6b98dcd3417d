using Microsoft.AspNetCore.Components;

namespace OptionsTracker.Dashboard;

/// <summary>
/// The address that opens one option's detail: the current view with <c>option=SYMBOL</c>. A plain link rather than a
/// click handler, so a chain cell or a table symbol opens the detail before the circuit is interactive (a full load of
/// that address), can be opened in a new tab or shared, and costs the renderer no event handler per cell. The links
/// are kept per symbol until the address changes: the chain asks for hundreds on every render. Owned by one component.
/// </summary>
public sealed class OptionLinks(NavigationManager navigation)
{
    public const string Parameter = "option";

    private readonly Dictionary<string, string> _hrefs = new(StringComparer.Ordinal);
    private string? _uri;
    private string _base = "";

    public string Href(string symbol)
    {
        var uri = navigation.Uri;
        if (!string.Equals(uri, _uri, StringComparison.Ordinal))
        {
            _uri = uri;
            var withoutOption = navigation.GetUriWithQueryParameter(Parameter, (string?)null);
            _base = withoutOption + (withoutOption.Contains('?', StringComparison.Ordinal) ? "&" : "?") + Parameter + "=";
            _hrefs.Clear();
        }
        if (!_hrefs.TryGetValue(symbol, out var href))
            _hrefs[symbol] = href = _base + Uri.EscapeDataString(symbol);
        return href;
    }
}
