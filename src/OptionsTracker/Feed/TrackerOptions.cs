using System.ComponentModel.DataAnnotations;

namespace OptionsTracker.Feed;

/// <summary>What to track and how the feed judges itself.</summary>
public sealed class TrackerOptions
{
    public const string Section = "Tracker";

    public static readonly string[] DefaultAssets = ["BTC", "ETH", "SOL"];

    /// <summary>
    /// The venues the tracker can collect from, in the order readers prefer them when a symbol is on several (the
    /// original tool's Bybit first). A venue's folder registers itself in <c>Program.cs</c> when configured.
    /// </summary>
    public static readonly string[] SupportedVenues = ["bybit", "deribit"];

    /// <summary>
    /// The venues to collect and serve (<c>Tracker__Venues=bybit,deribit</c>; a comma list or an array), each one of
    /// <see cref="SupportedVenues"/>. Empty = Bybit only, so a Bybit user sees nothing new. Web instances serve these
    /// venues' keys from Redis (they have no venue to ask).
    /// </summary>
    public string[] Venues { get; set; } = [];

    /// <summary>
    /// Base coins whose options to track (any coin Bybit lists options for: BTC, ETH, SOL, XRP, DOGE, MNT…).
    /// A comma list works too (<c>Tracker__Assets=BTC,ETH</c>); legacy: <c>OPTION_ASSETS</c>. Empty = BTC, ETH, SOL.
    /// </summary>
    public string[] Assets { get; set; } = [];

    /// <summary>
    /// Where the coins added, disabled or removed from the dashboard are kept (relative to the content root).
    /// Once it exists it wins over <see cref="Assets"/>.
    /// </summary>
    [Required]
    public string AssetsFile { get; set; } = "state/assets.json";

    /// <summary>
    /// <c>all</c> (collect and serve; the default), <c>collector</c> (collect into Redis while holding the lease) or
    /// <c>web</c> (serve from Redis). Also <c>--role</c> on the command line.
    /// </summary>
    public TrackerRole Role { get; set; } = TrackerRole.All;

    /// <summary>How often instruments are fetched again to pick up listings and drop delivered options.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan InstrumentRefreshInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// When to refresh instruments every day, as a cron expression in UTC (Cronos syntax). Bybit delivers at
    /// 08:00 UTC; the default runs five minutes later to pick up the new listings at once.
    /// </summary>
    [Required]
    public string DailyRefreshCron { get; set; } = "5 8 * * *";

    /// <summary>Track only these symbols (empty: every listed option of the assets).</summary>
    public string[] Symbols { get; set; } = [];

    /// <summary>Track only options expiring at least this many days from now.</summary>
    [Range(0, 3650)]
    public double? MinDaysToExpiry { get; set; }

    /// <summary>Track only options expiring at most this many days from now.</summary>
    [Range(0, 3650)]
    public double? MaxDaysToExpiry { get; set; }

    /// <summary>Track only strikes within this many percent of the coin's index price (e.g. 30 = ±30 %).</summary>
    [Range(0.1, 10_000)]
    public double? StrikeRangePercent { get; set; }

    /// <summary>With no ticker for this long the feed is reported stale (health degraded, status light amber).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Normalises <see cref="Assets"/>: splits comma lists, trims, upper-cases, removes repeats.</summary>
    public static string[] NormaliseAssets(IEnumerable<string>? assets)
    {
        var coins = (assets ?? [])
            .SelectMany(a => a.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(a => a.ToUpperInvariant())
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return coins.Length == 0 ? DefaultAssets : coins;
    }

    /// <summary>
    /// The configured assets, whether given as an array (<c>Tracker:Assets:0</c>) or as one comma list
    /// (<c>Tracker__Assets=BTC,ETH</c>, which the binder alone would not read into an array).
    /// </summary>
    public static string[] ReadAssets(IConfiguration configuration)
    {
        var section = configuration.GetSection($"{Section}:{nameof(Assets)}");
        return NormaliseAssets([.. section.GetChildren().Select(c => c.Value ?? ""), section.Value ?? ""]);
    }

    /// <summary>The role, read at start-up to choose which services run; a bad value stops start-up naming it.</summary>
    public static TrackerRole ReadRole(IConfiguration configuration)
    {
        var value = configuration[$"{Section}:{nameof(Role)}"];
        if (string.IsNullOrWhiteSpace(value))
            return TrackerRole.All;
        return Enum.TryParse<TrackerRole>(value, ignoreCase: true, out var role) && Enum.IsDefined(role)
            ? role
            : throw new OptionsTracker.Configuration.ConfigurationException($"Tracker:Role (--role) must be all, collector or web, not '{value}'");
    }

    /// <summary>
    /// The configured venues in <see cref="SupportedVenues"/> order, read at start-up to choose which venue folders
    /// run; an unknown id stops start-up naming it and the ids known.
    /// </summary>
    public static IReadOnlyList<Book.Venue> ReadVenues(IConfiguration configuration)
    {
        var section = configuration.GetSection($"{Section}:{nameof(Venues)}");
        var ids = new[] { section.Value ?? "" }.Concat(section.GetChildren().Select(c => c.Value ?? ""))
            .SelectMany(v => v.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(v => v.ToLowerInvariant())
            .ToArray();
        var unknown = ids.Where(id => !SupportedVenues.Contains(id, StringComparer.Ordinal)).ToArray();
        if (unknown.Length > 0)
            throw new OptionsTracker.Configuration.ConfigurationException(
                $"Tracker:Venues must list venues among {string.Join(", ", SupportedVenues)}, not '{string.Join(", ", unknown)}'");
        var chosen = ids.Length == 0 ? ["bybit"] : ids;
        return [.. SupportedVenues.Where(chosen.Contains).Select(Book.Venue.Parse)];
    }

    internal static bool IsValidCoin(string coin) =>
        coin.Length is > 0 and <= 16 && coin.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));
}
