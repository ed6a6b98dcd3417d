using System.ComponentModel.DataAnnotations;

namespace OptionsTracker.Alerts;

/// <summary>
/// Where alerts go and when they are raised. Alerts are off unless a Telegram bot token or a webhook URL is set.
/// </summary>
public sealed class AlertsOptions
{
    public const string Section = "Alerts";

    /// <summary>The official Bot API.</summary>
    public static readonly Uri DefaultTelegramApiBaseUrl = new("https://api.telegram.org");

    /// <summary>Bot token from @BotFather (<c>123456:ABC…</c>). Never logged. Legacy: <c>TELEGRAM_BOT_TOKEN</c>.</summary>
    public string? TelegramBotToken { get; set; }

    /// <summary>Chat to post to: a numeric id or <c>@channelname</c>. Legacy: <c>TELEGRAM_CHAT_ID</c>.</summary>
    public string? TelegramChatId { get; set; }

    /// <summary>Bot API server; a local Bot API server or a test fake can stand in for the official one.</summary>
    [Required]
    public Uri TelegramApiBaseUrl { get; set; } = DefaultTelegramApiBaseUrl;

    /// <summary>Every alert is also POSTed here as JSON when set.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>How often the feed, the store and the rules are looked at.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The feed must be down (no connection, exchange unreachable) or stale this long before it is reported.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan FeedDownAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The store (Redis) must report a problem this long before it is reported.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan StoreDownAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>More reconnects than this within <see cref="ReconnectStormWindow"/> is a reconnect storm.</summary>
    [Range(1, 100_000)]
    public int ReconnectStormCount { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ReconnectStormWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// At most this many messages a minute leave for Telegram and the webhook; more wait their turn (Telegram
    /// itself allows about 20 a minute in a group).
    /// </summary>
    [Range(1, 600)]
    public int MaxMessagesPerMinute { get; set; } = 20;

    /// <summary>Alerts waiting to be sent; when full the oldest is dropped and counted.</summary>
    [Range(1, 10_000)]
    public int QueueCapacity { get; set; } = 100;

    /// <summary>Per send (Telegram or webhook).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Tries per alert and destination. A send that fails for a passing reason (unreachable, timed out, 5xx, 429) is
    /// tried again after <see cref="SendRetryDelay"/>, doubling with jitter; one the destination refuses for good
    /// (a wrong token or chat, 4xx) is not. 1 = never retry.
    /// </summary>
    [Range(1, 10)]
    public int SendAttempts { get; set; } = 3;

    /// <summary>The wait before the first retry of a failed send.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan SendRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Rules on market data: <c>Alerts:Rules:0:Kind=AtmIv</c>, <c>Alerts:Rules:0:Asset=BTC</c>, …</summary>
    public AlertRuleOptions[] Rules { get; set; } = [];

    public bool HasTelegram => !string.IsNullOrWhiteSpace(TelegramBotToken);

    public bool HasWebhook => WebhookUrl is not null;

    /// <summary>Something to send alerts to.</summary>
    public bool IsEnabled => HasTelegram || HasWebhook;
}
