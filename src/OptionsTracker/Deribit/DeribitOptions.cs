using System.ComponentModel.DataAnnotations;

namespace OptionsTracker.Deribit;

/// <summary>
/// How to reach Deribit's public API v2 and the limits to keep (docs/venues.md, "Configuration"). Defaults are
/// mainnet's; <see cref="Testnet"/> switches both URLs to test.deribit.com unless they were set explicitly.
/// </summary>
public sealed class DeribitOptions : IValidatableObject
{
    public const string Section = "Deribit";

    public static readonly Uri MainnetRestUrl = new("https://www.deribit.com/api/v2/");
    public static readonly Uri MainnetWsUrl = new("wss://www.deribit.com/ws/api/v2");
    public static readonly Uri TestnetRestUrl = new("https://test.deribit.com/api/v2/");
    public static readonly Uri TestnetWsUrl = new("wss://test.deribit.com/ws/api/v2");

    /// <summary>REST base (<c>public/&lt;method&gt;</c> is appended). Null: mainnet's, or testnet's with <see cref="Testnet"/>.</summary>
    public Uri? RestUrl { get; set; }

    /// <summary>The JSON-RPC WebSocket. Null: mainnet's, or testnet's with <see cref="Testnet"/>.</summary>
    public Uri? WsUrl { get; set; }

    /// <summary>Use test.deribit.com for the URLs not set explicitly.</summary>
    public bool Testnet { get; set; }

    /// <summary>
    /// Deribit's currencies to read options of (its <c>currency</c> parameter): <c>BTC</c> and <c>ETH</c> list the inverse
    /// options of those coins; <c>USDC</c> lists the linear ones of every coin (SOL_USDC, XRP_USDC, BTC_USDC…), each under
    /// its base coin. A tracked coin reads the currency of its own name and the stablecoin currencies configured here.
    /// </summary>
    [Required]
    public string Currencies { get; set; } = "BTC,ETH";

    /// <summary><c>public/set_heartbeat</c> interval; Deribit's minimum is 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A connection that says nothing (no push, no heartbeat, no reply) this long is replaced. In production keep it
    /// above <see cref="HeartbeatInterval"/>: Deribit's heartbeat is the least a quiet connection hears.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "01:00:00")]
    public TimeSpan SilenceTimeout { get; set; } = TimeSpan.FromSeconds(75);

    /// <summary>Channels per <c>public/subscribe</c> call (the request size is bounded; real clients send up to ~500).</summary>
    [Range(1, 1000)]
    public int ChannelsPerSubscribe { get; set; } = 200;

    /// <summary>Channels per connection (undocumented by Deribit; kept moderate so one connection's loss is one share).</summary>
    [Range(1, 10000)]
    public int ChannelsPerConnection { get; set; } = 1000;

    /// <summary>
    /// Requests per second, REST and WebSocket together (answers to heartbeat test requests excepted). Deribit's default
    /// for non-matching-engine requests is 20 per second sustained with a burst of 100 (500 credits each, 50,000 max,
    /// 10,000 refilled per second); half of it leaves room for other clients of the same account.
    /// </summary>
    [Range(0.1, 100)]
    public double RequestsPerSecond { get; set; } = 10;

    /// <summary>Requests that may go out back to back before the pace applies (the credit pool's burst).</summary>
    [Range(1, 100)]
    public int RequestBurst { get; set; } = 20;

    /// <summary>
    /// <c>public/subscribe</c> and <c>unsubscribe</c> calls per second, across connections: they cost more credits than other
    /// requests (3,000 against 500, in a pool of 30,000 refilled at 10,000 per second: about 3 calls a second).
    /// </summary>
    [Range(0.05, 50)]
    public double SubscribesPerSecond { get; set; } = 2;

    /// <summary>Subscribe calls that may go out back to back before <see cref="SubscribesPerSecond"/> applies.</summary>
    [Range(1, 50)]
    public int SubscribeBurst { get; set; } = 5;

    /// <summary>
    /// <c>public/get_instruments</c> has its own limit (1 per 10 s, burst 5): answers are reused this long, so the coins
    /// of one currency (SOL and XRP under USDC) share one request.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan InstrumentsReuse { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Pause after error 10028 too_many_requests (every request, every reconnect); doubles on a repeat, up to <see cref="MaxTooManyRequestsPause"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:30:00")]
    public TimeSpan TooManyRequestsPause { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan MaxTooManyRequestsPause { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>First reconnect delay; doubles per failure up to <see cref="MaxReconnectDelay"/>, with jitter (Feed/Backoff).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A request (REST call, WebSocket connect or reply) not answered this long has failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First delay before a failed REST call is retried; doubles up to <see cref="MaxRestRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RestRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MaxRestRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Channels Deribit left out of a subscribe reply are asked for again after this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan RefusedChannelRetry { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Trades read per currency by the backfill (<c>public/get_last_trades_by_currency</c>, at most 1,000).</summary>
    [Range(1, 1000)]
    public int BackfillTrades { get; set; } = 1000;

    /// <summary>Live trades wait for the backfill at most this long, then go on (a possible gap is counted and logged).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan BackfillTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Delivery prices read per index by <c>public/get_delivery_prices</c> (newest first).</summary>
    [Range(1, 1000)]
    public int DeliveryPricesCount { get; set; } = 20;

    public Uri EffectiveRestUrl => RestUrl ?? (Testnet ? TestnetRestUrl : MainnetRestUrl);

    public Uri EffectiveWsUrl => WsUrl ?? (Testnet ? TestnetWsUrl : MainnetWsUrl);

    /// <summary>The configured currencies, upper case, without blanks or repeats.</summary>
    public IReadOnlyList<string> CurrencyList =>
        [.. Currencies.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => c.ToUpperInvariant()).Distinct(StringComparer.Ordinal)];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var rest = EffectiveRestUrl;
        if (!rest.IsAbsoluteUri || (rest.Scheme != Uri.UriSchemeHttp && rest.Scheme != Uri.UriSchemeHttps))
            yield return new ValidationResult("must be an absolute http(s) URL", [nameof(RestUrl)]);
        var ws = EffectiveWsUrl;
        if (!ws.IsAbsoluteUri || (ws.Scheme != "ws" && ws.Scheme != "wss"))
            yield return new ValidationResult("must be an absolute ws(s) URL", [nameof(WsUrl)]);
        if (CurrencyList.Count == 0 || CurrencyList.Any(c => c.Length > 10 || !c.All(char.IsAsciiLetterOrDigit)))
            yield return new ValidationResult("must name Deribit currencies (BTC, ETH, USDC…), comma-separated", [nameof(Currencies)]);
        if (ChannelsPerSubscribe > ChannelsPerConnection)
            yield return new ValidationResult("must not exceed Deribit:ChannelsPerConnection", [nameof(ChannelsPerSubscribe)]);
        if (MaxReconnectDelay < ReconnectDelay)
            yield return new ValidationResult("must not be below Deribit:ReconnectDelay", [nameof(MaxReconnectDelay)]);
        if (MaxRestRetryDelay < RestRetryDelay)
            yield return new ValidationResult("must not be below Deribit:RestRetryDelay", [nameof(MaxRestRetryDelay)]);
        if (MaxTooManyRequestsPause < TooManyRequestsPause)
            yield return new ValidationResult("must not be below Deribit:TooManyRequestsPause", [nameof(MaxTooManyRequestsPause)]);
    }
}
