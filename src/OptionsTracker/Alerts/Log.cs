namespace OptionsTracker.Alerts;

/// <summary>
/// Log lines of the alerts feature. Stable event ids: append, never renumber. No line carries the bot token or
/// the webhook URL (both may be secrets): error text passes through <see cref="Secrets.Redact"/> first.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(5001, LogLevel.Information, "Alerts are off: set Alerts:TelegramBotToken and Alerts:TelegramChatId (or TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID), or Alerts:WebhookUrl, to turn them on")]
    public static partial void AlertsOff(ILogger logger);

    [LoggerMessage(5002, LogLevel.Information, "Alerts on: Telegram {Telegram}, webhook {Webhook}, {Rules} rules, evaluated every {Interval}")]
    public static partial void AlertsOn(ILogger logger, bool telegram, bool webhook, int rules, TimeSpan interval);

    [LoggerMessage(5003, LogLevel.Information, "Alert {Name}: {Text}")]
    public static partial void AlertRaised(ILogger logger, string name, string text);

    [LoggerMessage(5004, LogLevel.Warning, "Sending alert {Name} to {Sink} failed: {Error}")]
    public static partial void SendFailed(ILogger logger, string name, string sink, string error);

    [LoggerMessage(5005, LogLevel.Warning, "The alert queue was full: {Dropped} alerts dropped so far (oldest first)")]
    public static partial void AlertsDropped(ILogger logger, long dropped);

    [LoggerMessage(5006, LogLevel.Error, "Evaluating alerts failed: {Error}; trying again at the next tick")]
    public static partial void EvaluationFailed(ILogger logger, string error);

    [LoggerMessage(5007, LogLevel.Debug, "Rule {Rule}: no value ({Reason})")]
    public static partial void RuleHasNoValue(ILogger logger, string rule, string reason);

    [LoggerMessage(5008, LogLevel.Debug, "Alert {Name} sent to {Sink}")]
    public static partial void AlertSent(ILogger logger, string name, string sink);

    [LoggerMessage(5009, LogLevel.Error, "The alert dispatcher failed: {Error}; restarting it")]
    public static partial void DispatcherFailed(ILogger logger, string error);

    [LoggerMessage(5010, LogLevel.Information, "Sending alert {Name} to {Sink} failed ({Error}); try {Attempt} in {Delay}")]
    public static partial void SendRetrying(ILogger logger, string name, string sink, string error, int attempt, TimeSpan delay);
}
