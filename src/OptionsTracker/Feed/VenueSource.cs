namespace OptionsTracker.Feed;

/// <summary>
/// One configured venue's addresses, which the history says it was recorded from (History's <c>HistorySource</c>):
/// each venue's feature registration (<c>AddBybit</c>, <c>AddDeribit</c>) registers its own, in every role, so the
/// history names every venue without knowing any, and the composition root names none.
/// </summary>
public sealed record VenueSource(string Venue, IReadOnlyList<Uri> Urls);
