using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Configuration;

/// <summary>
/// `--demo` reads the built-in simulator and nothing of the exchange: every stream the tracker opens by default (the
/// option tickers, the trades and the block trades' RFQ stream) is pointed at the simulator. Until 4 December the RFQ
/// stream kept its default, Bybit's own, so a demo on a connected machine read the real exchange's block trades.
/// </summary>
public sealed class DemoModeTests
{
    [Fact]
    public async Task The_demo_reads_the_block_trades_from_its_simulator_not_from_bybit()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Directory.CreateTempSubdirectory("optionstracker-demo-").FullName;
        try
        {
            using var host = await HostProcess.StartAsync(new Dictionary<string, string>
            {
                ["Tracker__Assets"] = "BTC",
                // The lines that name the URLs read: the demo's warning, and the RFQ stream's start (Information).
                ["Logging__LogLevel__OptionsTracker.Bybit.BybitTradeFeed"] = "Information",
            }, folder, "--demo");
            await Eventually.Until(() => Task.FromResult(host.Output.Contains("Block trades: reading ", StringComparison.Ordinal)),
                "the RFQ stream to start", 60);
            await Eventually.Until(async () => (await host.Http.GetStringAsync("/api/options/BTC", ct)).Contains("BTC-", StringComparison.Ordinal),
                "the demo board to fill", 60);

            var output = host.Output;
            Assert.Contains("Demo mode: tracking the built-in Bybit simulator", output, StringComparison.Ordinal);
            Assert.Matches(@"Block trades: reading ws://127\.0\.0\.1:\d+/v5/public/rfq", output);
            Assert.DoesNotContain("bybit.com", output, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
