using System.Buffers;
using System.Text;
using System.Text.Json;
using OptionsTracker.Api;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>The status and delivery price of an item: written as the exchange's words, and never served from stale pieces.</summary>
public class ListingFieldsTests
{
    private static string Write(OptionRow row, DateTimeOffset now)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        using (var items = new ItemJsonWriter(OptionFields.All, now))
            items.Write(writer, row);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void A_delivery_changes_the_item_even_when_no_ticker_value_moved()
    {
        var instrument = BookBuilder.Create("BTC", new DateOnly(2026, 11, 27), 100000m, 'C');
        var quote = OptionQuote.Empty;
        quote.ExchangeTimeMs = 1_790_000_000_000;
        quote.Values[(int)QuoteField.MarkPrice] = 1250.5;
        var now = DateTimeOffset.FromUnixTimeMilliseconds(quote.ExchangeTimeMs);

        var trading = Write(new OptionRow(instrument, quote), now);
        quote.Status = ListingStatus.Delivering;
        var delivering = Write(new OptionRow(instrument, quote), now);
        quote.DeliveryPrice = 101234.5;
        var settled = Write(new OptionRow(instrument, quote), now);

        Assert.Contains("\"status\":\"Trading\",\"delivery_price\":null", trading, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"Delivering\",\"delivery_price\":null", delivering, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"Delivering\",\"delivery_price\":101234.5", settled, StringComparison.Ordinal);
        Assert.Contains("\"mark_price\":1250.5", settled, StringComparison.Ordinal);
    }

    [Fact]
    public void A_PreLaunch_option_is_written_as_PreLaunch_and_its_CSV_row_says_so()
    {
        var instrument = BookBuilder.Create("ETH", new DateOnly(2026, 12, 25), 3000m, 'P');
        var quote = OptionQuote.Empty;
        quote.Status = ListingStatus.PreLaunch;
        var row = new OptionRow(instrument, quote);

        Assert.Contains("\"status\":\"PreLaunch\"", Write(row, DateTimeOffset.UnixEpoch), StringComparison.Ordinal);
        var line = new StringBuilder();
        OptionFields.AppendCsvRow(line, row, [OptionField.Symbol, OptionField.Status, OptionField.DeliveryPrice], DateTimeOffset.UnixEpoch);
        Assert.Equal($"{instrument.Symbol},PreLaunch,", line.ToString());
    }
}
