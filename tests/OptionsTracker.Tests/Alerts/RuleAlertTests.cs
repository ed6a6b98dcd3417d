using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Alerts;

/// <summary>A rule in the real host, its timer stepped on a fake clock, delivered to fake Telegram and a webhook.</summary>
public class RuleAlertTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Advances the clock one interval at a time until the evaluation loop has run once more.</summary>
    private static async Task StepAsync(TrackerApp app, FakeTimeProvider time, TimeSpan interval)
    {
        var before = app.Evaluation.Evaluations;
        await Eventually.Until(() =>
        {
            if (app.Evaluation.Evaluations > before)
                return true;
            time.Advance(interval);
            return false;
        }, "one more evaluation");
    }

    [Fact]
    public async Task Atm_iv_rule_reaches_telegram_and_the_webhook_once_per_cooldown()
    {
        await using var telegram = await FakeTelegramServer.StartAsync();
        await using var webhook = await FakeWebhookReceiver.StartAsync();
        var time = new FakeTimeProvider(T0);
        var interval = TimeSpan.FromMinutes(1);
        var settings = TelegramTestSettings(telegram);
        settings["Alerts:WebhookUrl"] = webhook.Url.AbsoluteUri;
        settings["Alerts:EvaluationInterval"] = "00:01:00";
        settings["Alerts:FeedDownAfter"] = "1.00:00:00";
        settings["Alerts:Rules:0:Kind"] = "AtmIv";
        settings["Alerts:Rules:0:Asset"] = "BTC";
        settings["Alerts:Rules:0:TenorDays"] = "30";
        settings["Alerts:Rules:0:Above"] = "60";
        settings["Alerts:Rules:0:Cooldown"] = "01:00:00";
        await using var app = await TrackerApp.StartWithoutExchangeAsync(settings, time);
        BookBuilder.AddSmiles(app.Book, "BTC", (new DateOnly(2030, 1, 21), 0.70), (new DateOnly(2030, 2, 10), 0.70));

        await StepAsync(app, time, interval);
        await Eventually.Until(() => webhook.Posts.Count == 1 && telegram.Messages.Count == 1, "the first firing at both sinks");
        var firedAt = webhook.Posts[0].GetProperty("at").GetDateTimeOffset();
        while (time.GetUtcNow() < firedAt + TimeSpan.FromMinutes(59))
            await StepAsync(app, time, interval);
        Assert.Equal(1, app.Dispatcher.Posted);
        while (time.GetUtcNow() < firedAt + TimeSpan.FromMinutes(60))
            await StepAsync(app, time, interval);

        await Eventually.Until(() => webhook.Posts.Count == 2 && telegram.Messages.Count == 2, "the second firing after the cool-down");
        Assert.Equal(2, app.Dispatcher.Posted);
        Assert.Equal("OptionsTracker: BTC 30-day ATM IV is 70.0 %, above 60 %", telegram.Messages[0].Text);
        var json = webhook.Posts[0];
        Assert.Equal("rule", json.GetProperty("source").GetString());
        Assert.Equal("BTC 30-day ATM IV", json.GetProperty("name").GetString());
        Assert.Equal("BTC", json.GetProperty("asset").GetString());
        Assert.Equal(70, json.GetProperty("value").GetDouble(), 6);
        Assert.Equal(60, json.GetProperty("threshold").GetDouble());
    }

    [Fact]
    public async Task Oi_jump_rule_fires_when_an_options_open_interest_jumps_between_evaluations()
    {
        await using var webhook = await FakeWebhookReceiver.StartAsync();
        var time = new FakeTimeProvider(T0);
        var interval = TimeSpan.FromSeconds(10);
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new Dictionary<string, string?>
        {
            ["Alerts:WebhookUrl"] = webhook.Url.AbsoluteUri,
            ["Alerts:EvaluationInterval"] = "00:00:10",
            ["Alerts:FeedDownAfter"] = "1.00:00:00",
            ["Alerts:Rules:0:Kind"] = "OiJump",
            ["Alerts:Rules:0:Asset"] = "BTC",
            ["Alerts:Rules:0:Above"] = "500",
        }, time);
        var symbol = BookBuilder.Symbol("BTC", new DateOnly(2030, 3, 29), 120_000, OptionType.Call);
        BookBuilder.Add(app.Book, symbol);
        BookBuilder.Quote(app.Book, symbol, openInterest: 1000);
        await StepAsync(app, time, interval);

        BookBuilder.Quote(app.Book, symbol, openInterest: 1800);
        await StepAsync(app, time, interval);

        await Eventually.Until(() => webhook.Posts.Count == 1, "the OI jump at the webhook");
        var json = webhook.Posts[0];
        Assert.Equal("BTC OI jump", json.GetProperty("name").GetString());
        Assert.Equal(symbol, json.GetProperty("symbols")[0].GetString());
        Assert.Equal(800, json.GetProperty("value").GetDouble());
    }

    private static Dictionary<string, string?> TelegramTestSettings(FakeTelegramServer telegram) =>
        TelegramAlertTests.TelegramSettings(telegram);
}
