namespace OptionsTracker.Book;

/// <summary>
/// Where an option is in its life on the exchange (instruments-info <c>status</c>, docs/v5/enum.mdx: PreLaunch, Trading,
/// Delivering, Closed). What each means here:
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
    /// <summary>
    /// The exchange's status text: <c>PreLaunch</c>, <c>Delivering</c> (also <c>Closed</c>, and the changelog's older
    /// <c>Settling</c>/<c>Deliverying</c>: all past trading), anything else Trading.
    /// </summary>
    public static ListingStatus Parse(string? status) => status switch
    {
        "PreLaunch" => ListingStatus.PreLaunch,
        "Delivering" or "Closed" or "Settling" or "Deliverying" => ListingStatus.Delivering,
        _ => ListingStatus.Trading,
    };

    /// <summary>The status as the API writes it (the exchange's words).</summary>
    public static string Name(ListingStatus status) => status switch
    {
        ListingStatus.PreLaunch => "PreLaunch",
        ListingStatus.Delivering => "Delivering",
        _ => "Trading",
    };

    /// <summary>
    /// What an option is at <paramref name="now"/>: Delivering once its delivery time has come, whatever the last
    /// listing said (the listing is read every few minutes; the clock decides at the instant).
    /// </summary>
    public static ListingStatus At(OptionInstrument instrument, DateTimeOffset now) =>
        instrument.ExpiryUtc <= now ? ListingStatus.Delivering : Parse(instrument.Status);

    /// <summary>12:00 UTC of the delivery day: Bybit lists a delivered option as Delivering until then.</summary>
    public static DateTimeOffset DeliveringUntil(OptionInstrument instrument) => instrument.ExpiryUtc.AddHours(4);
}
