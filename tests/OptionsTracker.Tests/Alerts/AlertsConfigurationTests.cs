using OptionsTracker.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptionsTracker.Alerts;
using OptionsTracker.Tape;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Feed;
using OptionsTracker.Configuration;
using OptionsTracker.Health;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Alerts;

public class AlertsConfigurationTests
{
    public static TheoryData<string, Dictionary<string, string?>> BadSettings => new()
    {
        {
            "Alerts:Rules:0:TenorDays",
            new() { ["Alerts:Rules:0:Kind"] = "AtmIv", ["Alerts:Rules:0:Asset"] = "BTC", ["Alerts:Rules:0:Above"] = "60" }
        },
        {
            "Alerts:Rules:0:Kind",
            new() { ["Alerts:WebhookUrl"] = "http://127.0.0.1:9/hook", ["Alerts:Rules:0:Kind"] = "Volatility", ["Alerts:Rules:0:Asset"] = "BTC" }
        },
        {
            "Alerts:Rules:1:Below",
            new()
            {
                ["Alerts:WebhookUrl"] = "http://127.0.0.1:9/hook",
                ["Alerts:Rules:0:Kind"] = "PutCallOiRatio", ["Alerts:Rules:0:Asset"] = "ETH", ["Alerts:Rules:0:Above"] = "1.2",
                ["Alerts:Rules:1:Kind"] = "OiJump", ["Alerts:Rules:1:Asset"] = "BTC", ["Alerts:Rules:1:Above"] = "100", ["Alerts:Rules:1:Below"] = "5",
            }
        },
        {
            "Alerts:Rules:0:Above",
            new() { ["Alerts:WebhookUrl"] = "http://127.0.0.1:9/hook", ["Alerts:Rules:0:Kind"] = "PutCallOiRatio", ["Alerts:Rules:0:Asset"] = "BTC" }
        },
        {
            "Alerts:Rules:0:Cooldown",
            new()
            {
                ["Alerts:WebhookUrl"] = "http://127.0.0.1:9/hook",
                ["Alerts:Rules:0:Kind"] = "AtmIv", ["Alerts:Rules:0:Asset"] = "BTC", ["Alerts:Rules:0:TenorDays"] = "30",
                ["Alerts:Rules:0:Above"] = "60", ["Alerts:Rules:0:Cooldown"] = "-00:01:00",
            }
        },
        {
            "Alerts:Rules:0:Expiry",
            new()
            {
                ["Alerts:WebhookUrl"] = "http://127.0.0.1:9/hook",
                ["Alerts:Rules:0:Kind"] = "PutCallOiRatio", ["Alerts:Rules:0:Asset"] = "BTC", ["Alerts:Rules:0:Expiry"] = "soon", ["Alerts:Rules:0:Above"] = "1",
            }
        },
        { "Alerts:TelegramChatId", new() { ["Alerts:TelegramBotToken"] = TelegramAlertTests.Token } },
        { "Alerts:WebhookUrl", new() { ["Alerts:WebhookUrl"] = "ftp://example.com/hook" } },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_alert_setting_stops_start_up_naming_the_setting(string setting, Dictionary<string, string?> settings)
    {
        var error = await StartupErrorAsync(settings);

        Assert.True(error.Contains(setting, StringComparison.Ordinal), error);
    }

    [Fact]
    public async Task A_misspelt_rule_setting_stops_start_up_naming_it()
    {
        var error = await StartupErrorAsync(new()
        {
            ["Alerts:Rules:0:Kind"] = "AtmIv", ["Alerts:Rules:0:Asset"] = "BTC", ["Alerts:Rules:0:TenorDays"] = "30", ["Alerts:Rules:0:Abvoe"] = "60",
        });

        Assert.Contains("Alerts:Rules:0", error, StringComparison.Ordinal);
        Assert.Contains("Abvoe", error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Builds the host as Program.cs does (without WebApplicationFactory, whose own start-up races a failing host)
    /// and starts it, expecting it to refuse; disposes it if it does start.
    /// </summary>
    private static async Task<string> StartupErrorAsync(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bybit:RestUrl"] = "http://127.0.0.1:1/",
            ["Bybit:WsUrl"] = "ws://127.0.0.1:1/v5/public/option",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddBook();
        builder.AddTape();
        builder.AddStore();
        builder.AddBybit();
        builder.AddFeed();
        builder.AddHealth();
        builder.AddAlerts();
        await using var app = builder.Build();
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        catch (Exception e)
        {
            return e.ToString();
        }
        await app.StopAsync(TestContext.Current.CancellationToken);
        Assert.Fail("the host started");
        return "";
    }

    [Fact]
    public async Task A_malformed_bot_token_stops_start_up_without_being_repeated()
    {
        const string token = "not-a-token-secret";
        var error = await StartupErrorAsync(new()
        {
            ["Alerts:TelegramBotToken"] = token,
            ["Alerts:TelegramChatId"] = "42",
        });

        Assert.Contains("Alerts:TelegramBotToken", error, StringComparison.Ordinal);
        Assert.DoesNotContain(token, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_token_or_webhook_nothing_starts_and_start_up_says_alerts_are_off_once()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = await TrackerApp.StartWithoutExchangeAsync(logs: logs, logLevel: LogLevel.Trace);

        Assert.Null(app.Services.GetService<AlertDispatcher>());
        Assert.Null(app.Services.GetService<AlertEvaluationService>());
        Assert.Single(logs.Lines, l => l.EventId == 5001);
    }

    [Fact]
    public async Task A_valid_rule_set_starts_and_is_evaluated()
    {
        await using var webhook = await FakeWebhookReceiver.StartAsync();
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new Dictionary<string, string?>
        {
            ["Alerts:WebhookUrl"] = webhook.Url.AbsoluteUri,
            ["Alerts:EvaluationInterval"] = "00:00:00.100",
            ["Alerts:Rules:0:Kind"] = "AtmIv", ["Alerts:Rules:0:Asset"] = "btc", ["Alerts:Rules:0:TenorDays"] = "30", ["Alerts:Rules:0:Above"] = "60",
            ["Alerts:Rules:1:Kind"] = "PutCallOiRatio", ["Alerts:Rules:1:Asset"] = "ETH", ["Alerts:Rules:1:Expiry"] = "2030-12-27", ["Alerts:Rules:1:Below"] = "0.5",
            ["Alerts:Rules:2:Kind"] = "OiJump", ["Alerts:Rules:2:Asset"] = "SOL", ["Alerts:Rules:2:Above"] = "1000", ["Alerts:Rules:2:Window"] = "00:15:00",
        });

        await Fixtures.Eventually.Until(() => app.Evaluation.Evaluations >= 3, "a few evaluations");
    }

    [Fact]
    public async Task A_webhook_down_for_a_moment_still_gets_the_alert_and_metrics_count_the_retry()
    {
        await using var webhook = await FakeWebhookReceiver.StartAsync();
        webhook.FailNext = 2;
        await using var app = await TrackerApp.StartWithoutExchangeAsync(new Dictionary<string, string?>
        {
            ["Alerts:WebhookUrl"] = webhook.Url.AbsoluteUri,
            ["Alerts:EvaluationInterval"] = "00:00:00.100",
            // The feed cannot reach the exchange here, so "feed down" is raised at the first evaluation.
            ["Alerts:FeedDownAfter"] = "00:00:00",
        });

        await Fixtures.Eventually.Until(() => webhook.Posts.Count >= 1, "the alert to get through on the third try");

        Assert.Equal(2, webhook.Refused);
        Assert.Equal(0, app.Dispatcher.Failed);
        using var http = app.Http();
        var metrics = await http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Contains("optionstracker_alert_sends_total{result=\"sent\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("optionstracker_alert_sends_total{result=\"failed\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("optionstracker_alert_send_retries_total 2", metrics, StringComparison.Ordinal);
        Assert.Matches(@"optionstracker_alerts_posted_total [1-9]", metrics);
    }

    [Fact]
    public void Original_telegram_environment_names_map_onto_the_alert_settings()
    {
        var env = new Dictionary<string, string> { ["TELEGRAM_BOT_TOKEN"] = TelegramAlertTests.Token, ["TELEGRAM_CHAT_ID"] = "-100777" };

        var settings = LegacyEnvironment.Map(name => env.GetValueOrDefault(name));
        var options = new ConfigurationBuilder().AddInMemoryCollection(settings).Build()
            .GetSection(AlertsOptions.Section).Get<AlertsOptions>()!;

        Assert.Equal(TelegramAlertTests.Token, options.TelegramBotToken);
        Assert.Equal("-100777", options.TelegramChatId);
        Assert.True(options.HasTelegram);
    }
}
