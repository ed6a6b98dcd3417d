using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace OptionsTracker.Tests.Alerts;

/// <summary>A loopback webhook endpoint (<c>POST /hook</c>) recording each JSON body it receives.</summary>
public sealed class FakeWebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<JsonElement> _posts = new();

    private FakeWebhookReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<JsonElement> Posts => [.. _posts];

    private int _failNext;
    private int _refused;

    /// <summary>How many of the next POSTs to answer 503 Service Unavailable (without recording them).</summary>
    public int FailNext
    {
        get => Math.Max(0, Volatile.Read(ref _failNext));
        set => Volatile.Write(ref _failNext, value);
    }

    /// <summary>POSTs answered 503.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public static async Task<FakeWebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new FakeWebhookReceiver(app);
        app.MapPost("/hook", async (HttpContext context) =>
        {
            if (Interlocked.Decrement(ref receiver._failNext) >= 0)
            {
                Interlocked.Increment(ref receiver._refused);
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            receiver._posts.Enqueue(body.RootElement.Clone());
            return Results.NoContent();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(address + "/hook");
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
