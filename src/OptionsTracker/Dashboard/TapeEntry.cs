using OptionsTracker.Tape;

namespace OptionsTracker.Dashboard;

/// <summary>
/// One line of the tape: a single trade, or a block with all its legs (the trades sharing a <see cref="Trade.BlockId"/>,
/// in exchange order). A block without a block id (the venue flagged it but named no block) is a block of one leg.
/// </summary>
public sealed record TapeEntry(IReadOnlyList<Trade> Legs)
{
    /// <summary>The first leg (the trade of a single line).</summary>
    public Trade Lead => Legs[0];

    public bool IsBlock => Legs.Any(t => t.IsBlock) || Lead.BlockId is not null;

    public string? BlockId => Lead.BlockId;

    /// <summary>Σ premium of the legs, USD.</summary>
    public double PremiumUsd => Legs.Sum(t => t.PremiumUsd);

    /// <summary>Σ size of the legs, contracts.</summary>
    public double Size => Legs.Sum(t => t.Size);

    /// <summary>
    /// Groups trades (newest first) into lines, newest first: every leg of a block joins the line of the block's newest
    /// leg, wherever the others fall (legs of one block may be printed apart by other trades).
    /// </summary>
    public static IReadOnlyList<TapeEntry> Group(IReadOnlyList<Trade> newestFirst)
    {
        var lines = new List<List<Trade>>(newestFirst.Count);
        Dictionary<string, List<Trade>>? blocks = null;
        foreach (var trade in newestFirst)
        {
            if (trade.BlockId is { } blockId)
            {
                blocks ??= new Dictionary<string, List<Trade>>(StringComparer.Ordinal);
                if (blocks.TryGetValue(blockId, out var legs))
                {
                    legs.Add(trade);
                    continue;
                }
                blocks[blockId] = legs = [trade];
                lines.Add(legs);
                continue;
            }
            lines.Add([trade]);
        }
        return [.. lines.Select(legs =>
        {
            if (legs.Count > 1)
                legs.Sort(Trade.CompareByExchangeOrder);
            return new TapeEntry(legs);
        })];
    }
}
