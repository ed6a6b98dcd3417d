using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Feed;

namespace OptionsTracker.Alerts;

/// <summary>
/// What data annotations cannot say: settings that belong together, and every rule (annotations do not reach
/// into the array). Each failure names its setting, e.g. <c>Alerts:Rules:2:TenorDays</c>; none repeats the token.
/// Rules are read again here one by one from configuration, because the binder silently leaves out an array
/// element it cannot convert (a misspelt <c>Kind</c> would make a rule vanish and shift the others' numbers).
/// </summary>
internal sealed partial class AlertsOptionsValidator(IConfiguration configuration) : IValidateOptions<AlertsOptions>
{
    private const string S = AlertsOptions.Section;

    public ValidateOptionsResult Validate(string? name, AlertsOptions options)
    {
        var failures = new List<string>();
        if (options.HasTelegram)
        {
            if (!BotTokenShape().IsMatch(options.TelegramBotToken!))
                failures.Add($"{S}:TelegramBotToken does not look like a bot token (digits, a colon, then letters, digits, '_' or '-')");
            if (string.IsNullOrWhiteSpace(options.TelegramChatId))
                failures.Add($"{S}:TelegramChatId is required with {S}:TelegramBotToken (legacy: TELEGRAM_CHAT_ID)");
        }
        else if (!string.IsNullOrWhiteSpace(options.TelegramChatId))
        {
            failures.Add($"{S}:TelegramBotToken is required with {S}:TelegramChatId (legacy: TELEGRAM_BOT_TOKEN)");
        }
        if (!string.IsNullOrWhiteSpace(options.TelegramChatId) && !ChatIdShape().IsMatch(options.TelegramChatId))
            failures.Add($"{S}:TelegramChatId must be a numeric chat id or @channelname");
        if (!IsHttp(options.TelegramApiBaseUrl))
            failures.Add($"{S}:TelegramApiBaseUrl must be an absolute http(s) URL");
        if (options.WebhookUrl is { } webhook && !IsHttp(webhook))
            failures.Add($"{S}:WebhookUrl must be an absolute http(s) URL");

        var venues = ConfiguredVenues();
        foreach (var section in configuration.GetSection($"{S}:{nameof(AlertsOptions.Rules)}").GetChildren())
        {
            AlertRuleOptions? rule;
            try
            {
                rule = section.Get<AlertRuleOptions>(o => o.ErrorOnUnknownConfiguration = true);
            }
            catch (InvalidOperationException e)
            {
                // The binder's message names the key and the value (e.g. a Kind that does not exist, a misspelt setting).
                failures.Add($"{section.Path}: {e.Message}{(e.InnerException is { } inner ? " " + inner.Message : "")}");
                continue;
            }
            if (rule is null)
                failures.Add($"{section.Path}: a rule needs at least Kind and Asset");
            else
            {
                ValidateRule(section.Path, rule, failures);
                ValidateTradeRule(section, rule, failures);
                ValidateVenue(section.Path, rule, venues, failures);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateRule(string prefix, AlertRuleOptions rule, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(rule, new ValidationContext(rule), results, validateAllProperties: true))
        {
            foreach (var result in results)
                failures.Add($"{prefix}:{string.Join(",", result.MemberNames)}: {result.ErrorMessage}");
            return;
        }

        if (!TrackerOptions.IsValidCoin(rule.Asset.ToUpperInvariant()))
            failures.Add($"{prefix}:Asset must be a base coin of letters and digits, e.g. BTC");
        if (rule.Above is { } above && !double.IsFinite(above) || rule.Below is { } below && !double.IsFinite(below))
            failures.Add($"{prefix}: Above and Below must be numbers");
        if (rule.Above is { } a && rule.Below is { } b && b > a)
            failures.Add($"{prefix}:Below ({b.ToString(CultureInfo.InvariantCulture)}) must not exceed Above ({a.ToString(CultureInfo.InvariantCulture)}); the rule fires outside [Below, Above]");

        var kind = rule.Kind!.Value;
        if (kind is not (AlertRuleKind.AtmIv or AlertRuleKind.RiskReversal or AlertRuleKind.Butterfly or AlertRuleKind.VolRiskPremium) && rule.TenorDays is not null)
            failures.Add($"{prefix}:TenorDays applies only to Kind=AtmIv, RiskReversal, Butterfly and VolRiskPremium");
        if (kind is not (AlertRuleKind.PutCallOiRatio or AlertRuleKind.VenueIvGap) && rule.Expiry is not null)
            failures.Add($"{prefix}:Expiry applies only to Kind=PutCallOiRatio and Kind=VenueIvGap");
        if (kind != AlertRuleKind.OiJump && rule.Window is not null)
            failures.Add($"{prefix}:Window applies only to Kind=OiJump");

        switch (kind)
        {
            case AlertRuleKind.AtmIv:
                if (rule.TenorDays is null)
                    failures.Add($"{prefix}:TenorDays is required for Kind=AtmIv (e.g. 30)");
                RequireThreshold(prefix, rule, failures, "an IV in percent, e.g. Above=60");
                if (rule.Above is <= 0 or > 1000 || rule.Below is <= 0 or > 1000)
                    failures.Add($"{prefix}:Above/Below are IVs in percent (0 to 1000], e.g. 60 for 60 %");
                break;
            case AlertRuleKind.PutCallOiRatio:
                RequireThreshold(prefix, rule, failures, "a ratio, e.g. Above=1.2");
                if (rule.Above is < 0 || rule.Below is < 0)
                    failures.Add($"{prefix}:Above/Below are put/call ratios and cannot be negative");
                if (rule.Expiry is { } expiry && !TryParseExpiry(expiry, out _))
                    failures.Add($"{prefix}:Expiry must be an expiry like 26DEC25 or 2025-12-26");
                break;
            case AlertRuleKind.OiJump:
                if (rule.Above is not > 0)
                    failures.Add($"{prefix}:Above is required for Kind=OiJump: the OI rise in contracts, greater than 0");
                if (rule.Below is not null)
                    failures.Add($"{prefix}:Below does not apply to Kind=OiJump");
                break;
            case AlertRuleKind.VenueIvGap:
                if (rule.Above is not (> 0 and <= 1000))
                    failures.Add($"{prefix}:Above is required for Kind=VenueIvGap: the mark IV difference in vol points, greater than 0 (e.g. 3 for 3 percentage points of IV)");
                if (rule.Below is not null)
                    failures.Add($"{prefix}:Below does not apply to Kind=VenueIvGap: it fires when two venues' mark IVs differ by more than Above");
                if (rule.Expiry is { } gapExpiry && !TryParseExpiry(gapExpiry, out _))
                    failures.Add($"{prefix}:Expiry must be an expiry like 26DEC25 or 2025-12-26");
                break;
            case AlertRuleKind.GammaFlip:
                // The level is the flip itself, moving with the market: a threshold would be a different rule.
                if (rule.Above is not null)
                    failures.Add($"{prefix}:Above does not apply to Kind=GammaFlip: it fires when the index crosses the gamma flip");
                if (rule.Below is not null)
                    failures.Add($"{prefix}:Below does not apply to Kind=GammaFlip: it fires when the index crosses the gamma flip");
                break;
        }
        ValidateTenorRule(prefix, kind, rule, failures);
    }

    /// <summary>The rules on the term structure at a tenor: risk reversal, butterfly, volatility risk premium.</summary>
    private static void ValidateTenorRule(string prefix, AlertRuleKind kind, AlertRuleOptions rule, List<string> failures)
    {
        var skew = kind is AlertRuleKind.RiskReversal or AlertRuleKind.Butterfly;
        if (!skew && rule.Delta is not null)
            failures.Add($"{prefix}:Delta applies only to Kind=RiskReversal and Kind=Butterfly");
        if (!skew && kind != AlertRuleKind.VolRiskPremium)
            return;
        if (rule.TenorDays is null)
            failures.Add($"{prefix}:TenorDays is required for Kind={kind} (e.g. 30)");
        if (skew && rule.Delta is not (25 or 10))
            failures.Add($"{prefix}:Delta must be 25 or 10 for Kind={kind} (the 25Δ or 10Δ wings)");
        RequireThreshold(prefix, rule, failures, "vol points, e.g. Above=5 for 5 percentage points of IV");
        // Realised volatility exists only over Bybit's periods (ANALYTICS.md): at another tenor the premium never forms.
        if (kind == AlertRuleKind.VolRiskPremium && rule.TenorDays is { } days && !RealisedPeriods.Contains(days))
            failures.Add($"{prefix}:TenorDays must be one of {string.Join(", ", RealisedPeriods)} for Kind=VolRiskPremium (the periods of Bybit's realised volatility)");
        if (rule.Above is < -1000 or > 1000 || rule.Below is < -1000 or > 1000)
            failures.Add($"{prefix}:Above/Below are in vol points (percentage points of IV), between -1000 and 1000");
    }

    /// <summary>
    /// The rules on the tape's trades (<see cref="AlertRuleKind.LargeTrade"/>, <see cref="AlertRuleKind.BlockTrade"/>): their
    /// own thresholds (<c>SizeAbove</c>, <c>PremiumAbove</c>), and none of the book rules' settings. They alert once per
    /// matching trade, so a <c>Cooldown</c> (which would silently drop matching trades) is refused rather than ignored.
    /// </summary>
    private static void ValidateTradeRule(IConfigurationSection section, AlertRuleOptions rule, List<string> failures)
    {
        if (rule.Kind is not { } kind)
            return;
        var prefix = section.Path;
        if (!kind.IsTradeRule())
        {
            if (rule.SizeAbove is not null)
                failures.Add($"{prefix}:SizeAbove applies only to Kind=LargeTrade and Kind=BlockTrade");
            if (rule.PremiumAbove is not null)
                failures.Add($"{prefix}:PremiumAbove applies only to Kind=LargeTrade");
            return;
        }
        if (rule.Above is not null || rule.Below is not null)
            failures.Add($"{prefix}:Above/Below do not apply to Kind={kind}: use SizeAbove (contracts){(kind == AlertRuleKind.LargeTrade ? " or PremiumAbove (USD)" : "")}");
        if (section[nameof(AlertRuleOptions.Cooldown)] is not null)
            failures.Add($"{prefix}:Cooldown does not apply to Kind={kind}: every matching trade alerts once");
        if (rule.SizeAbove is { } size && !double.IsFinite(size) || rule.PremiumAbove is { } premium && !double.IsFinite(premium))
            failures.Add($"{prefix}: SizeAbove and PremiumAbove must be numbers");
        if (kind == AlertRuleKind.LargeTrade && rule.SizeAbove is null && rule.PremiumAbove is null)
            failures.Add($"{prefix}:SizeAbove or {prefix}:PremiumAbove is required for Kind=LargeTrade (contracts, e.g. SizeAbove=100; or USD, e.g. PremiumAbove=250000)");
        if (kind == AlertRuleKind.BlockTrade && rule.PremiumAbove is not null)
            failures.Add($"{prefix}:PremiumAbove does not apply to Kind=BlockTrade: every block alerts, or those with a leg above SizeAbove");
    }

    /// <summary>The venues of <c>Tracker:Venues</c>; null when that setting is itself wrong (start-up names it on its own).</summary>
    private IReadOnlyList<Venue>? ConfiguredVenues()
    {
        try
        {
            return TrackerOptions.ReadVenues(configuration);
        }
        catch (Configuration.ConfigurationException)
        {
            return null;
        }
    }

    /// <summary>
    /// A rule's <c>Venue</c>: one of the configured venues (a rule on a venue this deployment does not collect would never
    /// have a value, silently), and not on the rule that compares venues.
    /// </summary>
    private static void ValidateVenue(string prefix, AlertRuleOptions rule, IReadOnlyList<Venue>? configured, List<string> failures)
    {
        if (rule.Venue is not { } text || configured is null)
            return;
        if (rule.Kind == AlertRuleKind.VenueIvGap)
            failures.Add($"{prefix}:Venue does not apply to Kind=VenueIvGap: it compares the same option across the venues");
        else if (VenueOf(rule) is not { } venue || !configured.Contains(venue))
            failures.Add($"{prefix}:Venue must be one of the configured venues (Tracker:Venues): {string.Join(", ", configured.Select(v => v.Id))}, not '{text.Trim()}'; leave it out for every venue's combined figure");
    }

    /// <summary>A rule's venue (any case), or null when it has none or the id is not one.</summary>
    internal static Venue? VenueOf(AlertRuleOptions rule) =>
        rule.Venue is { } text && Venue.TryParse(text.AsSpan().Trim(), out var venue) ? venue : null;

    /// <summary>The periods, in days, of Bybit's historical volatility (<c>/v5/market/historical-volatility</c>).</summary>
    private static readonly double[] RealisedPeriods = [7, 14, 21, 30, 60, 90, 180, 270];

    private static void RequireThreshold(string prefix, AlertRuleOptions rule, List<string> failures, string example)
    {
        if (rule.Above is null && rule.Below is null)
            failures.Add($"{prefix}:Above or {prefix}:Below is required ({example})");
    }

    internal static bool TryParseExpiry(string text, out DateOnly date) =>
        ExpiryLabel.TryParse(text.Trim(), out date)
        || DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static bool IsHttp(Uri? url) =>
        url is { IsAbsoluteUri: true } && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps);

    // Telegram's documented example token: 123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11.
    [GeneratedRegex("^[0-9]{1,20}:[A-Za-z0-9_-]{1,100}$")]
    private static partial Regex BotTokenShape();

    [GeneratedRegex("^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{3,64})$")]
    private static partial Regex ChatIdShape();
}
