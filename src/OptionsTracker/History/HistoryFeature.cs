using OptionsTracker.Configuration;
using OptionsTracker.Feed;

namespace OptionsTracker.History;

public static class HistoryFeature
{
    /// <summary>
    /// The history (section <c>History</c>): the store (PostgreSQL when <c>History:Postgres</c> is set, else the DuckDB
    /// file), the reader every time-travel answer uses (the composition root registers the
    /// <see cref="HistorySource"/>), and on a collecting role the recorder (it records only while
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
        var usesPostgres = !string.IsNullOrWhiteSpace(builder.Configuration[$"{HistoryOptions.Section}:{nameof(HistoryOptions.Postgres)}"]);
        if (usesPostgres)
            services.AddSingleton<IHistoryStore>(s => ActivatorUtilities.CreateInstance<PostgresHistoryStore>(s));
        else
            services.AddSingleton<IHistoryStore>(s => ActivatorUtilities.CreateInstance<DuckDbHistoryStore>(s));
        services.AddSingleton<HistoryReader>();
        // /health's history entry: the recorder's state on a collector, a plain Healthy on a web instance.
        services.AddHealthChecks().AddCheck<HistoryHealthCheck>("history");
        services.AddSingleton<HistoryViews>();

        if (TrackerOptions.ReadRole(builder.Configuration) != TrackerRole.Web)
        {
            services.AddSingleton<HistoryRecorder>();
            services.AddHostedService(s => s.GetRequiredService<HistoryRecorder>());
            // The tape's trades, recorded by the lease holder too (docs/tape.md).
            services.AddSingleton<TradeRecorder>();
            services.AddHostedService(s => s.GetRequiredService<TradeRecorder>());
        }
    }

    /// <summary>
    /// What this process records from: the simulator under <c>--demo</c>, else <paramref name="venue"/> at its
    /// <paramref name="urls"/>. The composition root (Program.cs) registers it, since only it names a venue.
    /// </summary>
    public static HistorySource Source(HistoryOptions history, string venue, IEnumerable<Uri> urls) =>
        history.Simulated ? new HistorySource("simulator", []) : new HistorySource(venue, [.. urls.Select(u => u.AbsoluteUri)]);

    /// <summary>
    /// The source of a deployment collecting from several venues: their ids joined by commas (<c>bybit,deribit</c>) and
    /// every venue's URLs, in <paramref name="venues"/>' order (the known venues'); one venue's is exactly
    /// <see cref="Source(HistoryOptions, string, IEnumerable{Uri})"/>'s, so a Bybit history reads on unchanged.
    /// </summary>
    public static HistorySource Source(HistoryOptions history, IEnumerable<VenueSource> venues)
    {
        var all = venues.ToList();
        return Source(history, string.Join(',', all.Select(v => v.Venue)), all.SelectMany(v => v.Urls));
    }
}
