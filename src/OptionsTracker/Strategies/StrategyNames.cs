using System.Globalization;

namespace OptionsTracker.Strategies;

/// <summary>What a saved strategy may be called: the one rule for the API, the file and Redis.</summary>
public static class StrategyNames
{
    /// <summary>Why <paramref name="name"/> cannot name a strategy, or null when it can.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return "A strategy needs a name.";
        if (name.Length > SavedStrategy.MaxNameLength)
            return $"A name has at most {SavedStrategy.MaxNameLength} characters; this one has {name.Length}.";
        if (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1]))
            return "A name does not begin or end with a space.";
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            // Control and format characters (tabs, newlines, bidirectional overrides) would make one name look like
            // another, or break the CSV and the log line it is written into; a slash cannot travel in the URL's path.
            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format)
                return $"A name holds no control or format characters (U+{(int)c:X4} at {i}).";
            if (c is '/' or '\\')
                return "A name holds no slash: it is part of the strategy's URL.";
            if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
                && !(char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(name[i - 1])))
                return $"A name is valid text (a lone surrogate at {i}).";
        }
        return null;
    }

    /// <summary>Names are unique case-insensitively: the key under which a name is kept (Redis's hash field).</summary>
    public static string Key(string name) => name.ToUpperInvariant();

    /// <summary>How names compare: the same as <see cref="Key"/>.</summary>
    public static StringComparer Comparer => StringComparer.OrdinalIgnoreCase;
}

/// <summary>What makes a stored strategy usable: the one check for the file and Redis.</summary>
public static class SavedStrategies
{
    /// <summary>Why a strategy read back from storage cannot be used (edited by hand, or written by a newer version), or null.</summary>
    public static string? Problem(SavedStrategy strategy)
    {
        if (StrategyNames.Problem(strategy.Name) is { } problem)
            return $"'{strategy.Name}': {problem}";
        if (strategy.Legs is null || strategy.Legs.Count == 0 || strategy.Legs.Any(l => l is null))
            return $"'{strategy.Name}' has no legs";
        return null;
    }
}
