using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using OptionsTracker.Bybit;
using OptionsTracker.Feed;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Bybit;

/// <summary>
/// An exchange that accepts connections and then says nothing (no pong, no ack, no push) is as down as one that refuses
/// them: the shards go through the same gate, so they come back as soon as it answers, not after a backoff that doubled
/// through the silence (issue 14: the first price moved 30 s after the feed returned).
/// </summary>
public sealed class SilentExchangeTests
{
    [Fact]
    public async Task A_silent_exchange_is_probed_by_one_shard_and_every_shard_is_live_again_once_it_answers()
    {
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC"], TargetInstrumentCount = 90 },
            TestContext.Current.CancellationToken);
        var options = new BybitOptions
        {
            WsUrl = simulator.WsUrl,
            PingInterval = TimeSpan.FromMilliseconds(200),
            PongTimeout = TimeSpan.FromMilliseconds(600),
            DataTimeout = TimeSpan.FromSeconds(60),
            // A first delay short enough for the test and a ceiling of ten minutes: backing off on its own through the
            // silence, a shard would soon wait minutes; probed through the gate, it waits MaxProbeDelay at most.
            ReconnectDelay = TimeSpan.FromMilliseconds(200),
            MaxReconnectDelay = TimeSpan.FromMinutes(10),
            MaxProbeDelay = TimeSpan.FromMilliseconds(200),
            AckTimeout = TimeSpan.FromSeconds(5),
        };
        var gate = new ExchangeGate(options.WsUrl, options, TimeProvider.System, NullLogger.Instance);
        using var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 100, QueueLimit = 100 });
        var book = BookBuilder.WithSymbols(TimeProvider.System, [.. simulator.GetInstruments().Select(i => i.Symbol)]);
        var topics = simulator.GetInstruments("BTC").Select(i => ShardSupervisor.TopicOf(i.Symbol)).Chunk(30).ToList();
        using var stop = new CancellationTokenSource();
        var shards = topics.Select((chunk, i) =>
        {
            var shard = new WebSocketShard(i + 1, book, options, TimeProvider.System, limiter, gate, NullLogger.Instance, _ => { });
            shard.Assign(chunk);
            return shard;
        }).ToList();
        var runs = shards.Select(s => s.RunAsync(stop.Token)).ToList();
        try
        {
            await Eventually.Until(() => shards.All(s => s.State == ShardState.Live), "every shard live");

            simulator.Faults.SilentConnections = true;
            // The live sessions die of a missing pong; the next ones get no answer at all: the exchange is down.
            await Eventually.Until(() => gate.IsDown, "the silent exchange to be taken as down");
            var reconnectsWhileDown = shards.Sum(s => s.Reconnects);
            // Several probe rounds: one shard tries, the others wait at the gate (their own backoff is not used).
            await Eventually.Until(() => shards.Sum(s => s.Reconnects) >= reconnectsWhileDown + 4, "a few probe rounds");
            Assert.True(gate.IsDown);
            Assert.All(shards, s => Assert.NotEqual(ShardState.Live, s.State));

            var recovery = Stopwatch.StartNew();
            simulator.Faults.SilentConnections = false;
            await Eventually.Until(() => !gate.IsDown && shards.All(s => s.State == ShardState.Live), "every shard live again after the exchange answers");
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"every one of {shards.Count} shards live {recovery.Elapsed.TotalSeconds:0.00} s after the exchange answered again "
                + $"(pong timeout {options.PongTimeout.TotalSeconds:0.0} s, probe at most every {options.MaxProbeDelay.TotalSeconds:0.0} s; "
                + $"the probe's own subscribes, sent into the silence, wait out the ack timeout of {options.AckTimeout.TotalSeconds:0} s)");
            Assert.All(shards, s => Assert.Equal(s.AssignedCount, s.SubscribedCount));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(runs);
        }
    }
}
