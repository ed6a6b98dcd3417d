using System.Threading.Channels;
using OptionsTracker.Book;

namespace OptionsTracker.Feed;

/// <summary>
/// One exchange the feed collects options from (Bybit today). The feed decides what to track (the coins, the configured
/// filter, the book's adds and removes, delivery at expiry); the venue owns how: its protocol, symbol format, parser,
/// limits, retry policy (including its bans), connections and settlement prices. It writes quotes to the book itself
/// (snapshots, the stream), never instruments. Registered only by the composition root, as <see cref="IVenue"/>.
/// </summary>
public interface IVenue
{
    /// <summary>The venue's key (<see cref="Venue.Bybit"/>): every instrument it lists carries it.</summary>
    Venue Id { get; }

    /// <summary>The venue's name for people (<c>"Bybit"</c>), as health and the dashboard say it.</summary>
    string Name { get; }

    /// <summary>Where its requests go (for messages).</summary>
    Uri RestUrl { get; }

    /// <summary>Where its stream comes from (for messages).</summary>
    Uri StreamUrl { get; }

    /// <summary>
    /// Every option the venue lists for <paramref name="coin"/>, with its listing status. Retries by the venue's policy
    /// until it answers (failures show in <see cref="GetStatus"/>); an empty list means the venue lists none.
    /// Throws <see cref="VenueRefusedException"/> when the venue refuses the request for good.
    /// </summary>
    Task<IReadOnlyList<OptionInstrument>> ListInstrumentsAsync(string coin, CancellationToken cancellationToken);

    /// <summary>
    /// One attempt at the list, for a periodic refresh: null when it failed (the venue logged and reported why; the caller
    /// asks again at its next refresh).
    /// </summary>
    Task<IReadOnlyList<OptionInstrument>?> TryListInstrumentsAsync(string coin, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the coin's quote snapshot and applies it to the book (never replacing a newer quote). Retries like
    /// <see cref="ListInstrumentsAsync"/>; throws <see cref="VenueRefusedException"/> when refused for good.
    /// </summary>
    Task LoadSnapshotAsync(string coin, CancellationToken cancellationToken);

    /// <summary>Subscribes the quotes of these options (already in the book). Returns at once; connections open in the background.</summary>
    void Track(IEnumerable<OptionInstrument> instruments);

    /// <summary>Unsubscribes these options; a connection left without any closes.</summary>
    void Untrack(IEnumerable<OptionInstrument> instruments);

    /// <summary>
    /// Asks the venue for the settlement price of delivered options in the book still without one and applies those it
    /// has. Returns when it wants to be asked again (<see cref="DateTimeOffset.MaxValue"/> when none is missing).
    /// </summary>
    Task<DateTimeOffset> SettleAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether the venue lists options for <paramref name="coin"/> (asked before a user adds one). Fails at once rather
    /// than waiting out a ban, so a page never hangs.
    /// </summary>
    Task<bool> ListsOptionsAsync(string coin, CancellationToken cancellationToken);

    /// <summary>
    /// The venue's own work while the feed collects (e.g. re-reading snapshots after its connections came back); ends
    /// when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Closes every connection and forgets every subscription: another collector feeds the book now.</summary>
    Task StopAsync();

    /// <summary>Where the venue stands, in terms the feed's health verdict understands.</summary>
    VenueStatus GetStatus();

    /// <summary>
    /// Coins whose listing the venue heard change on its stream (an option listed or ended): the feed refreshes each at
    /// once (<see cref="TryListInstrumentsAsync"/>) instead of at its next periodic refresh. Null (the default): the venue
    /// announces none, and the periodic refresh alone follows its listings.
    /// </summary>
    ChannelReader<string>? ListingChanges => null;
}
