using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Dashboard;
using OptionsTracker.Tape;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>What a tape view shows, without a browser: <see cref="TapeBoard"/> pulling the tape by sequence, and blocks grouped.</summary>
public class TapeBoardTests
{
    private static TradeTape TapeKeeping(int keep) => new(Options.Create(new TapeOptions { Keep = keep }));

    private static Trade TradeOf(string id, long timeMs, double size = 1, OptionType type = OptionType.Call, string? blockId = null) => new()
    {
        Venue = Venue.Bybit,
        Id = id,
        Symbol = $"BTC-25DEC26-100000-{(type == OptionType.Call ? "C" : "P")}-USDT",
        BaseCoin = "BTC",
        ExpiryUtc = new DateTimeOffset(2026, 12, 25, 8, 0, 0, TimeSpan.Zero),
        Strike = 100_000,
        Type = type,
        TimeMs = timeMs,
        Side = TradeSide.Buy,
        Size = size,
        Price = 1_000,
        IsBlock = blockId is not null,
        BlockId = blockId,
    };

    [Fact]
    public void Refresh_takes_what_was_appended_since_newest_first_bounded_and_filtered()
    {
        var tape = TapeKeeping(1_000);
        var board = new TapeBoard(tape, maxRows: 5);
        tape.Append(Enumerable.Range(1, 8).Select(i => TradeOf($"t{i}", i, size: i)));

        Assert.True(board.Refresh("BTC", TapeFilter.All));
        Assert.Equal(["t8", "t7", "t6", "t5", "t4"], board.Trades.Select(t => t.Id));
        Assert.Equal(8, board.LastSequence);
        Assert.False(board.Refresh("BTC", TapeFilter.All));

        tape.Append([TradeOf("t9", 9), TradeOf("t10", 10)]);
        Assert.True(board.Refresh("BTC", TapeFilter.All));
        Assert.Equal(["t10", "t9", "t8", "t7", "t6"], board.Trades.Select(t => t.Id));

        // A filter reads the whole tape afresh, then keeps to it as trades come.
        var large = TapeFilter.All with { MinSize = 3 };
        Assert.True(board.Refresh("BTC", large));
        Assert.Equal(["t8", "t7", "t6", "t5", "t4"], board.Trades.Select(t => t.Id));
        tape.Append([TradeOf("t11", 11, size: 1)]);
        Assert.False(board.Refresh("BTC", large));
        Assert.Equal(11, board.LastSequence);
        tape.Append([TradeOf("t12", 12, size: 7)]);
        Assert.True(board.Refresh("BTC", large));
        Assert.Equal("t12", board.Trades[0].Id);

        // Another coin starts from its own tape.
        Assert.True(board.Refresh("ETH", TapeFilter.All));
        Assert.Empty(board.Trades);
    }

    [Fact]
    public void A_reader_further_behind_than_a_pull_shows_the_newest_again()
    {
        var tape = TapeKeeping(TapeBoard.PullLimit * 2);
        var board = new TapeBoard(tape, maxRows: 3);
        board.Refresh("BTC", TapeFilter.All);
        tape.Append(Enumerable.Range(1, TapeBoard.PullLimit + 10).Select(i => TradeOf($"t{i}", i)));

        Assert.True(board.Refresh("BTC", TapeFilter.All));
        var last = TapeBoard.PullLimit + 10;
        Assert.Equal([$"t{last}", $"t{last - 1}", $"t{last - 2}"], board.Trades.Select(t => t.Id));
        Assert.Equal(last, board.LastSequence);
    }

    [Fact]
    public void A_blocks_legs_make_one_entry_in_exchange_order_wherever_they_print()
    {
        var tape = TapeKeeping(100);
        tape.Append([
            TradeOf("a1", 1, blockId: "A"), TradeOf("x", 2), TradeOf("a2", 3, type: OptionType.Put, blockId: "A"),
            TradeOf("b1", 4, blockId: "B"), TradeOf("lone", 5) with { IsBlock = true }, TradeOf("y", 6),
        ]);
        var board = new TapeBoard(tape, maxRows: 50);
        board.Refresh("BTC", TapeFilter.All);

        Assert.Equal([["y"], ["lone"], ["b1"], ["a1", "a2"], ["x"]], board.Entries.Select(e => e.Legs.Select(t => t.Id).ToArray()));
        var a = board.Entries.Single(e => e.BlockId == "A");
        Assert.True(a.IsBlock);
        Assert.Equal(2_000, a.PremiumUsd);
        Assert.True(board.Entries.Single(e => e.Lead.Id == "lone").IsBlock);
        Assert.False(board.Entries.Single(e => e.Lead.Id == "x").IsBlock);
    }
}
