using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Bybit;
using OptionsTracker.Tests.Alerts;

namespace OptionsTracker.Tests.Bybit;

public class RestGateTests
{
    private static (RestGate Gate, FakeTimeProvider Time, CapturingLoggerProvider Logs) Create()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var logs = new CapturingLoggerProvider();
        var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var options = Microsoft.Extensions.Options.Options.Create(new BybitOptions { IpBanBackoff = TimeSpan.FromMinutes(10) });
        return (new RestGate(time, options, factory.CreateLogger<RestGate>()), time, logs);
    }

    [Fact]
    public async Task A_ban_holds_every_waiting_caller_until_it_ends_and_is_logged_once()
    {
        var (gate, time, logs) = Create();
        var start = time.GetUtcNow();

        var until = gate.Ban("https://api.bybit.com/v5/market/tickers?category=option&baseCoin=BTC");
        gate.Ban("https://api.bybit.com/v5/market/tickers?category=option&baseCoin=ETH");
        var first = gate.WaitAsync(TestContext.Current.CancellationToken).AsTask();
        var second = gate.WaitAsync(TestContext.Current.CancellationToken).AsTask();

        Assert.Equal(start.AddMinutes(10), until);
        Assert.Equal(until, gate.BannedUntil);
        time.Advance(TimeSpan.FromMinutes(9));
        Assert.False(first.IsCompleted || second.IsCompleted);
        var refused = Assert.Throws<BybitHttpException>(() => gate.ThrowIfBanned("v5/market/instruments-info"));
        Assert.Equal(until, refused.BannedUntil);
        Assert.Contains("banned", refused.Message, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromMinutes(1));
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Null(gate.BannedUntil);
        gate.ThrowIfBanned("v5/market/instruments-info");
        Assert.Single(logs.Lines, l => l.EventId == 1200);
        Assert.Single(logs.Lines, l => l.EventId == 1201);
    }

    [Fact]
    public async Task A_403_during_a_wait_extends_the_ban()
    {
        var (gate, time, _) = Create();
        gate.Ban("first");
        var waiting = gate.WaitAsync(TestContext.Current.CancellationToken).AsTask();
        time.Advance(TimeSpan.FromMinutes(5));
        var extended = gate.Ban("second");

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.False(waiting.IsCompleted);
        Assert.Equal(extended, gate.BannedUntil);
        time.Advance(TimeSpan.FromMinutes(5));
        await waiting.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("0%2C2", "0%2C2")]
    [InlineData("132766%3A2%2C132766%3A2", "132766%3A2%2C132766%3A2")]
    [InlineData("1234,500", "1234%2C500")]
    [InlineData("a b%zz", "a%20b%25zz")]
    public void Cursors_go_back_as_received_when_already_encoded(string cursor, string sent) =>
        Assert.Equal(sent, BybitRestClient.CursorParameter(cursor));
}
