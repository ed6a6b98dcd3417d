namespace OptionsTracker.Dashboard;

/// <summary>The table's columns and the original tool's presets. Keys are stored in the browser: keep them stable.</summary>
public static class Columns
{
    public static readonly IReadOnlyList<(string Key, string Title)> All =
    [
        ("symbol", "Symbol"), ("type", "Type"), ("strike", "Strike"), ("expiry", "Expiry"),
        ("last", "Last"), ("mark", "Mark"), ("bid", "Bid"), ("ask", "Ask"), ("volume", "Volume"), ("oi", "OI"),
        ("delta", "Delta"), ("gamma", "Gamma"), ("theta", "Theta"), ("vega", "Vega"), ("iv", "IV"), ("underlying", "Underlying"),
        ("change", "24h change"),
    ];

    public static readonly IReadOnlyList<(string Key, string Title, string[] Columns)> Presets =
    [
        ("basic", "Basic", ["symbol", "type", "strike", "expiry", "last", "mark", "volume", "oi", "iv"]),
        ("trader", "Trader", ["symbol", "type", "strike", "expiry", "mark", "bid", "ask", "volume", "oi", "delta", "iv", "underlying"]),
        ("greeks", "Greeks", ["symbol", "type", "strike", "expiry", "mark", "delta", "gamma", "theta", "vega", "iv"]),
        ("all", "All", [.. All.Select(c => c.Key)]),
    ];

    public static HashSet<string> Default => [.. All.Select(c => c.Key)];

    /// <summary>Reads a stored comma list, keeping known keys only; null when nothing usable was stored.</summary>
    public static HashSet<string>? Parse(string? stored)
    {
        if (string.IsNullOrWhiteSpace(stored))
            return null;
        var known = All.Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var keys = stored.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(known.Contains).ToHashSet(StringComparer.Ordinal);
        return keys.Count == 0 ? null : keys;
    }
}

/// <summary>
/// The table's sort as the address writes it (<c>sort=iv</c>, <c>sort=-volume</c>): a column key, with a leading '-' for
/// descending. Anything else reads as the default, volume descending.
/// </summary>
public readonly record struct TableSort(string Column, bool Descending)
{
    public static readonly TableSort Default = new("volume", true);

    public static TableSort Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return Default;
        var descending = text.StartsWith('-');
        var key = descending ? text[1..] : text;
        return Columns.All.Any(c => c.Key == key) ? new TableSort(key, descending) : Default;
    }

    public static TableSort OfTitle(string? title, bool ascending) =>
        Columns.All.FirstOrDefault(c => c.Title == title) is { Key: { } key } ? new TableSort(key, !ascending) : Default;

    public override string ToString() => (Descending ? "-" : "") + Column;
}
