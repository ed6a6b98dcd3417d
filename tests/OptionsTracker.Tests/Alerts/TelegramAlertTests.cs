using OptionsTracker.Health;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Alerts;

/// <summary>Feed alerts end to end: simulator ⇄ tracker ⇄ fake Telegram, over loopback sockets, in real time.</summary>
public class TelegramAlertTests
{
    internal const string Token = "123456789:TEST-secret-Token_abcdef";
    internal const string ChatId = "-1001234567";

    private static Task<BybitSimulator> Simulator() =>
        BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC"], PushInterval = TimeSpan.FromMilliseconds(200) },
            TestContext.Current.CancellationToken);

    internal static Dictionary<string, string?> TelegramSettings(FakeTelegramServer telegram) => new()
    {
        ["Alerts:TelegramBotToken"] = Token,
        ["Alerts:TelegramChatId"] = ChatId,
        ["Alerts:TelegramApiBaseUrl"] = telegram.BaseUrl.AbsoluteUri,
        ["Alerts:EvaluationInterval"] = "00:00:00.100",
    };

    /// <summary>Waits for this many more evaluations, so "nothing more was sent" is checked after the fact.</summary>
    private static async Task EvaluationsPassAsync(TrackerApp app, int count)
    {
        var target = app.Evaluation.Evaluations + count;
        await Eventually.Until(() => app.Evaluation.Evaluations >= target, $"{count} more evaluations");
        await Eventually.Until(() => app.Dispatcher.Sent + app.Dispatcher.Failed + app.Dispatcher.Dropped >= app.Dispatcher.Posted,
            "the dispatcher to deliver what was posted");
    }

    [Fact]
    public async Task Feed_down_reaches_telegram_once_while_it_lasts_and_its_return_once()
    {
        await using var telegram = await FakeTelegramServer.StartAsync();
        await using var simulator = await Simulator();
        var settings = TelegramSettings(telegram);
        settings["Alerts:FeedDownAfter"] = "00:00:01";
        await using var app = await TrackerApp.StartAsync(simulator, settings);
        var monitor = (FeedMonitor)app.Services.GetService(typeof(FeedMonitor))!;
        await Eventually.Until(() => monitor.GetReport().State == FeedState.Live, "the feed to be live", 60);

        simulator.Faults.RejectNewConnections = true;
        simulator.Faults.DropAllConnections();

        await Eventually.Until(() => telegram.CountContaining("feed down") == 1, "the feed-down message");
        await EvaluationsPassAsync(app, 20);
        Assert.Equal(1, telegram.CountContaining("feed down"));
        Assert.Equal(0, telegram.CountContaining("feed back"));

        simulator.Faults.RejectNewConnections = false;

        await Eventually.Until(() => telegram.CountContaining("feed back") == 1, "the feed-back message", 60);
        await EvaluationsPassAsync(app, 20);
        Assert.Equal(1, telegram.CountContaining("feed down"));
        Assert.Equal(1, telegram.CountContaining("feed back"));
        Assert.All(telegram.Messages, m =>
        {
            Assert.Equal(Token, m.Token);
            Assert.Equal(ChatId, m.ChatId);
            Assert.StartsWith("OptionsTracker: ", m.Text);
        });
    }

    [Fact]
    public async Task Reconnect_storm_is_sent_once_when_it_starts_and_once_when_it_calms()
    {
        await using var telegram = await FakeTelegramServer.StartAsync();
        await using var simulator = await Simulator();
        var settings = TelegramSettings(telegram);
        settings["Alerts:ReconnectStormCount"] = "1";
        settings["Alerts:ReconnectStormWindow"] = "00:00:04";
        settings["Alerts:FeedDownAfter"] = "01:00:00";
        await using var app = await TrackerApp.StartAsync(simulator, settings);
        var monitor = (FeedMonitor)app.Services.GetService(typeof(FeedMonitor))!;
        await Eventually.Until(() => monitor.GetReport().State == FeedState.Live, "the feed to be live", 60);

        // Drop until more than one reconnect has happened (one drop is one reconnect per connection).
        simulator.Faults.DropAllConnections();
        await Eventually.Until(() => monitor.GetReport().Reconnects >= 1 && monitor.GetReport().State == FeedState.Live, "the first reconnect");
        simulator.Faults.DropAllConnections();

        await Eventually.Until(() => telegram.CountContaining("reconnect storm") == 1, "the storm message");
        await Eventually.Until(() => telegram.CountContaining("reconnects calm") == 1, "the calm message");
        await EvaluationsPassAsync(app, 10);
        Assert.Equal(1, telegram.CountContaining("reconnect storm"));
        Assert.Equal(1, telegram.CountContaining("reconnects calm"));
    }
}
