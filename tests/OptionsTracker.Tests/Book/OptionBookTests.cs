using CsCheck;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Book;

public class OptionBookTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Expiries_are_chronological_across_years_and_strikes_numeric()
    {
        var book = BookBuilder.WithSymbols(_time,
            "BTC-2JAN26-100000-C-USDT", "BTC-26DEC25-95000-C-USDT", "BTC-26DEC25-100000-C-USDT", "BTC-26DEC25-9000-C-USDT", "BTC-30JAN26-90000-P-USDT");

        Assert.True(book.Index.TryGetCoin("btc", out var coin));
        Assert.Equal(["26DEC25", "02JAN26", "30JAN26"], coin.Expiries.Select(e => e.Label));
        Assert.Equal([9000m, 95000m, 100000m], coin.Expiries[0].Slots.Select(s => s.Instrument.Strike));
    }

    [Fact]
    public void Adding_known_instruments_keeps_their_quotes()
    {
        const string symbol = "BTC-26DEC25-95000-C-USDT";
        var book = BookBuilder.WithSymbols(_time, symbol);
        book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot);
        var update = new QuoteUpdate { ExchangeTimeMs = 1 };
        update.Set(QuoteField.MarkPrice, 42);
        book.Apply(slot, update);

        var added = book.AddInstruments([BookBuilder.Instrument(symbol), BookBuilder.Instrument("BTC-26DEC25-96000-C-USDT")]);

        Assert.Equal(["BTC-26DEC25-96000-C-USDT"], added.Select(i => i.Symbol));
        book.Index.TryGetSlot(Venue.Bybit, symbol, out var same);
        Assert.Same(slot, same);
        Assert.Equal(42, same.ReadQuote().MarkPrice);
    }

    [Fact]
    public void Delivered_options_leave_at_0800_utc_of_their_expiry()
    {
        var book = BookBuilder.WithSymbols(_time, "BTC-26DEC25-95000-C-USDT", "BTC-2JAN26-95000-C-USDT");

        Assert.Empty(book.RemoveExpired(new DateTimeOffset(2025, 12, 26, 7, 59, 59, TimeSpan.Zero)));
        var removed = book.RemoveExpired(new DateTimeOffset(2025, 12, 26, 8, 0, 0, TimeSpan.Zero));

        Assert.Equal(["BTC-26DEC25-95000-C-USDT"], removed.Select(i => i.Symbol));
        Assert.Equal(1, book.Index.Count);
        Assert.False(book.Index.TryGetSlot(Venue.Bybit, "BTC-26DEC25-95000-C-USDT", out _));
    }

    [Fact]
    public void Only_changed_slots_are_collected_after_a_cursor()
    {
        var book = BookBuilder.WithSymbols(_time, "BTC-26DEC25-95000-C-USDT", "BTC-26DEC25-96000-C-USDT");
        var cursor = book.Sequence;
        book.Index.TryGetSlot(Venue.Bybit, "BTC-26DEC25-96000-C-USDT", out var slot);
        var update = new QuoteUpdate { ExchangeTimeMs = 1 };
        update.Set(QuoteField.MarkPrice, 1);
        book.Apply(slot, update);
        book.Apply(slot, update); // same values: not a change

        var changed = new List<OptionSlot>();
        book.CollectChangedSince(cursor, book.Index, changed);

        Assert.Equal([slot], changed);
        Assert.Equal(cursor + 1, book.Sequence);
    }

    [Fact]
    public async Task Waiting_reader_wakes_on_the_next_change()
    {
        var book = BookBuilder.WithSymbols(_time, "BTC-26DEC25-95000-C-USDT");
        book.Index.TryGetSlot(Venue.Bybit, "BTC-26DEC25-95000-C-USDT", out var slot);
        var wait = book.WaitForChangeAsync(book.Sequence, TestContext.Current.CancellationToken);
        Assert.False(wait.IsCompleted);

        var update = new QuoteUpdate { ExchangeTimeMs = 1 };
        update.Set(QuoteField.MarkPrice, 3);
        book.Apply(slot, update);

        await wait.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Any_sequence_of_updates_leaves_each_option_at_its_last_value()
    {
        string[] symbols = ["BTC-26DEC25-95000-C-USDT", "BTC-26DEC25-95000-P-USDT", "ETH-26DEC25-3000-C-USDT", "SOL-2JAN26-180-P-USDT"];
        var genUpdate = Gen.Select(
            Gen.Int[0, symbols.Length - 1],
            Gen.Int[0, QuoteFields.Count - 1],
            Gen.OneOf(Gen.Double[-1e6, 1e6], Gen.Const(double.NaN)),
            Gen.Int[1, 3]);

        genUpdate.Array[0, 200].Sample(updates =>
        {
            var book = BookBuilder.WithSymbols(_time, symbols);
            var expected = symbols.ToDictionary(s => s, _ => Enumerable.Repeat(double.NaN, QuoteFields.Count).ToArray());
            long ts = 0;
            foreach (var (symbolIndex, field, value, step) in updates)
            {
                ts += step;
                var update = new QuoteUpdate { ExchangeTimeMs = ts };
                update.Set((QuoteField)field, value);
                book.Index.TryGetSlot(Venue.Bybit, symbols[symbolIndex], out var slot);
                book.Apply(slot, update);
                expected[symbols[symbolIndex]][field] = value;
            }
            foreach (var symbol in symbols)
            {
                book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot);
                var quote = slot.ReadQuote();
                for (var f = 0; f < QuoteFields.Count; f++)
                {
                    if (!expected[symbol][f].Equals(quote.Values[f]))
                        return false;
                }
            }
            return true;
        });
    }

    [Fact]
    public async Task Readers_never_see_a_half_written_quote()
    {
        const string symbol = "BTC-26DEC25-95000-C-USDT";
        var book = BookBuilder.WithSymbols(_time, symbol);
        book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot);
        using var stop = new CancellationTokenSource();
        const int reads = 200_000;

        // Two writers (the feed and a REST snapshot) stamp every field with one number; a torn read would mix
        // two numbers. They pause a moment between writes, as a feed does between messages, so the reader is
        // never starved: a seqlock reader waits only while a write is in progress.
        Task Writer(int offset) => Task.Run(() =>
        {
            var update = new QuoteUpdate();
            for (long n = offset; !stop.IsCancellationRequested; n += 2)
            {
                update.ExchangeTimeMs = n;
                for (var f = 0; f < QuoteFields.Count; f++)
                    update.Set((QuoteField)f, n);
                book.Apply(slot, update);
                Thread.SpinWait(20);
            }
        });
        var writers = new[] { Writer(1), Writer(2) };
        var distinct = await Task.Run(() =>
        {
            // At least `reads` reads, and on until the writers have been seen to move: on a loaded machine the writers'
            // threads may not run at all while the reader makes its first 200,000 reads (a CI run saw one value). The
            // bound only decides how long a broken book takes to fail.
            var seen = new HashSet<double>();
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            for (var i = 0; i < reads || (seen.Count < 3 && System.Diagnostics.Stopwatch.GetElapsedTime(started) < Eventually.Timeout); i++)
            {
                var quote = slot.ReadQuote();
                var first = quote.Values[0];
                for (var f = 1; f < QuoteFields.Count; f++)
                    Assert.Equal(first, quote.Values[f]);
                seen.Add(first);
            }
            return seen.Count;
        }, TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        // The reader really raced the writers: it saw many different writes.
        Assert.True(distinct > 1, $"only {distinct} distinct values read");
    }
}
