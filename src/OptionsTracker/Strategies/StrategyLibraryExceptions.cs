namespace OptionsTracker.Strategies;

/// <summary>Saving a new name would take the library past <see cref="StrategiesOptions.MaxCount"/>: nothing was saved.</summary>
public sealed class StrategyLibraryFullException(int maxCount)
    : Exception($"The library holds its limit of {maxCount} strategies; delete one, or save under a name already used.")
{
    public int MaxCount { get; } = maxCount;
}

/// <summary>The library's storage (its file, or Redis) cannot be read or written now: nothing was changed.</summary>
public sealed class StrategyLibraryUnavailableException(string message, Exception inner) : Exception(message, inner);
