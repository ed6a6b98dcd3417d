using Microsoft.AspNetCore.Http.HttpResults;
using OptionsTracker.Book;
using OptionsTracker.Feed;

namespace OptionsTracker.Api;

/// <summary>
/// What every API handler needs to read the book: the book, the clock, and which asset names exist. Those are the
/// enabled tracked coins, the same set the feed follows and the dashboard shows: a coin just added answers with an empty
/// list while it loads, and a coin disabled or removed answers 404 at once, like an unknown one, even while its options
/// are still leaving the book; and which venues exist.
/// </summary>
public sealed class BookReader(IOptionStore store, TrackedAssets tracked, TimeProvider time, KnownVenues venues)
{
    public OptionBook Book => store.Book;

    /// <summary>The venues a <c>venue</c> parameter may name, in preference order.</summary>
    public KnownVenues Venues => venues;

    public DateTimeOffset Now => time.GetUtcNow();

    public TimeProvider Time => time;

    /// <summary>Resolves an asset name case-insensitively; <paramref name="coin"/> is null while it has no options.</summary>
    public bool TryResolveAsset(BookIndex index, string? asset, out string name, out CoinIndex? coin)
    {
        name = "";
        coin = null;
        if (string.IsNullOrEmpty(asset) || asset.Length > 32 || tracked.FindEnabled(asset) is not { } enabled)
            return false;
        name = enabled;
        if (index.TryGetCoin(enabled, out var found))
            coin = found;
        return true;
    }

    /// <summary>The 404 for <paramref name="asset"/>, naming the tracked assets (<paramref name="index"/> is not consulted: the set decides).</summary>
    public ProblemHttpResult UnknownAsset(BookIndex index, string? asset) => TypedResults.Problem(
        title: "Unknown asset",
        detail: $"'{QueryErrors.Echo(asset ?? "")}' is not a tracked asset. Tracked assets: {string.Join(", ", KnownAssets())}.",
        statusCode: StatusCodes.Status404NotFound);

    /// <summary>The enabled tracked coins, in order.</summary>
    public IReadOnlyList<string> KnownAssets() => [.. tracked.Enabled.Order(StringComparer.Ordinal)];
}
