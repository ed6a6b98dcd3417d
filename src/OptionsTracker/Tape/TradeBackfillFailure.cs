namespace OptionsTracker.Tape;

/// <summary>
/// A coin (Bybit) or currency (Deribit) whose trade backfill failed: how many times in a row, the last one's time and
/// reason. Every venue's trade feed reports its failures in /health with <see cref="Describe"/>.
/// </summary>
public sealed record TradeBackfillFailure(string Coin, int InARow, DateTimeOffset At, string Reason)
{
    /// <summary>
    /// What /health says of <paramref name="failures"/> (null when there are none); <paramref name="venueName"/> names the
    /// venue in the sentence when the coin alone would not (Bybit's sentence predates the second venue and names none).
    /// </summary>
    public static string? Describe(IReadOnlyList<TradeBackfillFailure> failures, string? venueName) =>
        failures.Count == 0 ? null : string.Join("; ", failures.Select(f =>
            $"the {(venueName is null ? "" : venueName + " ")}trade backfill of {f.Coin} failed{(f.InARow > 1 ? $" {f.InARow} times in a row" : "")} (last at {f.At:HH:mm:ss} UTC: {f.Reason}): trades made while its connection was down may be missing from the tape"));
}
