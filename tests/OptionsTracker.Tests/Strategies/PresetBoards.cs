using System.Text.Json.Nodes;
using OptionsTracker.Tests.Api;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Strategies;

/// <summary>Where the preset tests find a board their presets can be built on.</summary>
internal static class PresetBoards
{
    /// <summary>
    /// Options in the simulated market of a preset test. The simulator spreads its target count over every listed
    /// expiry, so how many strikes one expiry gets depends on the calendar: at 300 some days (3 December 2026, 25
    /// December 2026) leave no BTC expiry with three strikes on both sides of the money and the condors cannot be built.
    /// At 600 a scan of every fifth hour of a year found at least five strikes on each side of one expiry.
    /// </summary>
    public const int Instruments = 600;

    /// <summary>
    /// A preset built on the BTC board: its legs and the expiry they are on, the live expiry with the most strikes among
    /// those the preset can be built on (a delivered expiry stays in the book a while after 08:00 UTC, but presets are
    /// built on live expiries only). Fails naming every expiry tried when none will do.
    /// </summary>
    public static async Task<(string Expiry, JsonArray Legs)> PresetAsync(TrackerApp app, HttpClient http, string preset)
    {
        Assert.True(app.Book.Index.TryGetCoin("BTC", out var coin));
        var now = DateTimeOffset.UtcNow;
        var tried = new List<string>();
        foreach (var expiry in coin.Expiries.Where(e => e.ExpiryUtc > now).OrderByDescending(e => e.Slots.Count))
        {
            var presets = await OptionsApiTests.GetJsonAsync(http, $"/api/strategy/presets?asset=BTC&expiry={expiry.Label}");
            Assert.Equal(expiry.Label, (string?)presets["expiry"]);
            if (presets["data"]!.AsArray().Single(p => (string?)p!["name"] == preset)!["legs"] is JsonArray legs)
                return (expiry.Label, (JsonArray)legs.DeepClone());
            tried.Add($"{expiry.Label} ({expiry.Slots.Count} options)");
        }
        Assert.Fail($"No live BTC expiry builds {preset}; tried {string.Join(", ", tried)}");
        throw new InvalidOperationException("unreachable");
    }
}
