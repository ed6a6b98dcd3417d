using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Tape;

namespace OptionsTracker.Tests.Tape;

/// <summary>
/// What the streams read the tape with: a wait on a coin without trades that creates no tape for it, reads into a
/// caller's buffer, and the oldest trade's sequence and time (where /api/trades hands over to the history).
/// </summary>
public class TradeTapeReadersTests
{
    private static TradeTape TapeKeeping(int keep) => new(Options.Create(new TapeOptions { Keep = keep }));

    private static Trade TradeOf(string id, long timeMs, string coin = "BTC") => new()
    {
        Venue = Venue.Bybit,
        Id = id,
        Symbol = $"{coin}-25DEC26-100000-C-USDT",
        BaseCoin = coin,
        ExpiryUtc = new DateTimeOffset(2026, 12, 25, 8, 0, 0, TimeSpan.Zero),
        Strike = 100_000,
        Type = OptionType.Call,
        TimeMs = timeMs,
        Side = TradeSide.Buy,
        Size = 1,
        Price = 1_000,
    };

    [Fact]
    public async Task Waiting_on_a_coin_without_trades_creates_no_tape_and_ends_with_its_first_trade()
    {
        var tape = TapeKeeping(10);
        tape.Append([TradeOf("b1", 1)]);

        var wait = tape.WaitAsync("NOPE", 0, TestContext.Current.CancellationToken);
        var other = tape.WaitAsync("ETH", 0, TestContext.Current.CancellationToken);
        Assert.False(wait.IsCompleted);
        Assert.Equal(["BTC"], tape.Coins);

        // Another coin's trade wakes the wait to look again; it goes on waiting for its own.
        tape.Append([TradeOf("b2", 2)]);
        Assert.False(other.IsCompleted);
        Assert.Equal(["BTC"], tape.Coins);

        tape.Append([TradeOf("e1", 3, coin: "ETH")]);
        await other.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.False(wait.IsCompleted);
        Assert.Equal(["BTC", "ETH"], tape.Coins.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void After_into_a_buffer_reads_as_many_as_fit_oldest_first_and_the_oldest_is_known()
    {
        var tape = TapeKeeping(3);
        Assert.Equal(0, tape.OldestSequence("BTC"));
        Assert.Null(tape.OldestTimeMs("BTC"));
        tape.Append([TradeOf("a", 10), TradeOf("b", 20), TradeOf("c", 30), TradeOf("d", 40)]);

        var buffer = new Trade[2];
        Assert.Equal(2, tape.After("btc", 0, buffer));
        Assert.Equal(["b", "c"], buffer.Select(t => t.Id));
        Assert.Equal(1, tape.After("BTC", 3, buffer));
        Assert.Equal("d", buffer[0].Id);
        Assert.Equal(0, tape.After("BTC", 4, buffer));
        Assert.Equal(0, tape.After("ETH", 0, buffer));

        // The ring forgot "a": its oldest is "b".
        Assert.Equal((2L, 20L), (tape.OldestSequence("BTC"), tape.OldestTimeMs("BTC")!.Value));
        Assert.True(tape.Contains("BTC", Venue.Bybit, "b"));
        Assert.False(tape.Contains("BTC", Venue.Bybit, "a"));
    }
}
