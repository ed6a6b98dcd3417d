using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Book;

public sealed class BookCursorTests
{
    private const string Call95 = "BTC-26DEC25-95000-C-USDT";
    private const string Put95 = "BTC-26DEC25-95000-P-USDT";
    private const string Call100 = "BTC-26DEC25-100000-C-USDT";
    private const string EthCall = "ETH-26DEC25-3000-C-USDT";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void First_call_is_a_snapshot_of_every_slot_then_a_changed_slot_is_reported_once()
    {
        var book = BookBuilder.WithSymbols(_time, Call95, Put95, Call100);
        var cursor = new BookCursor(book);

        var snapshot = cursor.TakeChanges();
        Assert.True(snapshot.IsSnapshot);
        Assert.Equal(book.Index.All, snapshot.Listed);
        Assert.Equal(book.Index.All, snapshot.Changed);
        Assert.Empty(snapshot.Delisted);

        var slot = Slot(book, Put95);
        Mark(book, slot, 10);
        Mark(book, slot, 11);
        Mark(book, Slot(book, Call100), 12);
        var changes = cursor.TakeChanges();
        Assert.False(changes.IsSnapshot);
        Assert.Equal([Slot(book, Put95), Slot(book, Call100)], changes.Changed);
        Assert.Empty(changes.Listed);
        Assert.Empty(changes.Delisted);
        Assert.Equal(book.Sequence, cursor.Sequence);

        Assert.True(cursor.TakeChanges().IsEmpty);
        Mark(book, slot, 11); // the same value: not a change
        Assert.True(cursor.TakeChanges().IsEmpty);
    }

    [Fact]
    public void Listed_and_delisted_slots_are_reported_once_each()
    {
        var book = BookBuilder.WithSymbols(_time, Call95, Put95);
        var cursor = new BookCursor(book);
        cursor.TakeChanges();
        var leaving = Slot(book, Put95);

        book.AddInstruments([BookBuilder.Instrument(Call100)]);
        book.RemoveInstruments([Bybit(Put95)]);
        var changes = cursor.TakeChanges();

        Assert.True(changes.ListingChanged);
        Assert.Equal([Slot(book, Call100)], changes.Listed);
        // A listed slot is in Changed too, even before its first quote: readers write it so it is seen.
        Assert.Equal([Slot(book, Call100)], changes.Changed);
        Assert.Equal([leaving], changes.Delisted);
        Assert.Same(book.Index, changes.Index);
        Assert.True(cursor.TakeChanges().IsEmpty);
    }

    [Fact]
    public void An_option_removed_and_listed_again_between_two_calls_is_reported_delisted_and_listed_with_its_new_slot()
    {
        var book = BookBuilder.WithSymbols(_time, Call95, Put95);
        var cursor = new BookCursor(book);
        var old = Slot(book, Call95);
        Mark(book, old, 5);
        cursor.TakeChanges();

        book.RemoveInstruments([Bybit(Call95)]);
        Mark(book, old, 6); // a late write to the removed slot: not reported, the slot has left
        book.AddInstruments([BookBuilder.Instrument(Call95)]);
        var renewed = Slot(book, Call95);
        Assert.NotSame(old, renewed);
        var changes = cursor.TakeChanges();

        // Compared by symbol the option never left, and its new, empty quote would never reach the reader.
        Assert.Equal([old], changes.Delisted);
        Assert.Equal([renewed], changes.Listed);
        Assert.Equal([renewed], changes.Changed);

        Mark(book, renewed, 7);
        var next = cursor.TakeChanges();
        Assert.Equal([renewed], next.Changed);
        Assert.Empty(next.Listed);
        Assert.Empty(next.Delisted);
    }

    [Fact]
    public void A_scope_and_a_filter_report_only_their_slots()
    {
        var book = BookBuilder.WithSymbols(_time, Call95, Put95, EthCall);
        var btc = new BookCursor(book, index => index.TryGetCoin("BTC", out var coin) ? coin.Slots : []);
        var calls = new BookCursor(book, filter: instrument => instrument.Type == OptionType.Call);
        Assert.Equal([Slot(book, Call95), Slot(book, Put95)], btc.TakeChanges().Listed);
        Assert.Equal([Slot(book, Call95), Slot(book, EthCall)], calls.TakeChanges().Listed);

        Mark(book, Slot(book, EthCall), 1);
        Mark(book, Slot(book, Put95), 2);
        Assert.Equal([Slot(book, Put95)], btc.TakeChanges().Changed);
        Assert.Equal([Slot(book, EthCall)], calls.TakeChanges().Changed);

        book.RemoveInstruments([Bybit(EthCall), Bybit(Put95)]);
        var btcChanges = btc.TakeChanges();
        Assert.Equal(Put95, Assert.Single(btcChanges.Delisted).Instrument.Symbol);
        Assert.Empty(btcChanges.Listed);
        Assert.Equal(EthCall, Assert.Single(calls.TakeChanges().Delisted).Instrument.Symbol);
    }

