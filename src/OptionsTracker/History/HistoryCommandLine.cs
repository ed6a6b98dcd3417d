using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsTracker.Feed;

namespace OptionsTracker.History;

/// <summary>
/// The history's command-line switches: <c>--replay FILE [--speed N]</c> (play a recorded DuckDB history as the demo's
/// market, N recorded seconds per second, default 60) and <c>--generate-history DAYS</c> (before the demo starts, write
/// DAYS of generated history into the demo's history, ending where the demo's market begins). Both imply <c>--demo</c>.
/// </summary>
public sealed record HistoryCommandLine(string? ReplayPath, double Speed, int? GenerateDays, string[] Remaining)
{
    public bool ImpliesDemo => ReplayPath is not null || GenerateDays is not null;

    /// <summary>Takes the history's switches out of <paramref name="args"/>; a bad value throws, naming the switch.</summary>
    public static HistoryCommandLine Parse(string[] args)
    {
        string? replay = null;
        var speed = 60.0;
        int? days = null;
        var remaining = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i].ToLowerInvariant())
            {
                case "--replay":
                    replay = Value();
                    break;
                case "--speed":
                    var text = Value();
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out speed) || !(speed > 0) || !double.IsFinite(speed))
                        throw new ArgumentException($"--speed must be a positive number of recorded seconds per second, not '{text}'.");
                    break;
                case "--generate-history":
                    var dayText = Value();
                    if (!int.TryParse(dayText, NumberStyles.None, CultureInfo.InvariantCulture, out var d) || d is < 1 or > 3650)
                        throw new ArgumentException($"--generate-history must be a number of days from 1 to 3650, not '{dayText}'.");
                    days = d;
                    break;
                default:
                    remaining.Add(args[i]);
                    break;
            }
        }
        return new HistoryCommandLine(replay, speed, days, [.. remaining]);
    }

    /// <summary>
    /// Writes <see cref="GenerateDays"/> days of the demo's coins into the demo's history (its DuckDB file or PostgreSQL
    /// database) at <c>History:Interval</c>, ending at now or just before the first snapshot it already holds, so the
    /// generated past never overlaps a recorded one. The walk ends at the simulator's starting levels, where the demo's
    /// market begins. Prints its progress; returns when written.
    /// </summary>
    public async Task GenerateAsync(IConfiguration configuration, IReadOnlyList<string> coins, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        if (GenerateDays is not int days)
            return;
        var factory = loggerFactory ?? NullLoggerFactory.Instance;
        var history = configuration.GetSection(HistoryOptions.Section).Get<HistoryOptions>() ?? new HistoryOptions();
        history.Simulated = true;
        var options = Options.Create(history);
        await using IHistoryStore store = string.IsNullOrWhiteSpace(history.Postgres)
            ? new DuckDbHistoryStore(options, factory.CreateLogger<DuckDbHistoryStore>(), TimeProvider.System)
            : new PostgresHistoryStore(options, factory.CreateLogger<PostgresHistoryStore>());
        await store.OpenAsync(HistoryGenerator.Source, cancellationToken);
        var interval = history.Interval;
        var end = TimeProvider.System.GetUtcNow();
        end = DateTimeOffset.FromUnixTimeMilliseconds(end.ToUnixTimeMilliseconds() / (long)interval.TotalMilliseconds * (long)interval.TotalMilliseconds);
        foreach (var coin in coins)
        {
            if (await store.RangeAsync(coin, cancellationToken) is { } range && range.First - interval < end)
                end = range.First - interval;
        }
        var settings = new HistoryGeneratorSettings
        {
            Coins = coins,
            OptionCount = null,
            Start = end - TimeSpan.FromDays(days) + interval,
            Span = TimeSpan.FromDays(days),
            Interval = interval,
            EndAtSimulatorLevels = true,
        };
        var total = settings.SnapshotCount;
        await Console.Out.WriteLineAsync($"Generating {days} days of {string.Join(", ", coins)} history ({total} snapshots every {interval}) into {Describe(store, history)}...");
        var written = await new HistoryGenerator(settings).WriteAsync(store,
            new Progress<int>(n => Console.Out.WriteLine($"  {n} of {total} snapshots")), cancellationToken);
        Log.HistoryGenerated(factory.CreateLogger<HistoryGenerator>(), written.Snapshots, string.Join(", ", coins), settings.Start, written.Quotes, written.Measures, written.Elapsed);
        await Console.Out.WriteLineAsync($"Generated {written.Snapshots} snapshots ({written.Quotes} quote rows) in {written.Elapsed.TotalSeconds:F0} s.");
    }

    private static string Describe(IHistoryStore store, HistoryOptions history) =>
        store is DuckDbHistoryStore duck ? duck.Path : $"PostgreSQL ({history.Postgres?.Split(';').FirstOrDefault()})";
}
