namespace OptionsTracker.History;

/// <summary>
/// One collected venue's addresses, which the history says it was recorded from (<see cref="HistorySource"/>): registered
/// by the composition root next to each venue it configures, so the history names every venue without knowing any.
/// </summary>
public sealed record VenueSource(string Venue, IReadOnlyList<Uri> Urls);
