using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Deribit;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Deribit;

/// <summary>The per-message ticker path (frame read, parse, normalisation, apply) allocates nothing, as Bybit's.</summary>
public sealed class DeribitTickerAllocationTests
{
    [Fact]
    public void Ticker_message_path_allocates_nothing()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        var instruments = Enumerable.Range(0, 100)
            .Select(i => DeribitSamples.InverseInstrument($"BTC-27MAR26-{60_000 + i * 1000}-{(i % 2 == 0 ? "C" : "P")}", 60_000 + i * 1000))
            .ToArray();
        var book = DeribitSamples.Book(time, instruments);
        var options = new DeribitOptions();
        using var gate = DeribitFixtures.Gate(time, options);
        using var connection = new DeribitConnection(1, book, options, time, gate, NullLogger.Instance, _ => { }, []);
        // Distinct values per frame so every apply is a real change, as on the live feed.
        var frames = Enumerable.Range(0, 2000)
            .Select(i => DeribitSamples.Utf8(DeribitSamples.Ticker(instruments[i % instruments.Length].Symbol, 1_767_614_000_000 + i,
                mark: 0.02 + i * 1e-6, index: 95_000 + i)))
            .ToArray();
        foreach (var frame in frames.Take(200))
            connection.HandleMessage(frame);

        var runs = 0;
        var allocated = Allocations.Fewest(() =>
        {
            runs++;
            foreach (var frame in frames)
                connection.HandleMessage(frame);
            foreach (var frame in frames) // the same timestamps again: the unchanged path
                connection.HandleMessage(frame);
        });

        Assert.Equal(0, allocated);
        var status = connection.Status();
        Assert.Equal(200 + runs * 4_000, status.Messages);
        Assert.Equal(0, status.Malformed);
        Assert.True(book.Index.TryGetSlot(DeribitVenue.Id, instruments[0].Symbol, out var slot));
        Assert.Equal(0.02 + 1900 * 1e-6, NativePrice.FromUsd(slot.ReadQuote().MarkPrice, instruments[0], slot.ReadQuote()), 12);
    }

    [Fact]
    public void A_malformed_frame_is_counted_and_loses_nothing_good()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        var instrument = DeribitSamples.InverseInstrument();
        var book = DeribitSamples.Book(time, instrument);
        var options = new DeribitOptions();
        using var gate = DeribitFixtures.Gate(time, options);
        using var connection = new DeribitConnection(1, book, options, time, gate, NullLogger.Instance, _ => { }, []);

        connection.HandleMessage(DeribitSamples.Utf8(DeribitSamples.Ticker(instrument.Symbol, 1_767_614_000_000)));
        connection.HandleMessage(DeribitSamples.Utf8("{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"channel\":\"ticker.x.100ms\",\"data\":{\"mark_price\":\"oops\"}}}"));
        connection.HandleMessage(DeribitSamples.Utf8("not json"));
        connection.HandleMessage(DeribitSamples.Utf8(DeribitSamples.Ticker("BTC-27MAR26-1-C", 1_767_614_000_001)));

        var status = connection.Status();
        Assert.Equal(2, status.Malformed);
        Assert.Equal(2, status.Messages);
        Assert.Equal(1, status.UnknownSymbols);
        Assert.True(book.Index.TryGetSlot(DeribitVenue.Id, instrument.Symbol, out var slot));
        Assert.Equal(0.0225 * 95_000, slot.ReadQuote().MarkPrice, 9);
    }
}
