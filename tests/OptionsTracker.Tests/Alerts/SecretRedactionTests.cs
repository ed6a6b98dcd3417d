using OptionsTracker.Tests.Fixtures;
using Microsoft.Extensions.Logging;

namespace OptionsTracker.Tests.Alerts;

/// <summary>Telegram.Bot puts the bot token in every request URL; none of it may reach the logs.</summary>
public class SecretRedactionTests
{
    public enum TelegramAnswer
    {
        Ok,
        Unauthorized,
        Unreachable,
    }

    [Theory]
    [InlineData(TelegramAnswer.Ok)]
    [InlineData(TelegramAnswer.Unauthorized)]
    [InlineData(TelegramAnswer.Unreachable)]
    public async Task The_bot_token_never_appears_in_the_logs(TelegramAnswer answer)
    {
        await using var telegram = await FakeTelegramServer.StartAsync();
        telegram.FailWithStatus = answer == TelegramAnswer.Unauthorized ? 401 : null;
        var settings = TelegramAlertTests.TelegramSettings(telegram);
        // The feed cannot reach the exchange here, so "feed down" is raised at the first evaluation.
        settings["Alerts:FeedDownAfter"] = "00:00:00";
        if (answer == TelegramAnswer.Unreachable)
            settings["Alerts:TelegramApiBaseUrl"] = "http://127.0.0.1:1";
        var logs = new CapturingLoggerProvider();
        await using var app = await TrackerApp.StartWithoutExchangeAsync(settings, logs: logs, logLevel: LogLevel.Trace);

        await Eventually.Until(() => app.Dispatcher.Sent + app.Dispatcher.Failed >= 1, "an alert to be sent or to fail");

        if (answer == TelegramAnswer.Ok)
            Assert.Equal(TelegramAlertTests.Token, Assert.Single(telegram.Messages).Token);
        else
            Assert.Contains(logs.Lines, l => l.EventId == 5004 && l.Text.Contains("telegram", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.EventId == 5003);
        Assert.DoesNotContain(logs.Lines, l => l.Text.Contains(TelegramAlertTests.Token, StringComparison.Ordinal));
        // Nor its secret half alone.
        Assert.DoesNotContain(logs.Lines, l => l.Text.Contains("TEST-secret-Token_abcdef", StringComparison.Ordinal));
    }
}
