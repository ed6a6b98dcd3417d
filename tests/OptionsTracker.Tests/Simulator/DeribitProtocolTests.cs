using System.Globalization;
using System.Net;
using System.Text.Json;
using OptionsTracker.Simulator;
using OptionsTracker.Simulator.Deribit;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Simulator;

/// <summary>
/// The Deribit simulator's shapes over real sockets, checked against Deribit's documentation: the JSON-RPC envelope over
/// HTTP and WebSocket, instruments, book summary, ticker subscriptions and their pushes.
/// </summary>
public sealed class DeribitProtocolTests
{
    internal static Task<DeribitSimulator> StartAsync(Action<DeribitSimulatorOptions>? configure = null)
    {
        var options = new DeribitSimulatorOptions { TargetInstrumentCount = 200 };
        configure?.Invoke(options);
        return DeribitSimulator.StartAsync(options, TestContext.Current.CancellationToken);
    }

    internal static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(DeribitSimulator simulator, string methodAndQuery)
    {
        using var http = new HttpClient { BaseAddress = simulator.RestUrl, Timeout = Eventually.Timeout };
        using var response = await http.GetAsync(new Uri(methodAndQuery, UriKind.Relative), TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(text);
        return (response.StatusCode, json.RootElement.Clone());
    }

    internal static async Task<JsonElement> CallAsync(WsTestClient client, int id, string method, object? parameters = null)
    {
        await client.SendAsync(JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method, @params = parameters ?? new { } }));
        return await client.ReceiveAsync(e => e.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt32() == id, $"answer to {method} #{id}");
    }

    [Fact]
    public async Task Get_instruments_lists_inverse_btc_options_with_deribits_fields_and_names()
    {
        await using var simulator = await StartAsync();
        var (status, body) = await GetAsync(simulator, "public/get_instruments?currency=BTC&kind=option");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("2.0", body.GetProperty("jsonrpc").GetString());
        Assert.False(body.GetProperty("testnet").GetBoolean());
        long usIn = body.GetProperty("usIn").GetInt64(), usOut = body.GetProperty("usOut").GetInt64();
        Assert.Equal(usOut - usIn, body.GetProperty("usDiff").GetInt64());
        var items = body.GetProperty("result").EnumerateArray().ToList();
        Assert.Equal(simulator.GetInstruments("BTC").Count, items.Count);
        Assert.NotEmpty(items);
        foreach (var item in items)
        {
            string name = item.GetProperty("instrument_name").GetString()!;
            var parts = name.Split('-');
            Assert.Equal("BTC", parts[0]);
            Assert.False(parts[1].StartsWith('0'), $"{name}: the day is not zero-padded");
            Assert.Equal(item.GetProperty("strike").GetDecimal().ToString(CultureInfo.InvariantCulture), parts[2]);
            Assert.Equal(item.GetProperty("option_type").GetString() == "call" ? "C" : "P", parts[3]);
            Assert.Equal("reversed", item.GetProperty("instrument_type").GetString());
            Assert.Equal("BTC", item.GetProperty("settlement_currency").GetString());
            Assert.Equal(1, item.GetProperty("contract_size").GetDouble());
            Assert.Equal("option", item.GetProperty("kind").GetString());
            Assert.True(item.GetProperty("is_active").GetBoolean());
            var expiry = DateTimeOffset.FromUnixTimeMilliseconds(item.GetProperty("expiration_timestamp").GetInt64());
            Assert.Equal(8, expiry.UtcDateTime.Hour);
            Assert.Equal(expiry.UtcDateTime.Day.ToString(CultureInfo.InvariantCulture), parts[1][..^5]);
        }
    }

    [Fact]
    public async Task Usdc_options_are_linear_and_named_with_the_usdc_root()
    {
        await using var simulator = await StartAsync();
        var (_, body) = await GetAsync(simulator, "public/get_instruments?currency=USDC&kind=option");

        var items = body.GetProperty("result").EnumerateArray().ToList();
        Assert.Contains(items, i => i.GetProperty("instrument_name").GetString()!.StartsWith("SOL_USDC-", StringComparison.Ordinal));
        Assert.Contains(items, i => i.GetProperty("instrument_name").GetString()!.StartsWith("XRP_USDC-", StringComparison.Ordinal));
        Assert.All(items, i =>
        {
            Assert.Equal("linear", i.GetProperty("instrument_type").GetString());
            Assert.Equal("USDC", i.GetProperty("settlement_currency").GetString());
        });
    }

    [Fact]
    public async Task A_bad_currency_is_an_invalid_params_error_with_data()
    {
        await using var simulator = await StartAsync();
        var (status, body) = await GetAsync(simulator, "public/get_instruments?currency=DOGE&kind=option");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = body.GetProperty("error");
        Assert.Equal(-32602, error.GetProperty("code").GetInt32());
        Assert.Equal("Invalid params", error.GetProperty("message").GetString());
        Assert.Equal("currency", error.GetProperty("data").GetProperty("param").GetString());
        Assert.False(body.TryGetProperty("result", out _));
    }

    [Fact]
    public async Task Book_summary_carries_every_option_with_null_for_an_empty_side()
    {
        await using var simulator = await StartAsync();
        var (_, body) = await GetAsync(simulator, "public/get_book_summary_by_currency?currency=ETH&kind=option");

        var items = body.GetProperty("result").EnumerateArray().ToList();
        Assert.Equal(simulator.GetInstruments("ETH").Count, items.Count);
        foreach (var item in items)
        {
            Assert.True(item.GetProperty("mark_price").GetDouble() >= 0);
            Assert.InRange(item.GetProperty("mark_iv").GetDouble(), 1, 500); // percent
            Assert.True(item.GetProperty("underlying_price").GetDouble() > 0);
            var bid = item.GetProperty("bid_price");
            Assert.True(bid.ValueKind == JsonValueKind.Null || bid.GetDouble() > 0, "an empty bid is null, a bid is positive");
        }
    }

    [Fact]
    public async Task A_ticker_subscription_answers_the_channels_and_pushes_what_was_recorded_as_last_pushed()
    {
        await using var simulator = await StartAsync();
        string name = simulator.GetInstruments("BTC")[3].InstrumentName;
        await using var client = await WsTestClient.ConnectAsync(simulator.WsUrl);

        var answer = await CallAsync(client, 1, "public/subscribe", new { channels = new[] { $"ticker.{name}.100ms", "ticker.BTC-1JAN20-1-C.100ms" } });

        Assert.Equal([$"ticker.{name}.100ms"], answer.GetProperty("result").EnumerateArray().Select(c => c.GetString() ?? "").ToArray());
        Assert.True(answer.TryGetProperty("usIn", out _) && answer.TryGetProperty("usOut", out _) && answer.TryGetProperty("usDiff", out _));
        var push = await client.ReceiveAsync(e => e.TryGetProperty("method", out var m) && m.GetString() == "subscription", "a ticker push");
        var parameters = push.GetProperty("params");
        Assert.Equal($"ticker.{name}.100ms", parameters.GetProperty("channel").GetString());
        var data = parameters.GetProperty("data");
        Assert.Equal(name, data.GetProperty("instrument_name").GetString());
        foreach (string field in new[] { "timestamp", "state", "mark_price", "mark_iv", "bid_iv", "ask_iv", "best_bid_price", "best_bid_amount", "best_ask_price",
            "best_ask_amount", "open_interest", "underlying_price", "underlying_index", "index_price", "settlement_price", "estimated_delivery_price", "greeks", "stats" })
            Assert.True(data.TryGetProperty(field, out _), field);
        foreach (string greek in new[] { "delta", "gamma", "vega", "theta", "rho" })
            Assert.True(data.GetProperty("greeks").TryGetProperty(greek, out _), greek);

        // The record of the last push is what went out (the latest push may have moved on; wait for a quiet match).
        await Eventually.Until(() => simulator.TryGetLastPushed(name, out _), "a recorded push");
        var mark = data.GetProperty("mark_price").GetDouble();
        var index = data.GetProperty("index_price").GetDouble();
        var underlying = data.GetProperty("underlying_price").GetDouble();
        Assert.True(mark > 0 && index > 0 && underlying > 0);
        Assert.InRange(data.GetProperty("mark_iv").GetDouble(), 1, 500);
        Assert.True(mark < 1, "an inverse BTC option is priced in BTC");
    }

    [Fact]
    public async Task The_record_of_the_last_push_equals_every_field_of_the_last_message_received()
    {
        await using var simulator = await StartAsync();
        var names = simulator.GetInstruments("BTC").Take(4).Select(i => i.InstrumentName).Append(simulator.GetInstruments("USDC")[0].InstrumentName).ToArray();
        await using var client = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await CallAsync(client, 1, "public/subscribe", new { channels = names.Select(n => $"ticker.{n}.100ms").ToArray() });
        var last = new Dictionary<string, JsonElement>();
        while (last.Count < names.Length)
        {
            var push = await client.ReceiveAsync(e => e.TryGetProperty("method", out var m) && m.GetString() == "subscription", "ticker pushes");
            var data = push.GetProperty("params").GetProperty("data");
            last[data.GetProperty("instrument_name").GetString()!] = data;
        }

        // Every push up to the unsubscribe's answer counts (none follows it: pushes and answers share one sender).
        await client.SendAsync(JsonSerializer.Serialize(new { jsonrpc = "2.0", id = 2, method = "public/unsubscribe", @params = new { channels = names.Select(n => $"ticker.{n}.100ms").ToArray() } }));
        while (true)
        {
            var message = await client.ReceiveAsync(_ => true, "pushes, then the unsubscribe's answer");
            if (message.TryGetProperty("id", out var id) && id.GetInt32() == 2)
            {
                Assert.Equal(names.Length, message.GetProperty("result").GetArrayLength());
                break;
            }

            if (message.TryGetProperty("params", out var p))
                last[p.GetProperty("data").GetProperty("instrument_name").GetString()!] = p.GetProperty("data");
        }

        Assert.Null(await client.TryReceiveAsync(TimeSpan.FromMilliseconds(300)));

        foreach (string name in names)
        {
            Assert.True(simulator.TryGetLastPushed(name, out var t), name);
            var d = last[name];
            Assert.Equal(t.Timestamp, d.GetProperty("timestamp").GetInt64());
            Assert.Equal(t.State, d.GetProperty("state").GetString());
            Assert.Equal(t.MarkPrice, d.GetProperty("mark_price").GetDouble());
            Assert.Equal(t.MarkIv, d.GetProperty("mark_iv").GetDouble());
            Assert.Equal(t.BestBidPrice, d.GetProperty("best_bid_price").GetDouble());
            Assert.Equal(t.BestBidAmount, d.GetProperty("best_bid_amount").GetDouble());
            Assert.Equal(t.BidIv, d.GetProperty("bid_iv").GetDouble());
            Assert.Equal(t.BestAskPrice, d.GetProperty("best_ask_price").GetDouble());
            Assert.Equal(t.BestAskAmount, d.GetProperty("best_ask_amount").GetDouble());
            Assert.Equal(t.AskIv, d.GetProperty("ask_iv").GetDouble());
            Assert.Equal(t.IndexPrice, d.GetProperty("index_price").GetDouble());
            Assert.Equal(t.UnderlyingPrice, d.GetProperty("underlying_price").GetDouble());
            Assert.Equal(t.UnderlyingIndex, d.GetProperty("underlying_index").GetString());
            Assert.Equal(t.OpenInterest, d.GetProperty("open_interest").GetDouble());
            Assert.Equal(t.SettlementPrice, d.GetProperty("settlement_price").GetDouble());
            Assert.Equal(t.EstimatedDeliveryPrice, d.GetProperty("estimated_delivery_price").GetDouble());
            Assert.Equal(t.Delta, d.GetProperty("greeks").GetProperty("delta").GetDouble());
            Assert.Equal(t.Gamma, d.GetProperty("greeks").GetProperty("gamma").GetDouble());
            Assert.Equal(t.Vega, d.GetProperty("greeks").GetProperty("vega").GetDouble());
            Assert.Equal(t.Theta, d.GetProperty("greeks").GetProperty("theta").GetDouble());
            Assert.Equal(t.Rho, d.GetProperty("greeks").GetProperty("rho").GetDouble());
            Assert.Equal(t.Volume, d.GetProperty("stats").GetProperty("volume").GetDouble());
            Assert.Equal(t.VolumeUsd, d.GetProperty("stats").GetProperty("volume_usd").GetDouble());
            Assert.True(t.BestAskPrice == 0 || t.BestBidPrice <= t.BestAskPrice, $"{name}: bid above ask");
        }
    }

    [Fact]
    public async Task Markprice_options_carries_every_option_of_the_index_with_its_iv_as_a_fraction()
    {
        await using var simulator = await StartAsync();
        await using var client = await WsTestClient.ConnectAsync(simulator.WsUrl);
        await CallAsync(client, 1, "public/subscribe", new { channels = new[] { "markprice.options.eth_usd" } });

        var push = await client.ReceiveAsync(e => e.TryGetProperty("params", out var p) && p.GetProperty("channel").GetString() == "markprice.options.eth_usd", "mark prices");

        var items = push.GetProperty("params").GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(simulator.GetInstruments("ETH").Select(i => i.InstrumentName).Order(StringComparer.Ordinal),
            items.Select(i => i.GetProperty("instrument_name").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(items, i => Assert.InRange(i.GetProperty("iv").GetDouble(), 0.01, 5));
    }

    [Fact]
    public async Task Json_rpc_over_http_post_answers_like_get_and_an_unknown_method_is_method_not_found()
    {
        await using var simulator = await StartAsync();
        using var http = new HttpClient { Timeout = Eventually.Timeout };
        var rpc = new Uri(simulator.RestUrl, "/api/v2");

        using var ok = await http.PostAsync(rpc, new StringContent("""{"jsonrpc":"2.0","id":"a1","method":"public/get_index_price","params":{"index_name":"btc_usd"}}"""), TestContext.Current.CancellationToken);
        using var okJson = JsonDocument.Parse(await ok.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using var unknown = await http.GetAsync(new Uri(simulator.RestUrl, "public/get_nothing"), TestContext.Current.CancellationToken);
        using var unknownJson = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal("a1", okJson.RootElement.GetProperty("id").GetString());
        // The index walks between the answer and this read: the same level, not the same digits.
        Assert.InRange(okJson.RootElement.GetProperty("result").GetProperty("index_price").GetDouble() / simulator.GetIndexPrice("BTC"), 0.99, 1.01);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(-32601, unknownJson.RootElement.GetProperty("error").GetProperty("code").GetInt32());
    }
}
