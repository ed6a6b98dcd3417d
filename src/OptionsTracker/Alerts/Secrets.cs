namespace OptionsTracker.Alerts;

/// <summary>
/// Keeps the bot token and the webhook URL out of logs. Telegram.Bot puts the token in every request URL
/// (<c>/bot{token}/sendMessage</c>), so exception text from it or from HttpClient may carry it.
/// </summary>
internal static class Secrets
{
    public const string Placeholder = "***";

    public static string Redact(string text, AlertsOptions options)
    {
        if (options.TelegramBotToken is { Length: > 0 } token)
            text = text.Replace(token, Placeholder, StringComparison.Ordinal);
        if (options.WebhookUrl is { } webhook)
            text = text.Replace(webhook.OriginalString, "(webhook)", StringComparison.Ordinal)
                .Replace(webhook.AbsoluteUri, "(webhook)", StringComparison.Ordinal);
        return text;
    }

    /// <summary>Type and message of an exception and its inner exceptions, without the stack (which may hold URLs).</summary>
    public static string Describe(Exception exception, AlertsOptions options)
    {
        var parts = new List<string>();
        for (Exception? e = exception; e is not null && parts.Count < 5; e = e.InnerException)
            parts.Add($"{e.GetType().Name}: {e.Message}");
        return Redact(string.Join(" --> ", parts), options);
    }
}
