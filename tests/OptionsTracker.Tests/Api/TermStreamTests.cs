using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Api;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary><c>GET /api/analytics/{asset}/stream</c>: the term figures as Server-Sent Events, under the option streams' limits.</summary>
public sealed class TermStreamTests
{
    [Fact]
    public async Task Term_stream_sends_the_figures_at_once_then_again_as_the_market_moves()
    {
        await using var host = await TrackerApp.StartWithSimulatorAsync();
        using var http = host.Http();
        using var timeout = Timeout();

        await using var events = await SseEvents.OpenAsync(http, "/api/analytics/btc/stream", timeout.Token);
        var first = await events.NextAsync(timeout.Token);
        var expiries = host.Book.Index.TryGetCoin("BTC", out var coin) ? coin.Expiries.Count : 0;

        // The first event is the term endpoint's body: the same fields, one item per expiry.
        Assert.Equal("term", first.Event);
        Assert.Equal("BTC", (string?)first.Data["asset"]);
        Assert.Equal(expiries, (int)first.Data["total"]!);
        Assert.Equal(expiries, first.Data["data"]!.AsArray().Count);
        Assert.Equal([7.0, 14, 30, 60, 90, 180], first.Data["tenors"]!.AsArray().Select(t => (double)t!["tenor_days"]!));
        var body = await OptionsApiTests.GetJsonAsync(http, "/api/analytics/BTC/term");
        Assert.Equal(
            body.AsObject().Select(p => p.Key), first.Data.AsObject().Select(p => p.Key));
        Assert.Equal(body["data"]![0]!.AsObject().Select(p => p.Key), first.Data["data"]![0]!.AsObject().Select(p => p.Key));

        // The simulated market moves: later events carry later figures, each one different from the one before.
        var previous = first.Data;
        for (var i = 0; i < 3; i++)
        {
            var next = await events.NextAsync(timeout.Token);
            Assert.Equal("term", next.Event);
            Assert.True((DateTime)next.Data["time"]! > (DateTime)previous["time"]!, "each event is a newer snapshot");
            Assert.NotEqual(previous.ToJsonString(), next.Data.ToJsonString());
            previous = next.Data;
        }
    }

    [Fact]
    public async Task Term_stream_of_an_unknown_asset_is_404_and_term_streams_count_toward_the_stream_caps()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?>
        {
            ["Api:MaxStreamsPerClient"] = "2",
            ["Api:MaxStreams"] = "3",
        });
        BookBuilder.Fill(host.Book);
        using var timeout = Timeout();
        using var first = StreamClients.HttpFrom(StreamClients.Address(0), host.BaseAddress);
        using var second = StreamClients.HttpFrom(StreamClients.Address(1), host.BaseAddress);
        using var third = StreamClients.HttpFrom(StreamClients.Address(2), host.BaseAddress);

        // 404 before any stream starts: a problem, not an event stream, and no slot taken.
        using (var unknown = await first.GetAsync("/api/analytics/DOGE/stream", HttpCompletionOption.ResponseHeadersRead, timeout.Token))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        }

        // A term stream and an option stream from one client fill its two slots; a third of either kind is refused.
        var term = await SseEvents.OpenAsync(first, "/api/analytics/BTC/stream", timeout.Token);
        Assert.Equal("term", (await term.NextAsync(timeout.Token)).Event);
        await using var options = await SseEvents.OpenAsync(first, "/api/stream/XRP", timeout.Token);
        await AssertTermRefusedAsync(first, "Api:MaxStreamsPerClient = 2", timeout.Token);
        await StreamLimitsTests.AssertRefusedAsync(first, "Api:MaxStreamsPerClient = 2", timeout.Token);

        // The third stream in all is a term stream from another client; then the server is full for both kinds.
        await using var other = await SseEvents.OpenAsync(second, "/api/analytics/XRP/stream", timeout.Token);
        await AssertTermRefusedAsync(third, "Api:MaxStreams = 3", timeout.Token);
        await StreamLimitsTests.AssertRefusedAsync(third, "Api:MaxStreams = 3", timeout.Token);

        // A term stream that ends frees its slot.
        await term.DisposeAsync();
        await Eventually.Until(async () =>
        {
            using var response = await third.GetAsync("/api/analytics/BTC/stream", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.StatusCode == HttpStatusCode.OK;
        }, "a slot to free after a term stream ended");
        Assert.True(host.Services.GetRequiredService<StreamGate>().Refused >= 4);
    }

    [Fact]
    public async Task A_term_stream_client_that_stops_reading_is_dropped_once_an_event_waits_longer_than_the_send_timeout()
    {
        await using var host = await TrackerApp.StartForApiAsync(new Dictionary<string, string?> { ["Api:StreamSendTimeout"] = "00:00:02" });
        var today = DateOnly.FromDateTime(host.Book.TimeProvider.GetUtcNow().UtcDateTime);
        // A hundred expiries: each event some 30 KB, so a few fill the socket buffers of a client that does not read.
        host.Book.AddInstruments(Enumerable.Range(1, 100).SelectMany(d => new[]
        {
            BookBuilder.Create("BTC", today.AddDays(d), 100_000m, 'C'), BookBuilder.Create("BTC", today.AddDays(d), 100_000m, 'P'),
        }));
        using var timeout = Timeout();
        var gate = host.Services.GetRequiredService<StreamGate>();

        using var client = await StreamClients.OpenNonReadingSseAsync(IPAddress.Loopback, host.BaseAddress.Port, "/api/analytics/BTC/stream", timeout.Token);
        await Eventually.Until(() => gate.Open == 1 || gate.DroppedSlow > 0, "the client to be streaming");

        // The coin keeps moving, so there is always a newer event than the client has taken.
        var price = 1;
        await Eventually.Until(() =>
        {
            price++;
            foreach (var slot in host.Book.Index.All)
                BookBuilder.SetMarkPrice(host.Book, slot.Instrument.Symbol, price);
            return gate.Open == 0;
        }, "the non-reading term stream client to be dropped");
        Assert.Equal(1, gate.DroppedSlow);

        // The server is unharmed: a new term stream gets its figures.
        using var http = host.Http();
        await using var events = await SseEvents.OpenAsync(http, "/api/analytics/BTC/stream", timeout.Token);
        Assert.Equal(100, (int)(await events.NextAsync(timeout.Token)).Data["total"]!);
    }

    private static async Task AssertTermRefusedAsync(HttpClient client, string named, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync("/api/analytics/BTC/stream", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
        Assert.Contains(named, (string?)problem["detail"], StringComparison.Ordinal);
    }

    private static CancellationTokenSource Timeout()
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(Eventually.Timeout);
        return source;
    }
}
