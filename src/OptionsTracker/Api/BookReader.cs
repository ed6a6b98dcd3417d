using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Feed;

namespace OptionsTracker.Api;

/// <summary>
/// What every API handler needs to read the book: the book, the clock, and which asset names exist (those
/// in the book plus those configured but still loading, which answer with an empty list rather than 404), and which
/// venues exist.
/// </summary>
public sealed class BookReader(IOptionStore store, IOptions<TrackerOptions> tracker, TimeProvider time, KnownVenues venues)
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
        if (string.IsNullOrEmpty(asset) || asset.Length > 32)
            return false;
        if (index.TryGetCoin(asset, out var found))
        {
            coin = found;
            name = found.BaseCoin;
            return true;
        }
        foreach (var configured in tracker.Value.Assets)
        {
            if (configured.Equals(asset, StringComparison.OrdinalIgnoreCase))
            {
                name = configured;
                return true;
            }
        }
        return false;
    }

    public ProblemHttpResult UnknownAsset(BookIndex index, string? asset) => TypedResults.Problem(
        title: "Unknown asset",
        detail: $"'{QueryErrors.Echo(asset ?? "")}' is not a tracked asset. Tracked assets: {string.Join(", ", KnownAssets(index))}.",
        statusCode: StatusCodes.Status404NotFound);

    public IReadOnlyList<string> KnownAssets(BookIndex index) =>
        [.. index.Coins.Union(tracker.Value.Assets, StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal)];
}