    [Fact]
    public void Rewind_reports_the_last_changes_again_with_anything_since()
    {
        var book = BookBuilder.WithSymbols(_time, Call95, Put95, Call100);
        var cursor = new BookCursor(book);
        cursor.TakeChanges();
        Mark(book, Slot(book, Call95), 1);
        book.RemoveInstruments([Bybit(Put95)]);
        var failed = cursor.TakeChanges();
        Assert.Equal([Slot(book, Call95)], failed.Changed);
        Assert.Single(failed.Delisted);

        cursor.Rewind();
        Mark(book, Slot(book, Call100), 2);
        var retried = cursor.TakeChanges();
        Assert.Equal([Slot(book, Call95), Slot(book, Call100)], retried.Changed);
        Assert.Equal(Put95, Assert.Single(retried.Delisted).Instrument.Symbol);

        cursor.Restart();
        var snapshot = cursor.TakeChanges();
        Assert.True(snapshot.IsSnapshot);
        Assert.Equal(book.Index.All, snapshot.Listed);
        Assert.Empty(snapshot.Delisted);
    }

    [Fact]
    public async Task Waiting_reader_wakes_for_a_quote_change_and_for_a_listing()
    {
        var book = BookBuilder.WithSymbols(_time, Call95);
        var cursor = new BookCursor(book);
        var cancellationToken = TestContext.Current.CancellationToken;
        Assert.True(cursor.WaitForChangeAsync(cancellationToken).IsCompleted); // before the first call: the snapshot
        cursor.TakeChanges();

        var wait = cursor.WaitForChangeAsync(cancellationToken);
        Assert.False(wait.IsCompleted);
        Mark(book, Slot(book, Call95), 1);
        await wait.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        Assert.Single(cursor.TakeChanges().Changed);

        wait = cursor.WaitForChangeAsync(cancellationToken);
        Assert.False(wait.IsCompleted);
        book.AddInstruments([BookBuilder.Instrument(Put95)]);
        await wait.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        Assert.Equal([Slot(book, Put95)], cursor.TakeChanges().Listed);
    }

