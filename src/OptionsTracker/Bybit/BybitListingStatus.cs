using OptionsTracker.Book;

namespace OptionsTracker.Bybit;

/// <summary>Bybit's instruments-info <c>status</c> words (docs/v5/enum.mdx) as the book's <see cref="ListingStatus"/>.</summary>
public static class BybitListingStatus
{
    /// <summary>
    /// <c>PreLaunch</c>, <c>Delivering</c> (also <c>Closed</c>, and the changelog's older <c>Settling</c>/<c>Deliverying</c>:
    /// all past trading), anything else Trading.
    /// </summary>
    public static ListingStatus Parse(string? status) => status switch
    {
        "PreLaunch" => ListingStatus.PreLaunch,
        "Delivering" or "Closed" or "Settling" or "Deliverying" => ListingStatus.Delivering,
        _ => ListingStatus.Trading,
    };
}
