using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// The meaning of <see cref="IHistoryStore"/>, checked on every store: each store's test class derives from this one
/// and says how to make a store over storage of its own (a DuckDB file in a temporary directory, a PostgreSQL database).
/// Nothing here knows which store it tests.
/// </summary>
public abstract class HistoryStoreContract : IAsyncLifetime
{
    protected static readonly HistorySource Bybit = new("bybit", ["https://api.bybit.com/", "wss://stream.bybit.com/v5/public/option"]);
    protected static readonly HistorySource Simulator = new("simulator", []);

    /// <summary>A fixed instant (UTC, whole minute) the tests' snapshots are timed from.</summary>
    protected static readonly DateTimeOffset T0 = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);

    protected static readonly DateOnly Expiry1 = new(2026, 12, 25);
    protected static readonly DateOnly Expiry2 = new(2027, 3, 26);

    private readonly List<IHistoryStore> _stores = [];

    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>
    /// A store over this test's own storage, not opened: empty at the test's first call; a later call in the same test
    /// is the same storage opened again (a restart of the tracker). The contract disposes every store it made.
    /// </summary>
    protected abstract Task<IHistoryStore> CreateStoreAsync();

    /// <summary>Removes the test's storage once its stores are disposed.</summary>
    protected abstract ValueTask DeleteStorageAsync();

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
            await store.DisposeAsync();
        await DeleteStorageAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A new store over the test's storage, opened for <paramref name="source"/> (Bybit by default).</summary>
    protected async Task<IHistoryStore> OpenAsync(HistorySource? source = null)
    {
        var store = await CreateStoreAsync();
        _stores.Add(store);
        await store.OpenAsync(source ?? Bybit, Token);
        return store;
    }

    /// <summary>Disposes a store before the test ends (to reopen its storage).</summary>
    protected async Task CloseAsync(IHistoryStore store)
    {
        _stores.Remove(store);
        await store.DisposeAsync();
    }

    // ---- builders: synthetic instruments like Bybit's, quotes with exact decimal values and missing fields ----

    protected static readonly OptionInstrument[] Btc =
    [
        BookBuilder.Create("BTC", Expiry1, 90000m, 'C', 5, 0.01),
        BookBuilder.Create("BTC", Expiry1, 90000m, 'P', 5, 0.01),
        BookBuilder.Create("BTC", Expiry1, 100000m, 'C', 5, 0.01),
        BookBuilder.Create("BTC", Expiry1, 100000m, 'P', 5, 0.01),
        BookBuilder.Create("BTC", Expiry2, 110000m, 'C', 5, 0.01),
        BookBuilder.Create("BTC", Expiry2, 110000m, 'P', 5, 0.01),
    ];

    protected static readonly OptionInstrument[] Xrp =
    [
        BookBuilder.Create("XRP", Expiry1, 2.25m, 'C', 0.0001, 1),
        BookBuilder.Create("XRP", Expiry1, 2.25m, 'P', 0.0001, 1),
    ];

    /// <summary>
    /// A quote whose every field is a distinct decimal of the exchange's form (8 decimals), so a swapped or rounded
    /// field shows; fields where <c>(field + salt) % 7 == 3</c> are missing (NaN).
    /// </summary>
    protected static OptionQuote Quote(int salt, DateTimeOffset time, ListingStatus status = ListingStatus.Trading, double deliveryPrice = double.NaN)
    {
        var quote = new OptionQuote
        {
            ExchangeTimeMs = time.ToUnixTimeMilliseconds() - 250 - salt,
            ReceivedAtMs = time.ToUnixTimeMilliseconds() - 200 - salt,
            Status = status,
            DeliveryPrice = deliveryPrice,
        };
        for (var field = 0; field < QuoteFields.Count; field++)
        {
            quote.Values[field] = (field + salt) % 7 == 3
                ? double.NaN
                : Math.Round(field * 1000.123 + salt * 0.00012345 + (field == (int)QuoteField.Theta ? -5000 : 0), 8);
        }
        return quote;
    }

    /// <summary>A snapshot at <paramref name="time"/> of the given instruments, each quoted with <see cref="Quote"/> (salt = index + offset).</summary>
    protected static BoardSnapshot Snapshot(DateTimeOffset time, IEnumerable<OptionInstrument> instruments, int salt = 0, params RecordedMeasure[] measures)
    {
        var snapshot = new BoardSnapshot { Time = time };
        var i = 0;
        foreach (var instrument in instruments)
        {
            snapshot.Quotes.Add(new RecordedQuote(instrument, Quote(salt + i, time), Changed: true));
            if (!snapshot.Coins.Contains(instrument.BaseCoin))
                snapshot.Coins.Add(instrument.BaseCoin);
            i++;
        }
        snapshot.Measures.AddRange(measures);
        return snapshot;
    }

    protected static void AssertSameQuote(OptionQuote expected, OptionQuote actual)
    {
        Assert.Equal(expected.ExchangeTimeMs, actual.ExchangeTimeMs);
        Assert.Equal(expected.ReceivedAtMs, actual.ReceivedAtMs);
        Assert.Equal(expected.Status, actual.Status);
        AssertSameValue(expected.DeliveryPrice, actual.DeliveryPrice, "delivery price");
        for (var field = 0; field < QuoteFields.Count; field++)
            AssertSameValue(expected.Values[field], actual.Values[field], ((QuoteField)field).ToString());
    }

    /// <summary>Bit for bit: NaN must come back NaN (never 0 or null), a value exactly as written.</summary>
    protected static void AssertSameValue(double expected, double actual, string what) =>
        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual)
            || (double.IsNaN(expected) && double.IsNaN(actual)), $"{what}: expected {expected:R}, read {actual:R}");

    protected static void AssertSameInstrument(OptionInstrument expected, OptionInstrument actual)
    {
        Assert.Equal(expected.Venue, actual.Venue);
        Assert.Equal(expected.Symbol, actual.Symbol);
        Assert.Equal(expected.BaseCoin, actual.BaseCoin);
        Assert.Equal(expected.SettleCoin, actual.SettleCoin);
        Assert.Equal(expected.ExpiryUtc, actual.ExpiryUtc);
        Assert.Equal(expected.Strike, actual.Strike);
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.Status, actual.Status);
        AssertSameValue(expected.TickSize, actual.TickSize, "tick size");
        AssertSameValue(expected.QtyStep, actual.QtyStep, "qty step");
    }

    // ---- the contract ----

    [Fact]
    public async Task Snapshot_round_trips_every_field_NaN_status_and_delivery_price()
    {
        var store = await OpenAsync();
        var snapshot = Snapshot(T0, Btc.Concat(Xrp));
        // A delivered option with its settlement price, a pre-launch one never quoted (every value missing).
        snapshot.Quotes[0] = snapshot.Quotes[0] with { Quote = Quote(40, T0, ListingStatus.Delivering, 101234.56789012) };
        var never = OptionQuote.Empty;
        never.Status = ListingStatus.PreLaunch;
        snapshot.Quotes[1] = snapshot.Quotes[1] with { Quote = never };
        await store.WriteSnapshotAsync(snapshot, Token);

        // Read through a store opened again, so nothing comes from memory the writer kept.
        await CloseAsync(store);
        var reopened = await OpenAsync();
        var board = await reopened.BoardAtAsync("BTC", T0, Token);
        Assert.NotNull(board);
        Assert.Equal("BTC", board.Coin);
        Assert.Equal(T0, board.AsOf);
        Assert.Equal(Btc.Length, board.Quotes.Count);
        foreach (var written in snapshot.Quotes.Where(q => q.Instrument.BaseCoin == "BTC"))
        {
            var read = Assert.Single(board.Quotes, q => q.Instrument.Key == written.Instrument.Key);
            AssertSameInstrument(written.Instrument, read.Instrument);
            AssertSameQuote(written.Quote, read.Quote);
        }
        var xrp = await reopened.BoardAtAsync("XRP", T0, Token);
        Assert.NotNull(xrp);
        Assert.Equal(2.25m, xrp.Quotes[0].Instrument.Strike);
        AssertSameQuote(snapshot.Quotes[Btc.Length].Quote, xrp.Quotes.Single(q => q.Instrument.Key == Xrp[0].Key).Quote);
    }

    [Fact]
    public async Task Measures_round_trip_with_NaN_and_are_kept_per_coin()
    {
        var store = await OpenAsync();
        await store.WriteSnapshotAsync(Snapshot(T0, Btc.Concat(Xrp), 0,
            new RecordedMeasure("BTC", "atm_iv_30d", 0.4321), new RecordedMeasure("BTC", "rr25_30d", double.NaN),
            new RecordedMeasure("XRP", "atm_iv_30d", 0.9876)), Token);

        var btc = Assert.Single(await store.MeasureSeriesAsync("BTC", ["atm_iv_30d", "rr25_30d"], T0, T0, TimeSpan.Zero, Token));
        Assert.Equal(T0, btc.Time);
        Assert.Equal(0.4321, btc.Values[0]);
        Assert.True(double.IsNaN(btc.Values[1]));
        var xrp = Assert.Single(await store.MeasureSeriesAsync("XRP", ["atm_iv_30d"], T0, T0, TimeSpan.Zero, Token));
        Assert.Equal(0.9876, xrp.Values[0]);
    }

    [Fact]
    public async Task Writing_a_recorded_time_again_changes_nothing()
    {
        var store = await OpenAsync();
        await store.WriteSnapshotAsync(Snapshot(T0, Btc, 0, new RecordedMeasure("BTC", "atm_iv_30d", 0.5)), Token);
        // The retry of a write that did commit, with other values: the first stays, nothing is doubled.
        await store.WriteSnapshotAsync(Snapshot(T0, Btc, 77, new RecordedMeasure("BTC", "atm_iv_30d", 0.9)), Token);

        var range = await store.RangeAsync("BTC", Token);
        Assert.Equal(new RecordedRange(T0, T0, 1), range);
        var board = await store.BoardAtAsync("BTC", T0, Token);
        Assert.Equal(Btc.Length, board!.Quotes.Count);
        AssertSameQuote(Quote(0, T0), board.Quotes.Single(q => q.Instrument.Key == Btc[0].Key).Quote);
        var series = Assert.Single(await store.OptionSeriesAsync(Venue.Bybit, Btc[0].Symbol, [QuoteField.MarkPrice], T0, T0, TimeSpan.Zero, Token));
        AssertSameValue(Quote(0, T0).MarkPrice, series.Values[0], "mark price");
        var measure = Assert.Single(await store.MeasureSeriesAsync("BTC", ["atm_iv_30d"], T0, T0, TimeSpan.Zero, Token));
        Assert.Equal(0.5, measure.Values[0]);
    }

    [Fact]
    public async Task A_coin_added_to_a_recorded_time_is_written_and_the_recorded_one_kept()
    {
        var store = await OpenAsync();
        await store.WriteSnapshotAsync(Snapshot(T0, Btc), Token);
        await store.WriteSnapshotAsync(Snapshot(T0, Btc.Concat(Xrp), 50), Token);

        Assert.Equal(new RecordedRange(T0, T0, 1), await store.RangeAsync("BTC", Token));
        Assert.Equal(new RecordedRange(T0, T0, 1), await store.RangeAsync("XRP", Token));
        AssertSameQuote(Quote(0, T0), (await store.BoardAtAsync("BTC", T0, Token))!.Quotes.Single(q => q.Instrument.Key == Btc[0].Key).Quote);
        Assert.Equal(Xrp.Length, (await store.BoardAtAsync("XRP", T0, Token))!.Quotes.Count);
    }

    [Fact]
    public async Task A_snapshot_that_fails_part_way_leaves_nothing()
    {
        var store = await OpenAsync();
        await store.WriteSnapshotAsync(Snapshot(T0, Btc), Token);
        // Quotes first, then a measure the store must refuse (no name): the quotes must not stay without it.
        var broken = Snapshot(T0.AddMinutes(1), Btc, 5, new RecordedMeasure("BTC", null!, 1));
        await Assert.ThrowsAnyAsync<Exception>(() => store.WriteSnapshotAsync(broken, Token));

        Assert.Equal(new RecordedRange(T0, T0, 1), await store.RangeAsync("BTC", Token));
        Assert.Equal(T0, (await store.BoardAtAsync("BTC", T0.AddMinutes(5), Token))!.AsOf);
        Assert.Single(await store.OptionSeriesAsync(Venue.Bybit, Btc[0].Symbol, [QuoteField.MarkPrice], T0, T0.AddMinutes(5), TimeSpan.Zero, Token));
        // And the store still writes: the same time, whole this time.
        await store.WriteSnapshotAsync(Snapshot(T0.AddMinutes(1), Btc, 5), Token);
        Assert.Equal(new RecordedRange(T0, T0.AddMinutes(1), 2), await store.RangeAsync("BTC", Token));
    }

    [Fact]
    public async Task A_reader_never_sees_part_of_a_snapshot()
    {
        var store = await OpenAsync();
        // A board big enough that a write takes a while: 400 options of one coin.
        var many = Enumerable.Range(0, 200).SelectMany(i => new[]
        {
            BookBuilder.Create("ETH", Expiry1, 1000m + i * 25, 'C', 0.1, 0.1),
            BookBuilder.Create("ETH", Expiry1, 1000m + i * 25, 'P', 0.1, 0.1),
        }).ToArray();
        await store.WriteSnapshotAsync(Snapshot(T0, many), Token);

        using var writing = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var reads = 0;
        var reader = Task.Run(async () =>
        {
            while (!writing.IsCancellationRequested)
            {
                var board = await store.BoardAtAsync("ETH", T0.AddHours(1), Token);
                Assert.Equal(many.Length, board!.Quotes.Count);
                // Every quote from the snapshot chosen (each is received 200–610 ms before its snapshot; they are a minute apart).
                var asOf = board.AsOf.ToUnixTimeMilliseconds();
                Assert.All(board.Quotes, q => Assert.InRange(q.Quote.ReceivedAtMs, asOf - 1000, asOf));
                Interlocked.Increment(ref reads);
            }
        }, Token);
        // Writes until the reader has read a few boards while writes were going on (and at least 10 snapshots).
        var minute = 0;
        while ((minute < 10 || Volatile.Read(ref reads) < 5) && minute < 2000 && !reader.IsCompleted)
        {
            minute++;
            await store.WriteSnapshotAsync(Snapshot(T0.AddMinutes(minute), many, minute), Token);
        }
        await writing.CancelAsync();
        await reader;
        TestContext.Current.TestOutputHelper?.WriteLine($"{reads} whole boards read while {minute} snapshots were written");
        Assert.True(reads >= 5, $"{reads} reads");
    }

    [Fact]
    public async Task Board_at_is_the_last_snapshot_at_or_before_and_null_before_the_first()
    {
        var store = await OpenAsync();
        await store.WriteSnapshotAsync(Snapshot(T0, Btc, 0), Token);
        await store.WriteSnapshotAsync(Snapshot(T0.AddMinutes(1), Btc, 10), Token);

        Assert.Null(await store.BoardAtAsync("BTC", T0.AddMilliseconds(-1), Token));
        Assert.Null(await store.BoardAtAsync("ETH", T0.AddHours(1), Token));
        var at = await store.BoardAtAsync("BTC", T0, Token);
        Assert.Equal(T0, at!.AsOf);
        AssertSameQuote(Quote(0, T0), at.Quotes.Single(q => q.Instrument.Key == Btc[0].Key).Quote);
        var between = await store.BoardAtAsync("BTC", T0.AddSeconds(59.999), Token);
        Assert.Equal(T0, between!.AsOf);
        var second = await store.BoardAtAsync("BTC", T0.AddMinutes(1), Token);
        Assert.Equal(T0.AddMinutes(1), second!.AsOf);
        AssertSameQuote(Quote(10, T0.AddMinutes(1)), second.Quotes.Single(q => q.Instrument.Key == Btc[0].Key).Quote);
        var after = await store.BoardAtAsync("BTC", T0.AddDays(3), Token);
        Assert.Equal(T0.AddMinutes(1), after!.AsOf);
    }

    [Fact]
    public async Task Options_delisted_between_snapshots_are_absent_from_the_later_board()
    {
        var store = await OpenAsync();
        await store.WriteSnapshotAsync(Snapshot(T0, Btc), Token);
        await store.WriteSnapshotAsync(Snapshot(T0.AddMinutes(1), Btc.Skip(2)), Token);

        var before = await store.BoardAtAsync("BTC", T0, Token);
        Assert.Equal(Btc.Length, before!.Quotes.Count);
        var after = await store.BoardAtAsync("BTC", T0.AddMinutes(1), Token);
        Assert.Equal(Btc.Skip(2).Select(i => i.Symbol).Order(), after!.Quotes.Select(q => q.Instrument.Symbol).Order());
    }

    [Fact]
    public async Task Unchanged_quotes_read_back_as_the_quote_they_had()
    {
        var store = await OpenAsync();
        await store.WriteSnapshotAsync(Snapshot(T0, Btc, 0), Token);
        // The next snapshot says the first option did not change: its quote is the same, flagged unchanged.
        var next = Snapshot(T0.AddMinutes(1), Btc, 10);
        next.Quotes[0] = new RecordedQuote(Btc[0], Quote(0, T0), Changed: false);
        await store.WriteSnapshotAsync(next, Token);

        var board = await store.BoardAtAsync("BTC", T0.AddMinutes(1), Token);
        Assert.Equal(Btc.Length, board!.Quotes.Count);
        AssertSameQuote(Quote(0, T0), board.Quotes.Single(q => q.Instrument.Key == Btc[0].Key).Quote);
        var series = await store.OptionSeriesAsync(Venue.Bybit, Btc[0].Symbol, [QuoteField.MarkPrice], T0, T0.AddMinutes(1), TimeSpan.Zero, Token);
        Assert.Equal([T0, T0.AddMinutes(1)], series.Select(p => p.Time));
        var rows = await store.ReadQuotesAsync("BTC", T0.AddMinutes(1), T0.AddMinutes(1), Token).ToListAsync(Token);
        Assert.Equal(Btc.Length, rows.Count);
        AssertSameQuote(Quote(0, T0), rows.Single(r => r.Instrument.Key == Btc[0].Key).Quote);
    }

    [Fact]
    public async Task Option_series_has_every_snapshot_or_the_last_value_per_bucket_from_and_to_inclusive()
    {
        var store = await OpenAsync();
        // Snapshots every 20 s over 3 minutes: 00:00, 00:20, …, 02:40.
        for (var i = 0; i < 9; i++)
            await store.WriteSnapshotAsync(Snapshot(T0.AddSeconds(20 * i), Btc, i * 3), Token);
        QuoteField[] fields = [QuoteField.MarkPrice, QuoteField.MarkIv, QuoteField.Delta];

        var every = await store.OptionSeriesAsync(Venue.Bybit, Btc[0].Symbol, fields, T0.AddSeconds(20), T0.AddSeconds(100), TimeSpan.Zero, Token);
        Assert.Equal([20, 40, 60, 80, 100], every.Select(p => (int)(p.Time - T0).TotalSeconds));
        for (var i = 0; i < every.Count; i++)
        {
            var expected = Quote((i + 1) * 3, every[i].Time);
            for (var f = 0; f < fields.Length; f++)
                AssertSameValue(expected[fields[f]], every[i].Values[f], fields[f].ToString());
        }

        var minutes = await store.OptionSeriesAsync(Venue.Bybit, Btc[0].Symbol, fields, T0, T0.AddSeconds(160), TimeSpan.FromMinutes(1), Token);
        Assert.Equal([T0, T0.AddMinutes(1), T0.AddMinutes(2)], minutes.Select(p => p.Time));
        // Each minute's last snapshot: 00:40 (i = 2), 01:40 (i = 5), 02:40 (i = 8).
        int[] last = [2, 5, 8];
        for (var b = 0; b < 3; b++)
        {
            var expected = Quote(last[b] * 3, T0.AddSeconds(20 * last[b]));
            for (var f = 0; f < fields.Length; f++)
                AssertSameValue(expected[fields[f]], minutes[b].Values[f], fields[f].ToString());
        }
        Assert.Empty(await store.OptionSeriesAsync(Venue.Bybit, "BTC-1JAN27-1-C-USDT", fields, T0, T0.AddHours(1), TimeSpan.Zero, Token));
        Assert.Empty(await store.OptionSeriesAsync(Venue.Bybit, Btc[0].Symbol, fields, T0.AddHours(1), T0.AddHours(2), TimeSpan.Zero, Token));
    }

    [Fact]
    public async Task Reads_are_the_same_across_hours_and_after_reopening()
    {
        // Snapshots on both sides of two hour boundaries (a store may reorganise closed hours, as DuckDB's compacts them).
        var store = await OpenAsync();
        DateTimeOffset[] times = [T0.AddMinutes(55), T0.AddMinutes(60), T0.AddMinutes(65), T0.AddMinutes(125), T0.AddMinutes(126)];
        for (var i = 0; i < times.Length; i++)
            await store.WriteSnapshotAsync(Snapshot(times[i], Btc, i * 5), Token);

        async Task AssertReadsAsync(IHistoryStore s)
        {
            var series = await s.OptionSeriesAsync(Venue.Bybit, Btc[1].Symbol, [QuoteField.MarkPrice, QuoteField.Gamma], T0, T0.AddHours(3), TimeSpan.Zero, Token);
            Assert.Equal(times, series.Select(p => p.Time));
            for (var i = 0; i < times.Length; i++)
            {
                AssertSameValue(Quote(i * 5 + 1, times[i]).MarkPrice, series[i].Values[0], "mark price");
                AssertSameValue(Quote(i * 5 + 1, times[i]).Gamma, series[i].Values[1], "gamma");
            }
            var board = await s.BoardAtAsync("BTC", T0.AddMinutes(64), Token);
            Assert.Equal(times[1], board!.AsOf);
            AssertSameQuote(Quote(5 + 1, times[1]), board.Quotes.Single(q => q.Instrument.Key == Btc[1].Key).Quote);
            var rows = await s.ReadQuotesAsync("BTC", T0, T0.AddHours(3), Token).ToListAsync(Token);
            Assert.Equal(times.Length * Btc.Length, rows.Count);
            Assert.Equal(times, rows.Select(r => r.Time).Distinct());
        }

        await AssertReadsAsync(store);
        await CloseAsync(store);
        await AssertReadsAsync(await OpenAsync());
    }

    [Fact]
    public async Task Measure_series_has_every_snapshot_or_the_last_value_per_bucket()
    {
        var store = await OpenAsync();
        for (var i = 0; i < 6; i++)
        {
            await store.WriteSnapshotAsync(Snapshot(T0.AddSeconds(30 * i), Btc, i,
                new RecordedMeasure("BTC", "atm_iv_30d", 0.5 + i / 100.0), new RecordedMeasure("BTC", "index_price", 100_000 + i)), Token);
        }

        var every = await store.MeasureSeriesAsync("BTC", ["index_price", "atm_iv_30d"], T0.AddSeconds(30), T0.AddSeconds(90), TimeSpan.Zero, Token);
        Assert.Equal([T0.AddSeconds(30), T0.AddSeconds(60), T0.AddSeconds(90)], every.Select(p => p.Time));
        Assert.Equal([100_001, 0.51], every[0].Values);
        Assert.Equal([100_003, 0.53], every[2].Values);

        var minutes = await store.MeasureSeriesAsync("BTC", ["atm_iv_30d", "rr25_30d"], T0, T0.AddMinutes(10), TimeSpan.FromMinutes(1), Token);
        Assert.Equal([T0, T0.AddMinutes(1), T0.AddMinutes(2)], minutes.Select(p => p.Time));
        Assert.Equal(0.51, minutes[0].Values[0]);
        Assert.Equal(0.53, minutes[1].Values[0]);
        Assert.Equal(0.55, minutes[2].Values[0]);
        Assert.All(minutes, p => Assert.True(double.IsNaN(p.Values[1]), "a name never recorded is NaN"));
    }

    [Fact]
    public async Task Read_quotes_streams_every_row_by_time_then_venue_then_symbol()
    {
        var store = await OpenAsync();
        // Written in a scrambled order, so the order read is the store's, not the writer's.
        var scrambled = Btc.Reverse().ToArray();
        for (var i = 0; i < 3; i++)
            await store.WriteSnapshotAsync(Snapshot(T0.AddMinutes(i), scrambled.Concat(Xrp), i), Token);

        var rows = await store.ReadQuotesAsync("BTC", T0.AddMinutes(1), T0.AddMinutes(2), Token).ToListAsync(Token);
        Assert.Equal(2 * Btc.Length, rows.Count);
        var expected = new[] { T0.AddMinutes(1), T0.AddMinutes(2) }
            .SelectMany(t => Btc.Select(i => i.Symbol).Order(StringComparer.Ordinal).Select(s => (t, s))).ToArray();
        Assert.Equal(expected, rows.Select(r => (r.Time, r.Instrument.Symbol)));
        Assert.All(rows, r => Assert.Equal("BTC", r.Instrument.BaseCoin));
        var first = rows.First(r => r.Instrument.Key == Btc[0].Key && r.Time == T0.AddMinutes(2));
        AssertSameQuote(Quote(2 + Array.IndexOf(scrambled, Btc[0]), T0.AddMinutes(2)), first.Quote);
    }

    [Fact]
    public async Task An_export_of_an_hour_at_1_second_reads_every_row_once_in_order_in_spans_of_at_most_64_snapshots()
    {
        // 150 snapshots at 1 second in hour 10, then one in hour 11: hour 10 is closed, and retention's run (or the next
        // hour's first write) makes it blocks of at most 64 snapshots an option; the export reads it in spans of at most
        // 64 snapshots, so its memory is bounded whatever the interval.
        var store = await OpenAsync();
        var times = Enumerable.Range(0, 150).Select(i => T0.AddSeconds(i)).Append(T0.AddHours(1)).ToArray();
        for (var i = 0; i < times.Length; i++)
            await store.WriteSnapshotAsync(Snapshot(times[i], Btc, i), Token);
        await store.ApplyRetentionAsync(T0.AddHours(1).AddSeconds(30), TimeSpan.FromDays(30), TimeSpan.FromDays(365), Token);

        var rows = await store.ReadQuotesAsync("BTC", T0.AddSeconds(1), T0.AddHours(2), Token).ToListAsync(Token);
        var expected = times[1..].SelectMany(t => Btc.Select(i => i.Symbol).Order(StringComparer.Ordinal).Select(s => (t, s))).ToArray();
        Assert.Equal(expected, rows.Select(r => (r.Time, r.Instrument.Symbol)));
        for (var i = 1; i < times.Length; i += 37)
            AssertSameQuote(Quote(i + 1, times[i]), rows.Single(r => r.Time == times[i] && r.Instrument.Key == Btc[1].Key).Quote);
        // A span ending inside a block: the rows after it are not read twice, nor those before it missed.
        var middle = await store.ReadQuotesAsync("BTC", T0.AddSeconds(63), T0.AddSeconds(65), Token).ToListAsync(Token);
        Assert.Equal(3 * Btc.Length, middle.Count);
    }

    [Fact]
    public async Task Range_is_the_first_and_last_snapshot_and_their_count()
    {
        var store = await OpenAsync();
        Assert.Null(await store.RangeAsync("BTC", Token));
        for (var i = 0; i < 4; i++)
            await store.WriteSnapshotAsync(Snapshot(T0.AddMinutes(i), Btc), Token);
        await store.WriteSnapshotAsync(Snapshot(T0.AddMinutes(9), Xrp), Token);
        Assert.Equal(new RecordedRange(T0, T0.AddMinutes(3), 4), await store.RangeAsync("BTC", Token));
        Assert.Equal(new RecordedRange(T0.AddMinutes(9), T0.AddMinutes(9), 1), await store.RangeAsync("XRP", Token));
    }

    [Fact]
    public async Task Settlements_are_kept_once_and_read_by_delivery_time()
    {
        var store = await OpenAsync();
        var first = new Settlement(Venue.Bybit, "BTC", T0, 101_234.56789012);
        var second = new Settlement(Venue.Bybit, "BTC", T0.AddDays(1), 99_000.5);
        await store.WriteSettlementsAsync([second, first, new Settlement(Venue.Bybit, "ETH", T0, 3000)], Token);
        await store.WriteSettlementsAsync([first with { Price = 1 }], Token);

        Assert.Equal([first, second], await store.SettlementsAsync("BTC", T0, T0.AddDays(1), Token));
        Assert.Equal([second], await store.SettlementsAsync("BTC", T0.AddMilliseconds(1), T0.AddDays(2), Token));
        Assert.Empty(await store.SettlementsAsync("SOL", T0, T0.AddDays(2), Token));
    }

    [Fact]
    public async Task Realised_volatility_is_kept_once_per_period_and_time()
    {
        var store = await OpenAsync();
        RealisedVolatilityPoint[] points =
        [
            new(30, 0.45024716, T0), new(30, 0.46, T0.AddHours(1)), new(7, 0.5, T0),
        ];
        await store.WriteRealisedVolatilityAsync("BTC", points, Token);
        await store.WriteRealisedVolatilityAsync("BTC", [new(30, 0.99, T0)], Token);

        Assert.Equal([points[0], points[1]], await store.RealisedVolatilityAsync("BTC", 30, T0, T0.AddHours(1), Token));
        Assert.Equal([points[2]], await store.RealisedVolatilityAsync("BTC", 7, T0, T0.AddHours(1), Token));
        Assert.Empty(await store.RealisedVolatilityAsync("ETH", 30, T0, T0.AddHours(1), Token));
    }

    [Fact]
    public async Task Retention_keeps_the_first_snapshot_of_each_hour_beyond_keep_full_and_nothing_beyond_keep_hourly()
    {
        var store = await OpenAsync();
        // Every 20 minutes over 6 hours: hours 10:00 … 15:40.
        var times = Enumerable.Range(0, 18).Select(i => T0.AddMinutes(20 * i)).ToArray();
        foreach (var time in times)
        {
            await store.WriteSnapshotAsync(Snapshot(time, Btc, 0, new RecordedMeasure("BTC", "atm_iv_30d", 0.5)), Token);
        }
        await store.WriteSettlementsAsync([new Settlement(Venue.Bybit, "BTC", T0, 1), new Settlement(Venue.Bybit, "BTC", T0.AddHours(3), 2)], Token);
        await store.WriteRealisedVolatilityAsync("BTC", [new(30, 0.4, T0), new(30, 0.5, T0.AddHours(3))], Token);

        // Now 16:00: full resolution from 14:00 (2 h), hourly from 12:00 (4 h).
        var now = T0.AddHours(6);
        var removed = await store.ApplyRetentionAsync(now, TimeSpan.FromHours(2), TimeSpan.FromHours(4), Token);

        DateTimeOffset[] kept = [T0.AddHours(2), T0.AddHours(3), .. times.Where(t => t >= T0.AddHours(4))];
        Assert.Equal((times.Length - kept.Length) * Btc.Length, removed);
        var rows = await store.ReadQuotesAsync("BTC", T0, now, Token).ToListAsync(Token);
        Assert.Equal(kept, rows.Select(r => r.Time).Distinct());
        Assert.Equal(kept.Length * Btc.Length, rows.Count);
        Assert.Equal(new RecordedRange(kept[0], kept[^1], kept.Length), await store.RangeAsync("BTC", Token));
        Assert.Null(await store.BoardAtAsync("BTC", T0.AddHours(2).AddMilliseconds(-1), Token));
        Assert.Equal(T0.AddHours(2), (await store.BoardAtAsync("BTC", T0.AddHours(2).AddMinutes(40), Token))!.AsOf);
        // Measures are kept at full resolution for KeepHourly: every one from 12:00.
        var measures = await store.MeasureSeriesAsync("BTC", ["atm_iv_30d"], T0, now, TimeSpan.Zero, Token);
        Assert.Equal(times.Where(t => t >= T0.AddHours(2)), measures.Select(m => m.Time));
        Assert.Equal([T0.AddHours(3)], (await store.SettlementsAsync("BTC", T0, now, Token)).Select(s => s.DeliveryTime));
        Assert.Equal([T0.AddHours(3)], (await store.RealisedVolatilityAsync("BTC", 30, T0, now, Token)).Select(p => p.Time));

        // A second run removes nothing more: the first of each hour stays the first.
        Assert.Equal(0, await store.ApplyRetentionAsync(now, TimeSpan.FromHours(2), TimeSpan.FromHours(4), Token));
        // And the store still writes after it.
        await store.WriteSnapshotAsync(Snapshot(now, Btc), Token);
        Assert.Equal(now, (await store.BoardAtAsync("BTC", now, Token))!.AsOf);
    }

    [Fact]
    public async Task A_history_refuses_another_source()
    {
        var store = await OpenAsync(Bybit);
        await store.WriteSnapshotAsync(Snapshot(T0, Btc), Token);
        var mismatch = await Assert.ThrowsAsync<HistorySourceMismatchException>(() => store.OpenAsync(Simulator, Token));
        Assert.Equal(Bybit, mismatch.Recorded, HistorySourceComparer);
        await CloseAsync(store);

        var reopened = await CreateStoreAsync();
        _stores.Add(reopened);
        var again = await Assert.ThrowsAsync<HistorySourceMismatchException>(() => reopened.OpenAsync(Simulator, Token));
        Assert.Equal(Bybit, again.Recorded, HistorySourceComparer);
        Assert.Equal(Simulator, again.Requested, HistorySourceComparer);
        Assert.Contains("bybit", again.Message);
        // Another URL of the same exchange is another source too (testnet is not mainnet).
        await Assert.ThrowsAsync<HistorySourceMismatchException>(() => reopened.OpenAsync(new HistorySource("bybit", ["https://api-testnet.bybit.com/"]), Token));
        await reopened.OpenAsync(Bybit, Token);
        Assert.Equal(T0, (await reopened.BoardAtAsync("BTC", T0, Token))!.AsOf);
    }

    [Fact]
    public async Task Open_is_idempotent_and_safe_to_call_at_once()
    {
        var store = await CreateStoreAsync();
        _stores.Add(store);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.OpenAsync(Bybit, Token), Token)));
        await store.OpenAsync(Bybit, Token);
        await store.WriteSnapshotAsync(Snapshot(T0, Btc), Token);
        await store.OpenAsync(Bybit, Token);
        Assert.Equal(new RecordedRange(T0, T0, 1), await store.RangeAsync("BTC", Token));
    }

    [Fact]
    public async Task Readers_run_while_the_writer_writes()
    {
        var store = await OpenAsync();
        await store.WriteSnapshotAsync(Snapshot(T0, Btc), Token);
        var writes = Task.Run(async () =>
        {
            for (var i = 1; i <= 20; i++)
                await store.WriteSnapshotAsync(Snapshot(T0.AddMinutes(i), Btc, i), Token);
        }, Token);
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                Assert.NotNull(await store.BoardAtAsync("BTC", T0.AddHours(1), Token));
                Assert.NotEmpty(await store.OptionSeriesAsync(Venue.Bybit, Btc[r].Symbol, [QuoteField.MarkIv], T0, T0.AddHours(1), TimeSpan.Zero, Token));
            }
        }, Token)).ToArray();
        await Task.WhenAll([writes, .. readers]);
        Assert.Equal(21, (await store.RangeAsync("BTC", Token))!.Value.Snapshots);
    }

    [Fact]
    public async Task A_venue_added_keeps_the_history_and_each_venue_s_quotes_and_measures_are_kept_apart()
    {
        var store = await OpenAsync(Bybit);
        await store.WriteSnapshotAsync(Snapshot(T0, Btc, 0, new RecordedMeasure("BTC", "atm_iv_30d", 0.45)), Token);
        await CloseAsync(store);

        // Deribit added to the same deployment (Program.cs's source: both venues' ids and URLs): the history goes on.
        var deribit = Venue.Parse("deribit");
        var both = new HistorySource("bybit,deribit", [.. Bybit.Urls, "https://www.deribit.com/api/v2/", "wss://www.deribit.com/ws/api/v2"]);
        var reopened = await OpenAsync(both);
        // The same option on the other venue, under a symbol of its own.
        var twins = Btc.Select(i => new OptionInstrument(deribit, i.Symbol.Replace("-USDT", "", StringComparison.Ordinal), i.BaseCoin, i.ExpiryUtc,
            i.Strike, i.Type, priceCurrency: i.BaseCoin)).ToArray();
        var t1 = T0.AddMinutes(1);
        await reopened.WriteSnapshotAsync(Snapshot(t1, Btc.Concat(twins), 0,
            new RecordedMeasure("BTC", "atm_iv_30d", 0.5),
            new RecordedMeasure("BTC", MeasureNames.ForVenue(Venue.Bybit, "atm_iv_30d"), 0.48),
            new RecordedMeasure("BTC", MeasureNames.ForVenue(deribit, "atm_iv_30d"), 0.52)), Token);

        var series = await reopened.MeasureSeriesAsync("BTC", ["atm_iv_30d", "bybit:atm_iv_30d", "deribit:atm_iv_30d"], T0, t1, TimeSpan.Zero, Token);
        Assert.Equal(2, series.Count);
        Assert.Equal(0.45, series[0].Values[0]);
        Assert.True(double.IsNaN(series[0].Values[2])); // one venue then: no venue names recorded
        Assert.Equal(new[] { 0.5, 0.48, 0.52 }, series[1].Values);
        var board = (await reopened.BoardAtAsync("BTC", t1, Token))!;
        Assert.Equal(Btc.Length, board.Quotes.Count(q => q.Instrument.Venue == Venue.Bybit));
        Assert.Equal(twins.Select(t => t.Symbol).Order(StringComparer.Ordinal),
            board.Quotes.Where(q => q.Instrument.Venue == deribit).Select(q => q.Instrument.Symbol).Order(StringComparer.Ordinal));
        await CloseAsync(reopened);

        // Back to Bybit alone: still the same history; the simulator still never mixes in.
        var bybitAgain = await OpenAsync(Bybit);
        Assert.Equal(t1, (await bybitAgain.BoardAtAsync("BTC", t1, Token))!.AsOf);
        await Assert.ThrowsAsync<HistorySourceMismatchException>(() => bybitAgain.OpenAsync(Simulator, Token));
    }

    private static readonly IEqualityComparer<HistorySource> HistorySourceComparer =
        EqualityComparer<HistorySource>.Create((a, b) => a!.Label == b!.Label && a.Urls.SequenceEqual(b.Urls), s => s.Label.GetHashCode(StringComparison.Ordinal));
}