    /// <summary>
    /// Writers stamp quotes on two threads and a third lists, delists and relists ETH options, while one reader polls
    /// the whole book and another waits for changes on BTC only. Each keeps its own picture of the book from what the
    /// cursor reports: nothing listed twice or delisted unknown, no change to a slot it does not know, every value
    /// newer than the last it saw, and in the end exactly the book's slots, each at its final value.
    /// </summary>
    [Fact]
    public async Task Readers_racing_writers_and_listings_end_with_every_final_value_and_nothing_reported_out_of_turn()
    {
        const int MinWrites = 2_000;
        const int MinRelists = 300;
        var btc = Enumerable.Range(1, 40).Select(i => $"BTC-26DEC25-{i * 1000}-{(i % 2 == 0 ? "C" : "P")}-USDT").ToArray();
        var eth = Enumerable.Range(1, 6).Select(i => $"ETH-26DEC25-{i * 100}-C-USDT").ToArray();
        var book = BookBuilder.WithSymbols(_time, [.. btc, .. eth]);
        var cancellationToken = TestContext.Current.CancellationToken;
        var btcSlots = btc.Select(s => Slot(book, s)).ToArray();
        var finals = new double[btcSlots.Length];
        var writersLeft = 2;
        var relists = 0;
        var listing = true;

        var polling = new Reader(new BookCursor(book));
        var waiting = new Reader(new BookCursor(book, index => index.TryGetCoin("BTC", out var coin) ? coin.Slots : []));
        var pollTask = Task.Run(() =>
        {
            while (Volatile.Read(ref writersLeft) > 0 || Volatile.Read(ref listing))
                polling.Take();
            polling.Take();
        }, cancellationToken);
        var waitTask = Task.Run(async () =>
        {
            // Writers announce their final values before writing them, so once none is left every final write is either
            // taken already or wakes this reader; a lost wake-up or change times out here.
            while (Volatile.Read(ref writersLeft) > 0
                || !btcSlots.Select((s, i) => waiting.LastMark.TryGetValue(s, out var mark) && mark == finals[i]).All(final => final))
            {
                await waiting.Cursor.WaitForChangeAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
                waiting.Take();
            }
        }, cancellationToken);

        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            var update = new QuoteUpdate { Values = QuoteValues.AllMissing() };
            var k = 1;
            for (; k < MinWrites || Volatile.Read(ref relists) < MinRelists; k++)
                Write(k);
            for (var i = w; i < btcSlots.Length; i += 2)
                finals[i] = k;
            Interlocked.Decrement(ref writersLeft);
            Write(k);

            void Write(int value)
            {
                for (var i = w; i < btcSlots.Length; i += 2)
                {
                    update.ExchangeTimeMs = value;
                    update.Set(QuoteField.MarkPrice, value);
                    book.Apply(btcSlots[i], update, value);
                }
            }
        }, cancellationToken)).ToArray();
        var lister = Task.Run(() =>
        {
            var update = new QuoteUpdate { Values = QuoteValues.AllMissing() };
            while (Volatile.Read(ref writersLeft) > 0)
            {
                var symbol = eth[relists % eth.Length];
                book.RemoveInstruments([Bybit(symbol)]);
                book.AddInstruments([BookBuilder.Instrument(symbol)]);
                var count = Interlocked.Increment(ref relists);
                update.ExchangeTimeMs = count;
                update.Set(QuoteField.MarkPrice, count);
                book.Apply(Slot(book, symbol), update, count);
            }
            Volatile.Write(ref listing, false);
        }, cancellationToken);

        await Task.WhenAll([.. writers, lister, pollTask, waitTask]).WaitAsync(TimeSpan.FromSeconds(120), cancellationToken);

        waiting.Take();
        Assert.Equal(btcSlots.ToHashSet(), waiting.Live);
        Assert.Equal(book.Index.All.ToHashSet(), polling.Live);
        foreach (var slot in book.Index.All)
            Assert.True(slot.ReadQuote().MarkPrice.Equals(polling.LastMark[slot]), $"{slot}: last seen {polling.LastMark[slot]}, now {slot.ReadQuote().MarkPrice}");
        Assert.All(btcSlots.Select((s, i) => (s, i)), e => Assert.Equal(finals[e.i], polling.LastMark[e.s]));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{relists} relists, final writes {finals.Max()}; polling reader: {polling.Calls} calls, {polling.Reports} slot reports; waiting reader: {waiting.Calls} calls, {waiting.Reports} slot reports");
    }

    [Fact]
    public void Taking_changes_in_steady_state_allocates_nothing()
    {
        var symbols = Enumerable.Range(1, 400).SelectMany(i => new[] { $"BTC-26DEC25-{i * 500}-C-USDT", $"ETH-26DEC25-{i * 10}-P-USDT" }).ToArray();
        var book = BookBuilder.WithSymbols(_time, symbols);
        var whole = new BookCursor(book);
        var btc = new BookCursor(book, index => index.TryGetCoin("BTC", out var coin) ? coin.Slots : []);
        var calls = new BookCursor(book, filter: instrument => instrument.Type == OptionType.Call);
        var slots = book.Index.All;
        var update = new QuoteUpdate { Values = QuoteValues.AllMissing() };
        var k = 0L;
        var reported = 0L;
        var cancellationToken = TestContext.Current.CancellationToken;

        void Round()
        {
            for (var i = 0; i < slots.Count; i += 13)
            {
                update.ExchangeTimeMs = ++k;
                update.Set(QuoteField.MarkPrice, k);
                book.Apply(slots[i], update, k);
            }
            // A polling reader asks whether to wake, then takes what is there.
            if (whole.WaitForChangeAsync(cancellationToken).IsCompleted)
                reported += whole.TakeChanges().Changed.Count;
            reported += btc.TakeChanges().Changed.Count + calls.TakeChanges().Changed.Count;
            reported += whole.TakeChanges().Changed.Count; // nothing new: the quick path
        }

        // The first calls are snapshots and size the buffers.
        Round();
        Round();
        var bytes = Allocations.Fewest(Round);

        Assert.True(reported > 0);
        Assert.Equal(0, bytes);
    }

    private static OptionSlot Slot(OptionBook book, string symbol)
    {
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot), symbol);
        return slot;
    }

    private static void Mark(OptionBook book, OptionSlot slot, double mark)
    {
        var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = 1 };
        update.Set(QuoteField.MarkPrice, mark);
        book.Apply(slot, update);
    }

    /// <summary>A reader's picture of the book, kept only from what its cursor reports, and checked as it goes.</summary>
    private sealed class Reader(BookCursor cursor)
    {
        public BookCursor Cursor { get; } = cursor;
        public HashSet<OptionSlot> Live { get; } = new(ReferenceEqualityComparer.Instance);
        public Dictionary<OptionSlot, double> LastMark { get; } = new(ReferenceEqualityComparer.Instance);
        public long Calls { get; private set; }
        public long Reports { get; private set; }

        public void Take()
        {
            var changes = Cursor.TakeChanges();
            Calls++;
            foreach (var slot in changes.Delisted)
            {
                Assert.True(Live.Remove(slot), $"{slot} delisted without being listed");
                LastMark.Remove(slot);
            }
            foreach (var slot in changes.Listed)
                Assert.True(Live.Add(slot), $"{slot} listed twice");
            foreach (var slot in changes.Changed)
            {
                Assert.True(Live.Contains(slot), $"{slot} changed but not listed");
                var mark = slot.ReadQuote().MarkPrice;
                if (LastMark.TryGetValue(slot, out var last) && !double.IsNaN(last))
                    Assert.True(mark >= last, $"{slot} went back from {last} to {mark}");
                LastMark[slot] = mark;
                Reports++;
            }
        }
    }

    private static InstrumentKey Bybit(string symbol) => new(Venue.Bybit, symbol);
}
