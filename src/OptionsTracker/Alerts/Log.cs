namespace OptionsTracker.Alerts;

// Event id blocks, one per feature (the namespace's last segment), unique across the program; operators filter on
// them, so keep ids and EventNames (= the method name) stable. Bybit 1xxx, Feed 2xxx, Api 3xxx, Store 4xxx,
// Alerts 5xxx, Security 6xxx, Health 7xxx, Dashboard 8xxx, Measures 9xxx.
// tests/OptionsTracker.Tests/Logging/EventIdTests.cs checks them.

/// <summary>
/// Log lines of the alerts feature. Stable event ids: append, never renumber. No line carries the bot token or
/// the webhook URL (both may be secrets): error text passes through <see cref="Secrets.Redact"/> first.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5001, EventName = "AlertsOff", Level = LogLevel.Information, Message = "Alerts are off: set Alerts:TelegramBotToken and Alerts:TelegramChatId (or TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID), or Alerts:WebhookUrl, to turn them on")]
    public static partial void AlertsOff(ILogger logger);

    [LoggerMessage(EventId = 5002, EventName = "AlertsOn", Level = LogLevel.Information, Message = "Alerts on: Telegram {Telegram}, webhook {Webhook}, {Rules} rules, evaluated every {Interval}")]
    public static partial void AlertsOn(ILogger logger, bool telegram, bool webhook, int rules, TimeSpan interval);

    [LoggerMessage(EventId = 5003, EventName = "AlertRaised", Level = LogLevel.Information, Message = "Alert {Name}: {Text}")]
    public static partial void AlertRaised(ILogger logger, string name, string text);

    [LoggerMessage(EventId = 5004, EventName = "SendFailed", Level = LogLevel.Warning, Message = "Sending alert {Name} to {Sink} failed: {Error}")]
    public static partial void SendFailed(ILogger logger, string name, string sink, string error);

    [LoggerMessage(EventId = 5005, EventName = "AlertsDropped", Level = LogLevel.Warning, Message = "The alert queue was full: {Dropped} alerts dropped so far (oldest first)")]
    public static partial void AlertsDropped(ILogger logger, long dropped);

    [LoggerMessage(EventId = 5006, EventName = "EvaluationFailed", Level = LogLevel.Error, Message = "Evaluating alerts failed: {Error}; trying again at the next tick")]
    public static partial void EvaluationFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 5007, EventName = "RuleHasNoValue", Level = LogLevel.Debug, Message = "Rule {Rule}: no value ({Reason})")]
    public static partial void RuleHasNoValue(ILogger logger, string rule, string reason);

    [LoggerMessage(EventId = 5008, EventName = "AlertSent", Level = LogLevel.Debug, Message = "Alert {Name} sent to {Sink}")]
    public static partial void AlertSent(ILogger logger, string name, string sink);

    [LoggerMessage(EventId = 5009, EventName = "DispatcherFailed", Level = LogLevel.Error, Message = "The alert dispatcher failed: {Error}; restarting it")]
    public static partial void DispatcherFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 5010, EventName = "SendRetrying", Level = LogLevel.Information, Message = "Sending alert {Name} to {Sink} failed ({Error}); try {Attempt} in {Delay}")]
    public static partial void SendRetrying(ILogger logger, string name, string sink, string error, int attempt, TimeSpan delay);

    // 5100–5149: rules on the tape's trades (LargeTrade, BlockTrade).

    [LoggerMessage(EventId = 5100, EventName = "TradeAlertsOn", Level = LogLevel.Information, Message = "Trade alerts on: {Rules} rules on {Coins}, for trades made from {Start:u} on (earlier ones, such as the start-up backfill, are not alerted)")]
    public static partial void TradeAlertsOn(ILogger logger, int rules, string coins, DateTimeOffset start);

    [LoggerMessage(EventId = 5101, EventName = "TradeAlertsWithoutTape", Level = LogLevel.Warning, Message = "{Rules} trade alert rules are configured but the tape is off (Tape:Enabled=false): they will never fire")]
    public static partial void TradeAlertsWithoutTape(ILogger logger, int rules);

    [LoggerMessage(EventId = 5102, EventName = "TradesBeforeStartSkipped", Level = LogLevel.Debug, Message = "Trade alerts on {Coin}: {Count} trades made before start (backfill) not alerted")]
    public static partial void TradesBeforeStartSkipped(ILogger logger, string coin, int count);

    [LoggerMessage(EventId = 5103, EventName = "TradesNotChecked", Level = LogLevel.Warning, Message = "Trade alerts on {Coin}: trades {From} to {To} of the tape were never checked (they left the ring before the alert reader got to them, or the mirror never had them)")]
    public static partial void TradesNotChecked(ILogger logger, string coin, long from, long to);

    [LoggerMessage(EventId = 5104, EventName = "TradeAlertsFailed", Level = LogLevel.Error, Message = "Checking the trades of {Coin} for alerts failed: {Error}; trying again in a second")]
    public static partial void TradeAlertsFailed(ILogger logger, string coin, string error);
}
