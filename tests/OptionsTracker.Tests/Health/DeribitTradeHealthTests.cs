using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Deribit;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Health;

/// <summary>
/// Deribit's trades in /health, as Bybit's are (<see cref="TradeFeedHealthTests"/>): a currency whose last trade backfill
/// failed makes the feed Degraded with a reason naming Deribit and the currency, and a backfill that answers clears it.
/// Both venues over real sockets. The failure enters through the feed's own entry point for a backfill that gave up
/// (<c>DeribitTradeFeed.Complete</c> with no trades), because the Deribit simulator's only request fault is 10028, which the
/// feed waits out at its gate rather than failing; the Bybit test covers a backfill failing over REST end to end.
/// </summary>
public sealed class DeribitTradeHealthTests
{
    private static async Task<(HttpStatusCode Status, string State, string Reason)> HealthAsync(TrackerApp app)
    {
        using var response = await app.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (response.StatusCode, json.RootElement.GetProperty("status").GetString()!, json.RootElement.GetProperty("reason").GetString() ?? "");
    }

    [Fact]
    public async Task A_failed_deribit_trade_backfill_degrades_health_naming_the_currency_until_one_answers()
    {
        await using var app = await TrackerApp.StartWithBothVenuesAsync(new Dictionary<string, string?> { ["Tape:Enabled"] = "true" });
        var feed = app.Services.GetRequiredService<DeribitTradeFeed>();
        await Eventually.Until(async () => (await HealthAsync(app)).State == "Healthy", "both venues live and healthy");

        feed.Complete("BTC", 0, null, hasMore: false, "no answer within 00:00:20");
        await Eventually.Until(async () => (await HealthAsync(app)).Reason.Contains("Deribit trade backfill of BTC failed", StringComparison.Ordinal),
            "/health names Deribit's failed backfill");
        var health = await HealthAsync(app);
        TestContext.Current.TestOutputHelper?.WriteLine($"/health: {health}");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("Degraded", health.State);
        Assert.Contains("no answer within 00:00:20", health.Reason, StringComparison.Ordinal);

        // The next backfill answers (nothing new in it): the trades are healthy again.
        feed.Complete("BTC", 0, [], hasMore: false, null);
        await Eventually.Until(async () => (await HealthAsync(app)).State == "Healthy", "/health healthy again");
    }
}
