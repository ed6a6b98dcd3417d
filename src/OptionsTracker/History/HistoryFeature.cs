using Microsoft.Extensions.Options;
using OptionsTracker.Bybit;
using OptionsTracker.Configuration;
using OptionsTracker.Feed;

namespace OptionsTracker.History;

public static class HistoryFeature
{
    /// <summary>
    /// The history (section <c>History</c>): the store (PostgreSQL when <c>History:Postgres</c> is set, else the DuckDB
    /// file), the reader every time-travel answer uses, and on a collecting role the recorder (it records only while
    /// this process holds the collector lease). Nothing but the settings with <c>History:Enabled=false</c>.
    /// </summary>
    public static void AddHistory(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<HistoryOptions>()
            .BindConfiguration(HistoryOptions.Section)
            .ValidateSection(HistoryOptions.Section)
            .ValidateOnStart();
        var enabled = builder.Configuration.GetValue($"{HistoryOptions.Section}:{nameof(HistoryOptions.Enabled)}", true);
        if (!enabled)
            return;

        var services = builder.Services;
        services.AddSingleton(s => Source(s.GetRequiredService<IOptions<HistoryOptions>>().Value, s.GetRequiredService<IOptions<BybitOptions>>().Value));
        var usesPostgres = !string.IsNullOrWhiteSpace(builder.Configuration[$"{HistoryOptions.Section}:{nameof(HistoryOptions.Postgres)}"]);
        if (usesPostgres)
            services.AddSingleton<IHistoryStore>(s => ActivatorUtilities.CreateInstance<PostgresHistoryStore>(s));
        else
            services.AddSingleton<IHistoryStore>(s => ActivatorUtilities.CreateInstance<DuckDbHistoryStore>(s));
        services.AddSingleton<HistoryReader>();
        // /health's history entry: the recorder's state on a collector, a plain Healthy on a web instance.
        services.AddHealthChecks().AddCheck<HistoryHealthCheck>("history");

        if (TrackerOptions.ReadRole(builder.Configuration) != TrackerRole.Web)
        {
            services.AddSingleton<HistoryRecorder>();
            services.AddHostedService(s => s.GetRequiredService<HistoryRecorder>());
        }
    }

    /// <summary>What this process records from: the simulator under <c>--demo</c>, else the configured exchange URLs.</summary>
    public static HistorySource Source(HistoryOptions history, BybitOptions bybit) =>
        history.Simulated ? new HistorySource("simulator", []) : new HistorySource("bybit", [bybit.RestUrl.AbsoluteUri, bybit.WsUrl.AbsoluteUri]);
}
