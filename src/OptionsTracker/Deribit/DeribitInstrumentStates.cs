using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace OptionsTracker.Deribit;

/// <summary>
/// Follows <c>instrument.state.option.{currency}</c> ("notifications about new or terminated instruments", docs.deribit.com
/// subscriptions/market-data/instrumentstatekindcurrency): a listing (<c>created</c>, <c>started</c>) or an end
/// (<c>settled</c>, <c>closed</c>, <c>deactivated</c>, <c>terminated</c>) of one option. It does not change the book itself:
/// it marks the currency's instrument list stale and names the option's base coin on <see cref="Coins"/>, which the feed
/// reads to refresh that coin at once (the feed alone adds and removes instruments: the same path as the periodic
/// refresh, so the filter, the pacing of subscribes and the removal rules stay one). A burst of notices (a new expiry lists
/// dozens of options at once) is one refresh per coin, one <c>get_instruments</c> per currency.
/// </summary>
public sealed class DeribitInstrumentStates(TimeProvider time, ILogger<DeribitInstrumentStates> logger) : IDeribitChannelHandler
{
    public const string ChannelPrefix = "instrument.state.option.";

    // Bounded and coalesced by the reader (a set per round): a flood of notices cannot grow memory.
    private readonly Channel<string> _coins = Channel.CreateBounded<string>(
        new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _changedAt = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unknownStates = new(StringComparer.Ordinal);
    private long _notices;

    public string Prefix => ChannelPrefix;

    /// <summary>The channel of a Deribit currency: <c>instrument.state.option.BTC</c>.</summary>
    public static string ChannelOf(string currency) => $"{ChannelPrefix}{currency}";

    /// <summary>Base coins whose Deribit listing changed (an option listed or ended): refresh them now.</summary>
    public ChannelReader<string> Coins => _coins.Reader;

    /// <summary>Notices read since start (listings and ends).</summary>
    public long Notices => Interlocked.Read(ref _notices);

    /// <summary>
    /// When a notice on <paramref name="currency"/> last arrived (MinValue: never): an instrument list fetched before it
    /// is stale and must not be reused.
    /// </summary>
    public DateTimeOffset ChangedAt(string currency)
    {
        lock (_lock)
            return _changedAt.GetValueOrDefault(currency, DateTimeOffset.MinValue);
    }

    public void Subscribed(string channel)
    {
        // Nothing to catch up here: a listing missed while disconnected is found by the feed's periodic refresh.
    }

    public ChannelResult Handle(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> data, long receivedAtMs)
    {
        if (!TryRead(data, out var state, out var name))
            return ChannelResult.Malformed;
        var currency = Encoding.UTF8.GetString(channel[ChannelPrefix.Length..]);
        switch (state)
        {
            case "created" or "started" or "settled" or "closed" or "deactivated" or "terminated":
                break;
            default:
                lock (_lock)
                {
                    if (!_unknownStates.Add(state))
                        return ChannelResult.Ignored;
                }
                Log.InstrumentStateUnknown(logger, state, name);
                return ChannelResult.Ignored;
        }
        var coin = DeribitInstrumentName.CoinOf(name);
        if (coin is null)
            return ChannelResult.Malformed;
        lock (_lock)
            _changedAt[currency] = time.GetUtcNow();
        Interlocked.Increment(ref _notices);
        Log.InstrumentStateHeard(logger, name, state, coin);
        _coins.Writer.TryWrite(coin);
        return ChannelResult.Applied;
    }

    /// <summary>Reads <c>{"timestamp":…,"state":"created","instrument_name":"BTC-…"}</c>; false when either field is missing.</summary>
    internal static bool TryRead(ReadOnlySpan<byte> data, out string state, out string name)
    {
        state = name = "";
        string? readState = null, readName = null;
        try
        {
            var reader = new Utf8JsonReader(data);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isState = reader.ValueTextEquals("state"u8);
                var isName = !isState && reader.ValueTextEquals("instrument_name"u8);
                if (!reader.Read())
                    return false;
                if (isState && reader.TokenType == JsonTokenType.String)
                    readState = reader.GetString();
                else if (isName && reader.TokenType == JsonTokenType.String)
                    readName = reader.GetString();
                else
                    reader.Skip();
            }
        }
        catch (JsonException)
        {
            return false;
        }
        if (string.IsNullOrEmpty(readState) || string.IsNullOrEmpty(readName))
            return false;
        state = readState;
        name = readName;
        return true;
    }
}
