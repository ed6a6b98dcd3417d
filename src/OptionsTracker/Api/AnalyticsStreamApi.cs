using System.ComponentModel;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Api;

/// <summary>
/// The term figures live: Server-Sent Events at <c>/api/analytics/{asset}/stream</c>, each event (<c>term</c>) the
/// body of <c>/api/analytics/{asset}/term</c>. The first at once, then the coin's latest snapshot
/// (<see cref="MarketAnalytics"/>) whenever a quote of the coin changed, at most one per
/// <see cref="ApiOptions.StreamInterval"/>; when idle for <see cref="ApiOptions.StreamKeepAlive"/>, the snapshot if it
/// moved without a quote (realised volatility, the clock), else a keep-alive comment. The stream shares everything else with <c>/api/stream</c>: <see cref="StreamGate"/>'s caps (it counts
/// toward <see cref="ApiOptions.MaxStreamsPerClient"/> and <see cref="ApiOptions.MaxStreams"/>), the send timeout that
/// drops a client that stopped reading, and the end at shutdown. Events carry no <c>id:</c>, like the option stream's:
/// a reconnecting client gets the current figures first anyway.
/// </summary>
public static class AnalyticsStreamApi
{
    public static void MapAnalyticsStreamApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/analytics").WithTags("Analytics")
            .MapGet("/{asset}/stream", GetStream)
            .WithName("StreamTerm")
            .WithSummary("Server-Sent Events: the term figures, again whenever they change")
            .WithDescription("Events `term`, each the body of /api/analytics/{asset}/term (per expiry and per constant tenor): the first at once, then whenever the figures changed, a few per second at most (Api:StreamInterval). Idle streams get a comment line as keep-alive.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    internal static async Task<Results<EmptyHttpResult, ProblemHttpResult, ValidationProblem>> GetStream(
        string asset,
        [FromQuery(Name = "venue"), Description(AnalyticsVenue.Description)] string? venue,
        HttpContext context,
        BookReader reader,
        MarketAnalytics analytics,
        StreamGate gate,
        IOptions<ApiOptions> options,
        IOptions<AnalyticsOptions> analyticsOptions,
        ILoggerFactory loggers,
        IHostApplicationLifetime lifetime,
        CancellationToken requestAborted)
    {
        var index = reader.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out _))
            return reader.UnknownAsset(index, asset);
        if (!AnalyticsVenue.TryParse(venue, reader, out var only, out var badVenue))
            return badVenue!;
        if (!gate.TryEnter(context.Connection.RemoteIpAddress, out var lease, out var refusal))
            return StreamApi.TooManyStreams(context, refusal);
        using var streamSlot = lease;

        var logger = loggers.CreateLogger(typeof(AnalyticsStreamApi));
        var settings = options.Value;
        var response = StreamApi.StartEventStream(context);

        using var lifetimeOrRequest = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping);
        var cancellationToken = lifetimeOrRequest.Token;
        // Only to be woken: the figures come from the shared snapshot, never from the changed slots themselves.
        var cursor = new BookCursor(reader.Book, i => i.TryGetCoin(name, out var coin) ? coin.Slots : []);
        var clientId = context.TraceIdentifier;
        Log.TermStreamSubscribed(logger, clientId, name);
        using var messages = new SseMessages(response.BodyWriter, reader.Time, settings.StreamSendTimeout, cancellationToken);
        var minInterval = analyticsOptions.Value.MinInterval;
        long sends = 0;
        try
        {
            cursor.TakeChanges();
            var sent = analytics.Get(name, only);
            await messages.SendJsonAsync("term"u8, AnalyticsApi.Term(name, sent, only), AppJsonContext.Default.TermResponse);
            sends++;
            var lastSend = reader.Time.GetTimestamp();
            while (!cancellationToken.IsCancellationRequested)
            {
                var woken = true;
                try
                {
                    await cursor.WaitForChangeAsync(cancellationToken).WaitAsync(settings.StreamKeepAlive, reader.Time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    // No quote moved, but the figures may have: days to expiry run on (Analytics:MaxAge), realised
                    // volatility arrives on its own schedule.
                    woken = false;
                }
                if (woken)
                    await StreamApi.ThrottleAsync(reader.Time, lastSend, settings.StreamInterval, cancellationToken);
                // A change of another coin wakes the cursor too; it moves this coin's snapshot only in its time stamp.
                if (cursor.TakeChanges().IsEmpty && woken)
                    continue;
                var current = await LatestAsync(analytics, name, only, cursor.Sequence, minInterval, reader.Time, cancellationToken);
                if (ReferenceEquals(current, sent))
                {
                    if (!woken)
                        await messages.SendKeepAliveAsync();
                    continue;
                }
                await messages.SendJsonAsync("term"u8, AnalyticsApi.Term(name, current, only), AppJsonContext.Default.TermResponse);
                sent = current;
                lastSend = reader.Time.GetTimestamp();
                sends++;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && messages.TimedOut)
        {
            StreamApi.DropSlowClient(context, gate, logger, clientId, "sse", settings);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left.
        }
        catch (IOException)
        {
            // The connection broke.
        }
        Log.StreamEnded(logger, clientId, "sse", sends);
        return TypedResults.Empty;
    }

    /// <summary>
    /// The coin's snapshot including every change up to <paramref name="seen"/>. The cache hands out its last snapshot
    /// for <see cref="AnalyticsOptions.MinInterval"/> even when the book moved since; a stream that took that one would
    /// hold the change back until the next one, which in a quiet market may never come. So it waits out the interval.
    /// </summary>
    private static async Task<CoinAnalytics?> LatestAsync(
        MarketAnalytics analytics, string coin, Venue? venue, long seen, TimeSpan minInterval, TimeProvider time, CancellationToken cancellationToken)
    {
        var current = analytics.Get(coin, venue);
        while (current is not null && current.Sequence < seen)
        {
            var wait = current.At + minInterval - time.GetUtcNow();
            await Task.Delay(wait > TimeSpan.FromMilliseconds(1) ? wait : TimeSpan.FromMilliseconds(1), time, cancellationToken);
            current = analytics.Get(coin, venue);
        }
        return current;
    }
}
