using OptionsTracker.Book;

namespace OptionsTracker.Api;

/// <summary>
/// The read path shared by every option endpoint: walk only the coin (and expiry) index asked for, copy the
/// quotes that pass the filter, order, page.
/// </summary>
internal static class OptionSelection
{
    /// <summary>
    /// The coin's options on <paramref name="venue"/> only, as a coin index of their own, so every count and figure an
    /// endpoint computes from it (expiries, strikes, the summary's totals, ATM, max pain) is that venue's; the coin as it
    /// is without a venue (every venue together).
    /// </summary>
    public static CoinIndex? OfVenue(CoinIndex? coin, Venue? venue) =>
        coin is null || venue is not { } only || coin.Slots.All(s => s.Instrument.Venue == only)
            ? coin
            : new CoinIndex(coin.BaseCoin, [.. coin.Slots.Where(s => s.Instrument.Venue == only)]);

    /// <summary>The slots of a coin, narrowed to one expiry when the filter names one (none if it is not listed).</summary>
    public static IReadOnlyList<OptionSlot> SlotsOf(CoinIndex coin, DateOnly? expiry)
    {
        if (expiry is not { } date)
            return coin.Slots;
        foreach (var candidate in coin.Expiries)
        {
            if (candidate.Date == date)
                return candidate.Slots;
        }
        return [];
    }

    public static void Collect(CoinIndex coin, OptionFilter filter, RowBuffer rows)
    {
        foreach (var slot in SlotsOf(coin, filter.Expiry))
        {
            if (!filter.Matches(slot.Instrument))
                continue;
            var row = OptionRow.Read(slot);
            if (filter.Matches(row.Quote))
                rows.Add(row);
        }
    }

    /// <summary>Every coin of the index, or the one given.</summary>
    public static void Collect(BookIndex index, CoinIndex? coin, OptionFilter filter, RowBuffer rows)
    {
        if (coin is not null)
        {
            Collect(coin, filter, rows);
            return;
        }
        foreach (var name in index.Coins)
        {
            if (index.TryGetCoin(name, out var each))
                Collect(each, filter, rows);
        }
    }

    /// <summary>
    /// The rows a list request asks for: collected from <paramref name="coin"/> (or every coin when
    /// <paramref name="allCoins"/>; none when neither), filtered, ordered, and the page of them to write.
    /// </summary>
    public static (RowBuffer Rows, RowPage Page) Select(BookIndex index, CoinIndex? coin, bool allCoins, OptionFilter filter, ListSpec list, DateTimeOffset now)
    {
        var rows = BufferFor(index, coin);
        if (coin is not null || allCoins)
            Collect(index, coin, filter, rows);
        return (rows, OrderAndPage(rows, list, now));
    }

    /// <summary>Orders the rows as the request asks and returns the page of them to write.</summary>
    public static RowPage OrderAndPage(RowBuffer rows, ListSpec list, DateTimeOffset now)
    {
        Order(rows, list.Sort, list.Descending, now);
        return RowPage.Of(rows.Count, list.Offset, list.Limit);
    }

    /// <summary>A buffer sized for the options of <paramref name="coin"/>, or of the whole index.</summary>
    public static RowBuffer BufferFor(BookIndex index, CoinIndex? coin) => new(coin?.Slots.Count ?? index.Count);

    /// <summary>
    /// Orders by <paramref name="field"/> in place (stable: equal keys keep the index order of coin, expiry, strike,
    /// type). Missing values sort last in either direction.
    /// </summary>
    private static void Order(RowBuffer rows, OptionField? field, bool descending, DateTimeOffset now)
    {
        if (field is not { } sortField || rows.Count < 2)
            return;

        var count = rows.Count;
        var order = new int[count];
        for (var i = 0; i < order.Length; i++)
            order[i] = i;

        if (OptionFields.IsText(sortField))
        {
            var keys = new string[count];
            for (var i = 0; i < keys.Length; i++)
                keys[i] = OptionFields.TextOf(sortField, rows[i]);
            Array.Sort(order, (a, b) =>
            {
                var c = string.CompareOrdinal(keys[a], keys[b]);
                if (descending)
                    c = -c;
                return c != 0 ? c : a.CompareTo(b);
            });
        }
        else
        {
            var keys = new double[count];
            for (var i = 0; i < keys.Length; i++)
                keys[i] = OptionFields.SortKey(sortField, rows[i], now);
            Array.Sort(order, (a, b) =>
            {
                var c = CompareNumbers(keys[a], keys[b], descending);
                return c != 0 ? c : a.CompareTo(b);
            });
        }
        rows.Permute(order);
    }

    private static int CompareNumbers(double a, double b, bool descending)
    {
        var aMissing = !double.IsFinite(a);
        var bMissing = !double.IsFinite(b);
        if (aMissing || bMissing)
            return aMissing == bMissing ? 0 : aMissing ? 1 : -1;
        var c = a.CompareTo(b);
        return descending ? -c : c;
    }
}

/// <summary>The part of the ordered rows a request pages to: <c>offset</c>, then at most <c>limit</c> rows.</summary>
internal readonly record struct RowPage(int Start, int Count)
{
    public static RowPage Of(int total, int offset, int? limit)
    {
        if (offset >= total)
            return new RowPage(0, 0);
        return new RowPage(offset, Math.Min(total - offset, limit ?? int.MaxValue));
    }
}
