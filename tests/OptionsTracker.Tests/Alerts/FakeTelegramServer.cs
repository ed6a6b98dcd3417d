using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace OptionsTracker.Tests.Alerts;

/// <summary>
/// A loopback stand-in for the Telegram Bot API: answers <c>POST /bot{token}/sendMessage</c> as Telegram does and
/// records what it received. <see cref="FailWithStatus"/> makes it answer errors the way Telegram does.
/// </summary>
public sealed class FakeTelegramServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<TelegramMessage> _messages = new();
    private int _nextId;

    private FakeTelegramServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>When set, every request is answered with this status and <c>"ok":false</c>.</summary>
    public int? FailWithStatus { get; set; }

    public IReadOnlyList<TelegramMessage> Messages => [.. _messages];

    public int CountContaining(string text) => Messages.Count(m => m.Text.Contains(text, StringComparison.Ordinal));

    public static async Task<FakeTelegramServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeTelegramServer(app);
        app.MapPost("/bot{token}/sendMessage", server.SendMessageAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address);
        return server;
    }

    private async Task SendMessageAsync(HttpContext context, string token)
    {
        string chatId, text;
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            (chatId, text) = (form["chat_id"].ToString(), form["text"].ToString());
        }
        else
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var chat = body.RootElement.GetProperty("chat_id");
            chatId = chat.ValueKind == JsonValueKind.Number ? chat.GetRawText() : chat.GetString()!;
            text = body.RootElement.GetProperty("text").GetString()!;
        }

        context.Response.ContentType = "application/json";
        if (FailWithStatus is { } status)
        {
            context.Response.StatusCode = status;
            await context.Response.WriteAsync(JsonSerializer.Serialize(new { ok = false, error_code = status, description = "Unauthorized" }));
            return;
        }
        _messages.Enqueue(new TelegramMessage(token, chatId, text));
        var id = Interlocked.Increment(ref _nextId);
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            ok = true,
            result = new
            {
                message_id = id,
                date = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                chat = new { id = long.TryParse(chatId, out var numeric) ? numeric : 1, type = "private" },
                text,
            },
        }));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed record TelegramMessage(string Token, string ChatId, string Text);
