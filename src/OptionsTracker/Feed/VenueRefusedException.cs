namespace OptionsTracker.Feed;

/// <summary>
/// The venue refused a request for good (Bybit: a parameter error, retCode 10001): asking again would fail the same way,
/// so the feed reports the coin as refused instead of retrying. The venue has logged the request.
/// </summary>
public sealed class VenueRefusedException(string message, Exception? innerException = null) : Exception(message, innerException);
