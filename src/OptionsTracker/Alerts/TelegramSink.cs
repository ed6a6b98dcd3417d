using System.Globalization;
using Microsoft.Extensions.Options;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace OptionsTracker.Alerts;

/// <summary>Posts alerts as plain-text messages to one Telegram chat through the Bot API (<c>sendMessage</c>).</summary>
internal sealed class TelegramSink : IAlertSink
{
    public const string HttpClientName = "OptionsTracker.Alerts.Telegram";

    private readonly TelegramBotClient _client;
    private readonly ChatId _chat;

    public TelegramSink(IHttpClientFactory httpClients, IOptions<AlertsOptions> options)
    {
        var settings = options.Value;
        // The validator has checked both; a token without a chat id never gets here.
        var token = settings.TelegramBotToken!;
        var chat = settings.TelegramChatId!;
        _client = new TelegramBotClient(new TelegramBotClientOptions(token, settings.TelegramApiBaseUrl.AbsoluteUri), httpClients.CreateClient(HttpClientName));
        _chat = long.TryParse(chat, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) ? new ChatId(id) : new ChatId(chat);
    }

    public string Name => "telegram";

    public Task SendAsync(Alert alert, CancellationToken cancellationToken) =>
        // Plain text: no parse mode, so symbols and reasons need no escaping.
        _client.SendMessage(_chat, $"OptionsTracker: {alert.Text}", linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true },
            cancellationToken: cancellationToken);
}
