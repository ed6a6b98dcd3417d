namespace OptionsTracker.Strategies;

/// <summary>
/// A strategy a user saved under a name: what to rebuild it from (the legs by symbol and the evaluation's choices), never
/// its figures, which are recomputed on the live board when it is opened. The same shape as the builder's URL and as
/// <c>POST /api/strategy/evaluate</c>'s body, so a saved strategy, a shared link and an API call mean one thing.
/// </summary>
public sealed record SavedStrategy
{
    /// <summary>Longest name accepted: a label for a list, not a document.</summary>
    public const int MaxNameLength = 80;

    /// <summary>The user's name for it; unique, case-insensitively, within the library.</summary>
    public required string Name { get; init; }

    /// <summary>The base coin of its legs (BTC).</summary>
    public required string Asset { get; init; }

    public required IReadOnlyList<SavedLeg> Legs { get; init; }

    /// <summary><c>sticky_strike</c> or <c>sticky_delta</c>; null for the evaluator's default.</summary>
    public string? VolModel { get; init; }

    /// <summary><c>touch</c> or <c>mark</c>; null for the evaluator's default.</summary>
    public string? Entry { get; init; }

    /// <summary>When it was last saved.</summary>
    public required DateTimeOffset SavedAt { get; init; }
}

/// <summary>One saved leg: an option by its venue's <see cref="Symbol"/>, or the underlying at an expiry's <see cref="Forward"/> (26DEC25).</summary>
public sealed record SavedLeg
{
    public string? Symbol { get; init; }
    public string? Forward { get; init; }

    /// <summary>The leg's venue id (<c>bybit</c>); null for the first venue listing the symbol.</summary>
    public string? Venue { get; init; }

    public required LegSide Side { get; init; }
    public required double Quantity { get; init; }
}

/// <summary>
/// The named strategies, shared by every dashboard session and API client of the deployment: a file in the state folder
/// by default, Redis when configured (so every instance of a scaled-out deployment sees the same list).
/// </summary>
public interface IStrategyLibrary
{
    /// <summary>Every saved strategy, by name.</summary>
    Task<IReadOnlyList<SavedStrategy>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The strategy saved under <paramref name="name"/> (any case); null when there is none.</summary>
    Task<SavedStrategy?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Saves it, replacing one of the same name (any case).</summary>
    Task SaveAsync(SavedStrategy strategy, CancellationToken cancellationToken);

    /// <summary>Removes the strategy of that name; false when there was none.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}
