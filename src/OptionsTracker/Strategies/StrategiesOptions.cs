using System.ComponentModel.DataAnnotations;

namespace OptionsTracker.Strategies;

/// <summary>The named strategies' library (docs/strategies.md, "Saved strategies").</summary>
public sealed class StrategiesOptions
{
    public const string Section = "Strategies";

    /// <summary>The state folder when <c>Tracker:AssetsFile</c> is not set (its default is <c>state/assets.json</c>).</summary>
    public const string DefaultFolder = "state";

    /// <summary>
    /// Where the saved strategies are kept without Redis (relative to the content root). Empty = <c>strategies.json</c>
    /// in the folder of <c>Tracker:AssetsFile</c> (<c>state/strategies.json</c>), so all of a tracker's state is one folder.
    /// With <c>Store:Redis</c> they are kept in Redis instead, shared by every instance.
    /// </summary>
    public string? File { get; set; }

    /// <summary>
    /// The most strategies the library holds: a list for a person to pick from, not a database. Saving a new name
    /// beyond it is refused (409) until one is deleted; replacing a saved one is always allowed.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxCount { get; set; } = 500;
}
