using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OptionsTracker.Tests.Api;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Strategies;

/// <summary>
/// <c>POST /api/strategy/evaluate</c> and <c>GET /api/strategy/presets</c> on a simulated board held still: the entry
/// and the payoff at expiry agree with a recomputation from the option items, and every bad leg is a 400 naming it.
/// </summary>
public sealed class StrategyApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(HttpClient http, object body)
    {
        using var response = await http.PostAsJsonAsync("/api/strategy/evaluate", body, Ct);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!);
    }

    [Fact]
    public async Task An_iron_condor_from_the_presets_costs_what_its_legs_quote_and_pays_its_intrinsic_values_at_expiry()
    {
        await using var app = await TrackerApp.StartWithSimulatorAsync(instruments: PresetBoards.Instruments);
        await app.WaitForFullBoardAsync();
        app.Simulator!.Faults.SilentConnections = true;
        using var http = app.Http();

        // The expiry with the most strikes that the condor's wings three strikes out are listed on.
        var (expiry, condor) = await PresetBoards.PresetAsync(app, http, "iron_condor");
        var presets = await OptionsApiTests.GetJsonAsync(http, $"/api/strategy/presets?asset=BTC&expiry={expiry}");
        Assert.Equal("BTC", (string?)presets["asset"]);
        Assert.Equal(expiry, (string?)presets["expiry"]);
        Assert.Contains(presets["data"]!.AsArray(), p => (string?)p!["name"] == "calendar");
        var legs = condor.Select(l => new
        {
            symbol = (string)l!["symbol"]!,
            side = (string)l["side"]!,
            quantity = (double)l["quantity"]!,
        }).ToList();
        Assert.Equal(4, legs.Count);

        JsonNode? body = null;
        double expectedTouch = double.NaN;
        var spot = 0.0;
        await Eventually.Until(async () =>
        {
            expectedTouch = 0;
            var strikes = new List<(double Strike, bool Call, int Sign)>();
            foreach (var leg in legs)
            {
                var item = (await OptionsApiTests.GetJsonAsync(http, $"/api/option/{leg.symbol}"))!;
                var buy = leg.side == "buy";
                expectedTouch += (buy ? 1 : -1) * leg.quantity * (double)item[buy ? "ask_price" : "bid_price"]!;
                strikes.Add(((double)(decimal)item["strike"]!, (string?)item["type"] == "Call", buy ? 1 : -1));
            }
            spot = strikes.Average(s => s.Strike);
            var (status, answer) = await PostAsync(http, new { legs, spot_points = new[] { spot } });
            Assert.Equal(HttpStatusCode.OK, status);
            body = answer;
            var touch = (double)answer["entry"]!["touch"]!["premium"]!;
            var intrinsic = strikes.Sum(s => s.Sign * (s.Call ? Math.Max(spot - s.Strike, 0) : Math.Max(s.Strike - spot, 0)));
            return Math.Abs(touch - expectedTouch) < 1e-6
                && Math.Abs((double)answer["payoff"]!["at_expiry"]![0]! - (intrinsic - touch)) < 1e-6;
        }, "the evaluation agreeing with the legs' quotes");

        // A short iron condor entered at the marks: a credit (each short option is nearer the money than its wing, so worth
        // more), bounded both ways, two breakevens around the short strikes. At the touch it need not be a credit: on a
        // fine grid the spreads paid on four legs can exceed the premium collected (it failed so on 3 December, 600 options).
        var (markStatus, atMark) = await PostAsync(http, new { legs, entry = "mark" });
        Assert.Equal(HttpStatusCode.OK, markStatus);
        Assert.True((double)atMark["entry"]!["mark"]!["premium"]! < 0, $"{atMark["entry"]}");
        Assert.NotNull(atMark["max_profit"]);
        Assert.NotNull(atMark["max_loss"]);
        Assert.Equal(2, atMark["breakevens"]!.AsArray().Count);
        Assert.NotNull(body!["max_profit"]);
        Assert.NotNull(body["max_loss"]);
        Assert.InRange((double)body["pop"]!["probability"]!, 0.0, 1.0);
        Assert.Equal("atm_iv", (string?)body["pop"]!["iv_source"]);
        Assert.Equal(21, body["grid"]![0]!["pnl"]!.AsArray().Count);
        Assert.Equal(21, body["grid"]![0]!["pnl"]![0]!.AsArray().Count);
        Assert.Equal(4, body["legs"]!.AsArray().Count);
        Assert.NotNull(body["greeks"]!["model"]!["delta"]);
        Assert.NotNull(body["greeks"]!["exchange"]!["vega"]);
    }

    [Fact]
    public async Task Every_bad_leg_or_setting_is_a_400_naming_it()
    {
        await using var app = await TrackerApp.StartWithSimulatorAsync();
        using var http = app.Http();
        var btc = app.Book.Index.All.First(s => s.Instrument.BaseCoin == "BTC").Instrument.Symbol;
        var eth = app.Book.Index.All.First(s => s.Instrument.BaseCoin == "ETH").Instrument.Symbol;
        object Leg(string symbol, string side = "buy", double quantity = 1) => new { symbol, side, quantity };

        (object Body, string Error)[] cases =
        [
            (new { legs = Array.Empty<object>() }, "legs"),
            (new { legs = Enumerable.Range(0, 21).Select(_ => Leg(btc)).ToArray() }, "legs"),
            (new { legs = new[] { Leg(btc), Leg("BTC-1JAN20-1-C-USDT") } }, "legs[1].symbol"),
            (new { legs = new[] { Leg("NOPE-1JAN20-1-C-USDT") } }, "legs[0].symbol"),
            (new { legs = new object[] { new { forward = "25DEC26", side = "buy", quantity = 1 } } }, "asset"),
            (new { legs = new[] { Leg(btc), Leg(eth) } }, "legs[1].symbol"),
            (new { legs = new[] { Leg(btc, quantity: 0) } }, "legs[0].quantity"),
            (new { legs = new[] { Leg(btc, quantity: -2) } }, "legs[0].quantity"),
            (new { legs = new[] { Leg(btc, quantity: 1e9) } }, "legs[0].quantity"),
            (new { legs = new[] { Leg(btc, side: "hold") } }, "legs[0].side"),
            (new { legs = new[] { Leg(btc) }, vol_model = "sticky_moneyness" }, "vol_model"),
            (new { legs = new[] { Leg(btc) }, entry = "mid" }, "entry"),
            (new { legs = new[] { Leg(btc) }, vol_shift = 500 }, "vol_shift"),
            (new { legs = new[] { Leg(btc) }, spot_points = new[] { -1.0 } }, "spot_points"),
            (new { legs = new[] { Leg(btc) }, date = "someday" }, "date"),
            (new { legs = new[] { Leg(btc) }, date = "2099-01-01T00:00:00Z" }, "date"),
            (new { legs = new object[] { new { forward = "1JAN20", side = "sell", quantity = 1 } }, asset = "BTC" }, "legs[0].forward"),
        ];
        foreach (var (body, error) in cases)
        {
            var (status, problem) = await PostAsync(http, body);
            Assert.True(status == HttpStatusCode.BadRequest, $"{error}: {status} {problem}");
            Assert.True(problem["errors"]?[error] is not null, $"{error} not named in {problem}");
        }

        var (unknownStatus, _) = await PostAsync(http, new { asset = "DOGE", legs = new object[] { new { forward = "25DEC26", side = "buy", quantity = 1 } } });
        Assert.Equal(HttpStatusCode.NotFound, unknownStatus);
    }

    [Fact]
    public async Task A_forward_leg_hedges_the_delta_and_the_presets_list_without_an_asset_describes_each_structure()
    {
        await using var app = await TrackerApp.StartWithSimulatorAsync();
        using var http = app.Http();
        Assert.True(app.Book.Index.TryGetCoin("BTC", out var coin));
        var expiry = coin.Expiries[1];
        var call = expiry.Slots.Where(s => s.Instrument.Type == OptionsTracker.Book.OptionType.Call)
            .MinBy(s => Math.Abs(s.Instrument.StrikeValue - s.ReadQuote().UnderlyingPrice))!.Instrument.Symbol;

        app.Simulator!.Faults.SilentConnections = true;
        JsonNode? hedged = null;
        // The two answers must see one market: asked again until nothing moved in between.
        await Eventually.Until(async () =>
        {
            var (_, naked) = await PostAsync(http, new { legs = new object[] { new { symbol = call, side = "buy", quantity = 10 } } });
            // The exchange's delta: the model's moves with the clock between two requests (time decay), a quote's does not.
            var delta = (double)naked["greeks"]!["exchange"]!["delta"]!;
            var (status, answer) = await PostAsync(http, new
            {
                legs = new object[]
                {
                    new { symbol = call, side = "buy", quantity = 10 },
                    new { forward = expiry.Label, side = "sell", quantity = delta },
                },
            });
            Assert.Equal(HttpStatusCode.OK, status);
            hedged = answer;
            return Math.Abs((double)answer["greeks"]!["exchange"]!["delta"]!) < 1e-9;
        }, "a delta-hedged call with a net delta of zero");

        Assert.Equal("forward", (string?)hedged!["legs"]![1]!["type"]);
        var all = await OptionsApiTests.GetJsonAsync(http, "/api/strategy/presets");
        Assert.Null(all["asset"]);
        Assert.True(all["data"]!.AsArray().Count >= 15);
        Assert.All(all["data"]!.AsArray(), p => Assert.NotEmpty(p!["structure"]!.AsArray()));
    }
}
