using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Bybit;
using OptionsTracker.Feed;
using OptionsTracker.Simulator;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Tape;

/// <summary>
/// The RFQ stream's REST backfill (<c>/v5/rfq/public-trades</c>) over real sockets: read when the RFQ topic is subscribed
/// (at start and after a reconnect), it names the block legs whose RFQ message went out while the stream was away, and a
/// block the stream delivered already is not applied twice.
/// </summary>
public class RfqBackfillTests
{
    private const string Coin = "BTC";

    [Fact]
    public async Task A_block_executed_while_the_RFQ_stream_was_away_gets_its_block_id_from_the_REST_backfill()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = [Coin], TargetInstrumentCount = 120 }, ct);
        await using var app = await TrackerApp.StartAsync(simulator, new Dictionary<string, string?>
        {
            ["Tape:Enabled"] = "true",
            ["Bybit:RfqWsUrl"] = simulator.RfqWsUrl.AbsoluteUri,
            // Long enough for the stream to come back and the backfill to answer on a busy machine.
            ["Bybit:BlockTradeWait"] = "00:00:30",
        });
        var feed = app.Services.GetRequiredService<BybitTradeFeed>();
        var tape = app.Services.GetRequiredService<TradeTape>();
        await Eventually.Until(() => feed.GetStatus() is { Recoveries: > 0, Recovering.Count: 0 } s && s.RfqStream?.State == ShardState.Live
            && feed.RfqBackfillStatus.Read >= 1, "the trade topic and the RFQ stream subscribed, the RFQ backfill read once");

        // A block while everything is up: its legs get their id from the stream.
        var seen = simulator.EmitBlock(Coin, 2);
        await Eventually.Until(() => tape.After(Coin, 0).Count(t => t.BlockId == seen.RfqId) == 2, "the first block's legs named by the stream");

        // Every connection dropped and kept out; a block executes meanwhile, its RFQ message lost with the stream.
        simulator.Faults.RejectNewConnections = true;
        simulator.Faults.DropAllConnections();
        await Eventually.Until(() => feed.GetStatus().RfqStream?.State != ShardState.Live
            && app.Supervisor.GetStatus(out _).All(s => s.State != ShardState.Live), "the tracker to see its connections gone");
        var before = feed.RfqBackfillStatus;
        var missed = simulator.EmitBlock(Coin, 3);
        simulator.Faults.RejectNewConnections = false;

        // The option stream's backfill brings the legs (blocks wait for their id); the RFQ topic's backfill names them.
        await Eventually.Until(() => tape.After(Coin, 0).Count(t => t.IsBlock && missed.Legs.Any(l => l.Id == t.Id)) == 3,
            "the missed block's legs on the tape", timeoutSeconds: 90);
        var legs = tape.After(Coin, 0).Where(t => missed.Legs.Any(l => l.Id == t.Id)).ToList();
        var after = feed.RfqBackfillStatus;
        TestContext.Current.TestOutputHelper?.WriteLine($"RFQ backfill before the drop {before}, after {after}");
        Assert.All(legs, l => Assert.Equal(missed.RfqId, l.BlockId));
        Assert.True(after.Read > before.Read, "the RFQ backfill was read again after the reconnect");
        Assert.Null(after.Refused);
        // The REST window holds the block the stream delivered before the drop too: dropped as seen, not applied again.
        Assert.True(after.Duplicates >= 1, $"duplicates {after.Duplicates}");
        Assert.Equal(2, tape.After(Coin, 0).Count(t => t.BlockId == seen.RfqId));
        Assert.Equal(tape.After(Coin, 0).Count, tape.After(Coin, 0).Select(t => t.Id).Distinct().Count());
    }
}
