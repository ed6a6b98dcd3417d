using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Options;
using OptionsTracker.Api;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Tape;

/// <summary>
/// The SSE events of a coin's trades framed once per batch window for every client (<see cref="TradeEventBlocks"/>):
/// whatever slice a client writes from the shared blocks is byte for byte the events of exactly its trades, as each
/// trade's own event (<see cref="TradeItemJson.Event"/>) would be: across a hole in the sequences, with a venue filter,
/// for trades never framed, and never a framed event for a different trade that has the same sequence.
/// </summary>
public sealed class TradeEventBlocksTests
{
    private static List<Trade> Tape(int count, int keep = 1_000)
    {
        var trades = FlowTests.SampleTrades(DateTimeOffset.UtcNow, count, seed: 11)
            .Select((t, i) => i % 3 == 0 ? t with { Venue = SecondVenue.Deribit, Id = "d-" + t.Id } : t)
            .OrderBy(t => t.TimeMs)
            .ToList();
        var tape = new TradeTape(Options.Create(new TapeOptions { Keep = keep }));
        tape.Append(trades);
        return [.. tape.After(trades[0].BaseCoin, 0)];
    }

    private static string Written(TradeEventBlocks blocks, IEnumerable<Trade> trades, OptionsTracker.Book.Venue? only = null)
    {
        var pipe = new Pipe();
        blocks.Write(pipe.Writer, [.. trades], only);
        pipe.Writer.Complete();
        pipe.Reader.TryRead(out var result);
        var text = Encoding.UTF8.GetString(result.Buffer);
        pipe.Reader.AdvanceTo(result.Buffer.End);
        return text;
    }

    private static string OneByOne(IEnumerable<Trade> trades) =>
        string.Concat(trades.Select(t => Encoding.UTF8.GetString(TradeItemJson.Event(t))));

    [Fact]
    public void A_slice_of_the_shared_blocks_is_exactly_the_events_of_the_clients_trades()
    {
        var trades = Tape(40);
        Assert.Equal(40, trades.Count);
        var blocks = new TradeEventBlocks();
        // Two windows, and a hole (sequences 21 and 22 never framed, as a mirrored tape may lack them).
        blocks.Frame(trades.Take(20).ToArray());
        blocks.Frame(trades.Skip(22).ToArray());

        // A client's batch within one block, across both blocks and the unframed hole, and all of it.
        foreach (var (skip, take) in new[] { (3, 10), (15, 20), (0, 40), (39, 1) })
        {
            var batch = trades.Skip(skip).Take(take).ToList();
            var written = Written(blocks, batch);
            Assert.Equal(OneByOne(batch), written);
            Assert.Equal(batch.Count, written.Split("\nevent: trade\n").Length - 1);
            Assert.StartsWith($"id: {batch[0].Sequence}\n", written, StringComparison.Ordinal);
        }

        // A client with a venue filter: only that venue's events, in order, from the same blocks.
        var deribit = trades.Where(t => t.Venue == SecondVenue.Deribit).ToList();
        Assert.NotEmpty(deribit);
        Assert.Equal(OneByOne(deribit), Written(blocks, trades, SecondVenue.Deribit));
    }

    [Fact]
    public void Windows_that_fill_several_arenas_and_a_window_larger_than_one_arena_are_sliced_exactly()
    {
        // ~0.5 KB an event: 6,000 trades are ~3 MB, three arenas and more; the last window alone exceeds one arena.
        var trades = Tape(6_000, keep: 10_000);
        Assert.Equal(6_000, trades.Count);
        var blocks = new TradeEventBlocks();
        var framed = 0;
        while (framed < 3_000)
        {
            blocks.Frame(trades.Skip(framed).Take(70).ToArray());
            framed += 70;
        }
        blocks.Frame(trades.Skip(framed).ToArray());
        Assert.True(trades.Skip(framed).Sum(t => TradeItemJson.Event(t).Length) > TradeEventBlocks.ArenaBytes, "the last window is larger than one arena");

        // Batches within a window, across windows that sit in two arenas, across into the large window, and inside it.
        foreach (var (skip, take) in new[] { (0, 128), (1_990, 128), (2_900, 200), (3_050, 128), (5_872, 128) })
        {
            var batch = trades.Skip(skip).Take(take).ToList();
            Assert.Equal(OneByOne(batch), Written(blocks, batch));
        }
    }

    [Fact]
    public void A_trade_that_is_not_the_framed_one_gets_its_own_event()
    {
        var trades = Tape(10);
        var blocks = new TradeEventBlocks();
        blocks.Frame(trades.ToArray());
        // The same sequence, another trade (a tape that reused the sequence): never the framed trade's bytes.
        var other = trades[4] with { Id = "another-trade" };
        var batch = trades.Take(4).Append(other).Concat(trades.Skip(5)).ToList();
        var written = Written(blocks, batch);
        Assert.Equal(OneByOne(batch), written);
        Assert.Contains("\"id\":\"another-trade\"", written, StringComparison.Ordinal);
        Assert.DoesNotContain($"\"id\":\"{trades[4].Id}\"", written, StringComparison.Ordinal);
    }
}
