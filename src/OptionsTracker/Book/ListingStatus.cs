namespace OptionsTracker.Book;

/// <summary>
/// Where an option is in its life on its venue, in the book's own words: each venue maps its status names to these
/// (Bybit's in <c>Bybit/BybitListingStatus.cs</c>). The names are the API's and the Redis hash's <c>status</c> (the
/// original tool's, which were Bybit's). What each means here:
/// <list type="bullet">
/// <item><see cref="PreLaunch"/>: listed but not trading yet. It is in the book and the API (status "PreLaunch") so a
/// new expiry shows up as soon as Bybit lists it, but its ticker topic is not subscribed: whether a PreLaunch topic
/// carries data is undocumented, and a topic that may be refused or stay silent must never hold a connection or
/// <c>/health</c> back. It is never counted as missing data. The instrument refresh that sees it Trading subscribes it
/// and reads its snapshot.</item>
/// <item><see cref="Trading"/>: subscribed and quoted.</item>
/// <item><see cref="Delivering"/>: delivered (08:00 UTC). Unsubscribed, it keeps its last values and gains its
/// settlement price from <c>/v5/market/delivery-price</c>; it stays visible until the first instrument refresh after
/// Bybit stops listing it, and at the latest until the first refresh after 12:00 UTC of its delivery day (Bybit lists
/// Delivering options from 08:00 to 12:00 UTC, market/delivery-price.mdx).</item>
/// </list>
/// Trading is the default (0): a slot made without a status trades.
/// </summary>
public enum ListingStatus : byte
{
    Trading,
    PreLaunch,
    Delivering,
}

public static class ListingStatuses
{
    /// <summary>The status as the API and the Redis hash write it.</summary>
    public static string Name(ListingStatus status) => status switch
    {
        ListingStatus.PreLaunch => "PreLaunch",
        ListingStatus.Delivering => "Delivering",
        _ => "Trading",
    };

    /// <summary>A status read back from its <see cref="Name"/>; anything else (absent, unknown) is Trading.</summary>
    public static ListingStatus FromName(string? name) => name switch
    {
        "PreLaunch" => ListingStatus.PreLaunch,
        "Delivering" => ListingStatus.Delivering,
        _ => ListingStatus.Trading,
    };

    /// <summary>
    /// What an option is at <paramref name="now"/>: Delivering once its delivery time has come, whatever the last
    /// listing said (the listing is read every few minutes; the clock decides at the instant).
    /// </summary>
    public static ListingStatus At(OptionInstrument instrument, DateTimeOffset now) =>
        instrument.ExpiryUtc <= now ? ListingStatus.Delivering : instrument.Status;

    /// <summary>
    /// How long the tracker shows a delivered option: until 4 hours after delivery (12:00 UTC of an 08:00 UTC delivery
    /// day). The tracker's own window, used by the feed and by web instances reading Redis alike; it is Bybit's listing
    /// window (Bybit lists Delivering options from 08:00 to 12:00 UTC, market/delivery-price.mdx), so a Bybit option
    /// leaves when Bybit stops listing it. A venue with another window would need it per venue (issue 19).
    /// </summary>
    public static DateTimeOffset DeliveringUntil(OptionInstrument instrument) => instrument.ExpiryUtc.AddHours(4);
}
