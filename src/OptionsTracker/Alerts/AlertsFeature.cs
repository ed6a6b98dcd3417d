using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using OptionsTracker.Configuration;

namespace OptionsTracker.Alerts;

public static class AlertsFeature
{
    /// <summary>
    /// Binds and validates <c>Alerts</c> (a bad rule stops start-up, naming its setting). Evaluation, the
    /// dispatcher and the sinks are registered only when a Telegram bot token or a webhook URL is configured;
    /// otherwise start-up logs once that alerts are off.
    /// </summary>
    public static void AddAlerts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AlertsOptions>()
            .BindConfiguration(AlertsOptions.Section)
            .ValidateSection(AlertsOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlertsOptions>, AlertsOptionsValidator>();

        var section = builder.Configuration.GetSection(AlertsOptions.Section);
        var telegram = !string.IsNullOrWhiteSpace(section[nameof(AlertsOptions.TelegramBotToken)]);
        var webhook = !string.IsNullOrWhiteSpace(section[nameof(AlertsOptions.WebhookUrl)]);
        if (!telegram && !webhook)
        {
            services.AddHostedService<AlertsOffNotice>();
            return;
        }

        // No HttpClient logging: its request lines carry the URL, and Telegram's URL carries the bot token.
        if (telegram)
        {
            services.AddHttpClient(TelegramSink.HttpClientName, ConfigureTimeout).RemoveAllLoggers();
            services.AddSingleton<IAlertSink, TelegramSink>();
        }
        if (webhook)
        {
            services.AddHttpClient(WebhookSink.HttpClientName, ConfigureTimeout).RemoveAllLoggers();
            services.AddSingleton<IAlertSink, WebhookSink>();
        }
        services.AddSingleton<HealthAlerts>();
        services.AddSingleton<MarketRules>();
        services.AddSingleton<AlertDispatcher>();
        services.AddHostedService(s => s.GetRequiredService<AlertDispatcher>());
        services.AddSingleton<AlertEvaluationService>();
        services.AddHostedService(s => s.GetRequiredService<AlertEvaluationService>());
        // Rules on the tape's trades (LargeTrade, BlockTrade), registered only when configured: the tape (Tape feature)
        // is then required, hosts without trade rules need none.
        if (HasTradeRules(section))
        {
            services.AddSingleton<TradeAlertService>();
            services.AddHostedService(s => s.GetRequiredService<TradeAlertService>());
        }
    }

    private static bool HasTradeRules(IConfigurationSection section) =>
        section.GetSection(nameof(AlertsOptions.Rules)).GetChildren().Any(rule =>
            Enum.TryParse<AlertRuleKind>(rule[nameof(AlertRuleOptions.Kind)], ignoreCase: true, out var kind) && kind.IsTradeRule());

    private static void ConfigureTimeout(IServiceProvider services, HttpClient http) =>
        http.Timeout = services.GetRequiredService<IOptions<AlertsOptions>>().Value.SendTimeout;

    private sealed class AlertsOffNotice(ILogger<AlertDispatcher> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            Log.AlertsOff(logger);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
