namespace OptionsTracker.Simulator;

/// <summary>
/// Bybit's option expiries, all at 08:00 UTC: the next 3 days, the next 4 Fridays, the last Fridays of the next 3 months
/// and of the next 3 quarter months (Mar, Jun, Sep, Dec). A date that is several kinds takes the coarsest.
/// </summary>
internal static class ExpiryCalendar
{
    /// <summary>An expiry must be at least this far away to be listed, so a fresh board never delivers at once.</summary>
    private static readonly TimeSpan MinimumLife = TimeSpan.FromMinutes(10);

    public static IReadOnlyList<(DateTimeOffset DeliveryTime, ExpiryKind Kind)> Expiries(DateTimeOffset now)
    {
        var kinds = new SortedDictionary<DateTimeOffset, ExpiryKind>();
        void Add(DateTimeOffset time, ExpiryKind kind)
        {
            if (!kinds.TryGetValue(time, out var existing) || existing < kind)
                kinds[time] = kind;
        }

        DateTimeOffset first = At0800(now.UtcDateTime.Date);
        while (first - now < MinimumLife)
            first = first.AddDays(1);

        for (int i = 0; i < 3; i++)
            Add(first.AddDays(i), ExpiryKind.Daily);

        var friday = first;
        while (friday.DayOfWeek != DayOfWeek.Friday)
            friday = friday.AddDays(1);
        for (int i = 0; i < 4; i++)
            Add(friday.AddDays(7 * i), ExpiryKind.Weekly);

        int monthly = 0;
        int quarterly = 0;
        for (var month = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc); monthly < 3 || quarterly < 3; month = month.AddMonths(1))
        {
            var last = LastFriday(month);
            if (last < first)
                continue;
            if (month.Month % 3 == 0 && quarterly < 3)
            {
                Add(last, ExpiryKind.Quarterly);
                quarterly++;
            }

            if (monthly < 3)
            {
                Add(last, ExpiryKind.Monthly);
                monthly++;
            }
        }

        return [.. kinds.Select(pair => (pair.Key, pair.Value))];
    }

    public static DateTimeOffset LastFriday(DateTime monthStart)
    {
        var day = new DateTime(monthStart.Year, monthStart.Month, DateTime.DaysInMonth(monthStart.Year, monthStart.Month), 0, 0, 0, DateTimeKind.Utc);
        while (day.DayOfWeek != DayOfWeek.Friday)
            day = day.AddDays(-1);
        return At0800(day);
    }

    private static DateTimeOffset At0800(DateTime date) =>
        new(date.Year, date.Month, date.Day, 8, 0, 0, TimeSpan.Zero);
}
