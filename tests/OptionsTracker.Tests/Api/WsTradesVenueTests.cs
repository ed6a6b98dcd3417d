using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;
using OptionsTracker.Tests.Tape;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// <c>/ws</c>'s trades channel with a <c>venue</c>, over real sockets with both venues' simulators trading: a client on
/// <c>deribit</c> receives Deribit's trades only, one on <c>bybit</c> Bybit's only, one without a venue every trade, each in
/// tape order; an unknown venue is answered with the error every other reader gives.
/// </summary>
public sealed class WsTradesVenueTests
{
    private const string Coin = "BTC";

    private static readonly Venue Deribit = Venue.Parse("deribit");

    [Fact]
    public async Task A_venue_subscription_receives_only_that_venues_trades_and_none_receives_both_in_tape_order()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await TrackerApp.StartWithBothVenuesAsync(new Dictionary<string, string?> { ["Tape:Enabled"] = "true" });
        var bybit = app.Simulator!;
        var deribit = app.Deribit!;
        var tape = app.Services.GetRequiredService<TradeTape>();

        // Both venues' trade feeds deliver before any client subscribes: one trade each on the tape.
        var warmUp = (Bybit: bybit.EmitTrades(Coin, 1)[0].Id, Deribit: deribit.EmitTrades(Coin, 1)[0].TradeId);
        await Eventually.Until(() => tape.Contains(Coin, Venue.Bybit, warmUp.Bybit) && tape.Contains(Coin, Deribit, warmUp.Deribit),
            "a trade of each venue on the tape");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Eventually.Timeout * 3);
        var start = tape.LastSequence(Coin);
        using var onDeribit = await SubscribeAsync(app, $$"""{"op":"subscribe","channel":"trades","asset":"{{Coin}}","venue":"deribit"}""", "deribit", timeout.Token);
        using var onBybit = await SubscribeAsync(app, $$"""{"op":"subscribe","channel":"trades","asset":"{{Coin}}","venue":"Bybit"}""", "bybit", timeout.Token);
        using var onAll = await SubscribeAsync(app, $$"""{"op":"subscribe","channel":"trades","asset":"{{Coin}}"}""", null, timeout.Token);

        // Interleaved: each venue's trades in several batches, each on the tape before the next, so the venues alternate there.
        var emittedBybit = new List<string>();
        var emittedDeribit = new List<string>();
        for (var round = 0; round < 3; round++)
        {
            var fromBybit = bybit.EmitTrades(Coin, 4 + round).Select(t => t.Id).ToList();
            await Eventually.Until(() => fromBybit.All(id => tape.Contains(Coin, Venue.Bybit, id)), "the round's Bybit trades on the tape");
            var fromDeribit = deribit.EmitTrades(Coin, 5 - round).Select(t => t.TradeId).ToList();
            await Eventually.Until(() => fromDeribit.All(id => tape.Contains(Coin, Deribit, id)), "the round's Deribit trades on the tape");
            emittedBybit.AddRange(fromBybit);
            emittedDeribit.AddRange(fromDeribit);
        }
        var total = emittedBybit.Count + emittedDeribit.Count;
        await Eventually.Until(() => tape.LastSequence(Coin) >= start + total, $"the {total} trades on the tape");
        var buffer = new Trade[total + 16];
        var onTape = buffer[..tape.After(Coin, start, buffer)];
        Assert.Equal(total, onTape.Length);

        var deribitItems = await ReceiveTradesAsync(onDeribit, emittedDeribit.Count, timeout.Token);
        var bybitItems = await ReceiveTradesAsync(onBybit, emittedBybit.Count, timeout.Token);
        var allItems = await ReceiveTradesAsync(onAll, total, timeout.Token);

        // Deribit's client: Deribit's trades alone, in the order Deribit made them (the tape's order of them).
        Assert.Equal(emittedDeribit, deribitItems.Select(i => (string)i["id"]!));
        Assert.All(deribitItems, i => Assert.Equal("deribit", (string?)i["venue"]));
        Assert.Equal(onTape.Where(t => t.Venue == Deribit).Select(t => t.Sequence), deribitItems.Select(i => (long)i["sequence"]!));
        Assert.Equal(emittedBybit, bybitItems.Select(i => (string)i["id"]!));
        Assert.All(bybitItems, i => Assert.Equal("bybit", (string?)i["venue"]));
        // No venue: both venues' trades, every one once, in tape order.
        Assert.Equal(onTape.Select(t => (t.Venue.Id, t.Id, t.Sequence)),
            allItems.Select(i => ((string)i["venue"]!, (string)i["id"]!, (long)i["sequence"]!)));
        Assert.Equal(emittedBybit.Concat(emittedDeribit).Order(StringComparer.Ordinal), allItems.Select(i => (string)i["id"]!).Order(StringComparer.Ordinal));

        // Nothing more arrives on the venue channels: a trade of the other venue only, then one of theirs, which comes next.
        var lateBybit = bybit.EmitTrades(Coin, 1)[0].Id;
        var lateDeribit = deribit.EmitTrades(Coin, 1)[0].TradeId;
        Assert.Equal([lateDeribit], (await ReceiveTradesAsync(onDeribit, 1, timeout.Token)).Select(i => (string)i["id"]!));
        Assert.Equal([lateBybit], (await ReceiveTradesAsync(onBybit, 1, timeout.Token)).Select(i => (string)i["id"]!));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{emittedBybit.Count} Bybit and {emittedDeribit.Count} Deribit trades; tape order: {string.Join(" ", onTape.Select(t => t.Venue.Id[0]))}");
    }

    [Fact]
    public async Task An_unknown_venue_on_the_trades_channel_gets_the_error_every_reader_gives()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await TrackerApp.StartWithBothVenuesAsync(new Dictionary<string, string?> { ["Tape:Enabled"] = "true" });
        await Eventually.Until(() => app.Book.Index.TryGetCoin(Coin, out var coin) && coin.Venues.Count == 2, "BTC options of both venues in the book");
        using var http = app.Http();
        using var rest = await http.GetAsync($"/api/trades/{Coin}?venue=okx", ct);
        Assert.Equal(HttpStatusCode.BadRequest, rest.StatusCode);
        var restError = (string)JsonNode.Parse(await rest.Content.ReadAsStringAsync(ct))!["errors"]!["venue"]![0]!;

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{app.BaseAddress.Port}/ws"), ct);
        await TradesApiTests.SendAsync(socket, $$"""{"op":"subscribe","channel":"trades","asset":"{{Coin}}","venue":"okx"}""", ct);
        var trades = await TradesApiTests.ReceiveAsync(socket, ct);
        await TradesApiTests.SendAsync(socket, $$"""{"op":"subscribe","asset":"{{Coin}}","venue":"okx"}""", ct);
        var options = await TradesApiTests.ReceiveAsync(socket, ct);

        TestContext.Current.TestOutputHelper?.WriteLine($"REST: {restError}\n/ws: {trades["message"]}");
        Assert.Equal("error", (string?)trades["type"]);
        Assert.Equal(restError, (string?)trades["message"]);
        Assert.Equal(restError, (string?)options["message"]);
        Assert.Contains("bybit, deribit", restError, StringComparison.Ordinal);
        // The socket lives on: a good subscribe after the bad one is answered.
        await TradesApiTests.SendAsync(socket, $$"""{"op":"subscribe","channel":"trades","asset":"{{Coin}}","venue":"deribit"}""", ct);
        var subscribed = await TradesApiTests.ReceiveAsync(socket, ct);
        Assert.Equal(("subscribed", "deribit"), ((string?)subscribed["type"], (string?)subscribed["venue"]));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
    }

    private static async Task<ClientWebSocket> SubscribeAsync(TrackerApp app, string message, string? venue, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{app.BaseAddress.Port}/ws"), cancellationToken);
        await TradesApiTests.SendAsync(socket, message, cancellationToken);
        var subscribed = await TradesApiTests.ReceiveAsync(socket, cancellationToken);
        Assert.Equal("subscribed", (string?)subscribed["type"]);
        Assert.Equal(venue, (string?)subscribed["venue"]);
        return socket;
    }

    /// <summary>The next <paramref name="count"/> trades the channel sends (an empty batch is never sent, so each message has some).</summary>
    private static async Task<List<JsonNode>> ReceiveTradesAsync(ClientWebSocket socket, int count, CancellationToken cancellationToken)
    {
        var items = new List<JsonNode>();
        while (items.Count < count)
        {
            var message = await TradesApiTests.ReceiveAsync(socket, cancellationToken);
            Assert.Equal("trades", (string?)message["type"]);
            var data = message["data"]!.AsArray();
            Assert.NotEmpty(data);
            items.AddRange(data.Select(i => i!));
        }
        Assert.Equal(count, items.Count);
        return items;
    }
}
