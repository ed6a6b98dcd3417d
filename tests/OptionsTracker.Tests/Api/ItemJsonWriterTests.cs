using System.Buffers;
using System.Text;
using System.Text.Json;
using CsCheck;
using OptionsTracker.Api;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// Items written from reused pieces must be byte for byte the items <see cref="OptionFields.WriteItem"/> formats
/// afresh, whatever the row, the field list and the time, and must never show a value the row no longer holds.
/// </summary>
public class ItemJsonWriterTests
{
    private static readonly DateOnly Today = new(2026, 11, 24);

    private static readonly Gen<double> Value = Gen.OneOf(
        Gen.Double[-1e6, 1e6],
        Gen.Double[-1e-6, 1e-6],
        Gen.Double,
        Gen.Int[-1000, 1000].Select(i => (double)i),
        Gen.OneOf(double.NaN, 0.0, -0.0, 1e-7, 123456789.125, double.PositiveInfinity, double.MaxValue, double.Epsilon));

    private static readonly Gen<OptionQuote> Quote = Gen.Select(
        Value.Array[QuoteFields.Count],
        Gen.OneOf(Gen.Const(0L), Gen.Long[1_600_000_000_000, 1_900_000_000_000]),
        Gen.OneOf(Gen.Const(ListingStatus.Trading), Gen.Const(ListingStatus.PreLaunch), Gen.Const(ListingStatus.Delivering)),
        Gen.OneOf(Gen.Const(double.NaN), Value),
        (values, exchangeTimeMs, status, deliveryPrice) =>
        {
            var quote = OptionQuote.Empty;
            values.CopyTo((Span<double>)quote.Values);
            quote.ExchangeTimeMs = exchangeTimeMs;
            quote.Status = status;
            quote.DeliveryPrice = deliveryPrice;
            return quote;
        });

    private static readonly Gen<OptionInstrument> Instrument = Gen.Select(
        Gen.OneOf("BTC", "ETH", "SOL", "XRP"),
        Gen.Int[1, 400],
        Gen.OneOf(100000m, 2.25m, 0.5m, 3100m, 150m),
        Gen.OneOf('C', 'P'),
        (coin, days, strike, type) => BookBuilder.Create(coin, Today.AddDays(days), strike, type));

    private static readonly Gen<OptionField[]> Fields = Gen.OneOf(
        Gen.Const(OptionFields.All),
        Gen.Shuffle(OptionFields.All).SelectMany(shuffled => Gen.Int[1, shuffled.Length].Select(n => shuffled[..n])),
        Gen.Int[0, OptionFields.All.Length - 1].SelectMany(from => Gen.Int[from + 1, OptionFields.All.Length].Select(to => OptionFields.All[from..to])));

    private static readonly Gen<DateTimeOffset> Now =
        Gen.Long[0, 86_400_000L * 2].Select(ms => new DateTimeOffset(Today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddMilliseconds(ms));

    [Fact]
    public void Items_from_pieces_are_the_bytes_formatted_afresh()
    {
        Gen.Select(Gen.Select(Instrument, Quote).Array[1, 12], Fields, Now)
            .Sample((rows, fields, now) =>
            {
                var items = rows.Select(r => new OptionRow(r.Item1, r.Item2)).ToArray();
                var expected = Reference(items, fields, now);
                // An answer with these fields, a wide one (which formats the quote's pieces), and these fields again
                // (which may now reuse them).
                Assert.Equal(expected, FromPieces(items, fields, now));
                Assert.Equal(Reference(items, OptionFields.All, now), FromPieces(items, OptionFields.All, now));
                Assert.Equal(expected, FromPieces(items, fields, now));
            }, iter: 500);
    }

    [Fact]
    public void A_changed_value_is_written_anew_even_with_the_same_exchange_time()
    {
        var instrument = BookBuilder.Create("BTC", Today.AddDays(30), 100000m, 'C');
        var quote = OptionQuote.Empty;
        quote.ExchangeTimeMs = 1_790_000_000_000;
        quote.Values[(int)QuoteField.MarkPrice] = 1250.5;
        var now = DateTimeOffset.FromUnixTimeMilliseconds(quote.ExchangeTimeMs);
        var first = FromPieces([new OptionRow(instrument, quote)], OptionFields.All, now);

        // A REST snapshot and a push can carry one exchange time with other values; a missing value can appear.
        quote.Values[(int)QuoteField.MarkPrice] = 1251.0;
        quote.Values[(int)QuoteField.Delta] = 0.51;
        var second = FromPieces([new OptionRow(instrument, quote)], OptionFields.All, now);

        Assert.Contains("\"mark_price\":1250.5", first, StringComparison.Ordinal);
        Assert.Contains("\"mark_price\":1251,", second, StringComparison.Ordinal);
        Assert.Contains("\"delta\":0.51,", second, StringComparison.Ordinal);
        Assert.Equal(Reference([new OptionRow(instrument, quote)], OptionFields.All, now), second);
    }

    [Fact]
    public void Days_to_expiry_follows_the_time_of_each_answer()
    {
        var instrument = BookBuilder.Create("ETH", Today.AddDays(3), 3100m, 'P');
        var row = new OptionRow(instrument, OptionQuote.Empty);
        var morning = new DateTimeOffset(Today.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);

        var atEight = FromPieces([row], OptionFields.All, morning);
        var atNoon = FromPieces([row], OptionFields.All, morning.AddHours(4));

        Assert.Contains("\"days_to_expiry\":3,", atEight, StringComparison.Ordinal);
        Assert.Contains("\"days_to_expiry\":2.833333,", atNoon, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_written_at_once_on_many_threads_each_show_their_own_rows()
    {
        // Threads share the instruments (and so the kept pieces) but each writes rows with its own values, so every
        // answer makes the pieces of the others stale: each must still match its own rows exactly.
        var instruments = Enumerable.Range(0, 20).Select(i => BookBuilder.Create("BTC", Today.AddDays(10 + i % 3), 90000m + 1000m * i, 'C')).ToArray();
        var threads = Enumerable.Range(0, 4).Select(thread => Task.Run(() =>
        {
            var random = new Random(thread);
            for (var round = 0; round < 300; round++)
            {
                var rows = instruments.Select(instrument =>
                {
                    var quote = OptionQuote.Empty;
                    // One exchange time throughout: only the values tell the quotes apart.
                    quote.ExchangeTimeMs = 1_790_000_000_000;
                    quote.Values[(int)QuoteField.MarkPrice] = random.Next(4) * 0.5;
                    return new OptionRow(instrument, quote);
                }).ToArray();
                var now = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000);
                Assert.Equal(Reference(rows, OptionFields.All, now), FromPieces(rows, OptionFields.All, now));
            }
        }, TestContext.Current.CancellationToken)).ToArray();
        await Task.WhenAll(threads);
    }

    private static string Reference(OptionRow[] rows, OptionField[] fields, DateTimeOffset now) =>
        WriteArray(writer =>
        {
            foreach (var row in rows)
                OptionFields.WriteItem(writer, row, fields, now);
        });

    private static string FromPieces(OptionRow[] rows, OptionField[] fields, DateTimeOffset now) =>
        WriteArray(writer =>
        {
            using var items = new ItemJsonWriter(fields, now);
            foreach (var row in rows)
                items.Write(writer, row);
        });

    private static string WriteArray(Action<Utf8JsonWriter> writeItems)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writeItems(writer);
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
