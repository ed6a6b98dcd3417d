using OptionsTracker.Book;
using OptionsTracker.Store;
using StackExchange.Redis;
using OptionsTracker.Bybit;

namespace OptionsTracker.Tests.Store;

public class QuoteHashTests
{
    private static readonly OptionInstrument Instrument = BybitSymbol.TryCreateInstrument("BTC-26DEC25-100000-C-USDT",
        new DateTimeOffset(2025, 12, 26, 8, 0, 0, TimeSpan.Zero), "Trading", out var i) ? i! : throw new InvalidOperationException();

    [Fact]
    public void Every_value_survives_the_hash_bit_for_bit_and_missing_stays_missing()
    {
        var quote = OptionQuote.Empty;
        quote.ExchangeTimeMs = 1_766_000_000_123;
        for (var field = 0; field < QuoteFields.Count; field++)
            quote.Values[field] = field % 5 == 0 ? double.NaN : Math.PI * (field + 1) / 7.0 - 1e-9;

        var entries = QuoteHash.ToEntries(Instrument, quote);

        Assert.True(QuoteHash.TryReadInstrument(Venue.Bybit, entries, out var instrument));
        Assert.Equal(Instrument.Key, instrument!.Key);
        Assert.Equal(Instrument.ExpiryUtc, instrument.ExpiryUtc);
        Assert.True(QuoteHash.TryReadQuote(entries, out var update));
        Assert.Equal(quote.ExchangeTimeMs, update.ExchangeTimeMs);
        for (var field = 0; field < QuoteFields.Count; field++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(quote.Values[field]), BitConverter.DoubleToInt64Bits(update.Values[field]));
    }

    [Fact]
    public void Hash_uses_the_original_field_names_as_strings_with_missing_as_empty()
    {
        var quote = OptionQuote.Empty;
        quote.ExchangeTimeMs = 1;
        quote.Values[(int)QuoteField.MarkPrice] = 1234.5;

        var fields = QuoteHash.ToEntries(Instrument, quote).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);

        Assert.Equal("BTC-26DEC25-100000-C-USDT", fields["symbol"]);
        Assert.Equal("1234.5", fields["mark_price"]);
        Assert.Equal("", fields["bid_iv"]);
        foreach (var name in (string[])["ask_iv", "last_price", "index_price", "mark_iv", "underlying_price", "open_interest", "delta", "gamma", "vega", "theta", "volume_24h", "turnover_24h"])
            Assert.True(fields.ContainsKey(name), name);
    }

    [Fact]
    public void Never_quoted_option_writes_only_its_instrument_so_a_new_collector_blanks_nothing()
    {
        var entries = QuoteHash.ToEntries(Instrument, OptionQuote.Empty);

        Assert.DoesNotContain(entries, e => e.Name == "mark_price" || e.Name == QuoteHash.Timestamp);
        Assert.False(QuoteHash.TryReadQuote(entries, out _));
        Assert.False(QuoteHash.TryReadQuote(Array.Empty<HashEntry>(), out _));
    }
}
