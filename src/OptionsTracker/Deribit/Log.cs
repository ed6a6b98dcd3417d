namespace OptionsTracker.Deribit;

// Event ids 12000–12499 (the Deribit block; tests/OptionsTracker.Tests/Logging/EventIdTests.cs checks them). Operators
// filter on them: keep ids and EventNames (= the method name) stable, append new ones.

/// <summary>Every log line of the Deribit venue. Nothing here is logged per message above Debug.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 12001, EventName = "InstrumentsFetched", Level = LogLevel.Information, Message = "Deribit lists {Count} options in {Currency}")]
    public static partial void InstrumentsFetched(ILogger logger, string currency, int count);

    [LoggerMessage(EventId = 12002, EventName = "InstrumentsSkipped", Level = LogLevel.Warning, Message = "Skipped {Count} unreadable options of Deribit's {Currency} instrument list")]
    public static partial void InstrumentsSkipped(ILogger logger, string currency, int count);

    [LoggerMessage(EventId = 12003, EventName = "RequestFailed", Level = LogLevel.Warning, Message = "Deribit refused {Request}: error {Code} {Message}")]
    public static partial void RequestFailed(ILogger logger, string request, int code, string message);

    [LoggerMessage(EventId = 12004, EventName = "RestRetry", Level = LogLevel.Warning, Message = "{What} from Deribit failed: {Reason}; retrying in {Delay}")]
    public static partial void RestRetry(ILogger logger, string what, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 12005, EventName = "RefreshFailed", Level = LogLevel.Warning, Message = "{What} from Deribit failed: {Reason}; the next refresh asks again")]
    public static partial void RefreshFailed(ILogger logger, string what, string reason);

    [LoggerMessage(EventId = 12006, EventName = "SnapshotApplied", Level = LogLevel.Information, Message = "Deribit {Currency} book summary: {Items} options, {Known} in the book, {Changed} quotes changed")]
    public static partial void SnapshotApplied(ILogger logger, string currency, int items, int known, int changed);

    [LoggerMessage(EventId = 12007, EventName = "SnapshotItemsMalformed", Level = LogLevel.Warning, Message = "Deribit {Currency} book summary: {Count} items unreadable and skipped")]
    public static partial void SnapshotItemsMalformed(ILogger logger, string currency, int count);

    [LoggerMessage(EventId = 12010, EventName = "TooManyRequests", Level = LogLevel.Warning, Message = "Deribit answered 10028 too_many_requests to {Where}: every request and reconnect pauses until {Until:O} ({Pause})")]
    public static partial void TooManyRequests(ILogger logger, string where, DateTimeOffset until, TimeSpan pause);

    [LoggerMessage(EventId = 12011, EventName = "RequestsResumed", Level = LogLevel.Information, Message = "Deribit requests resume after the too_many_requests pause")]
    public static partial void RequestsResumed(ILogger logger);

    [LoggerMessage(EventId = 12020, EventName = "Connecting", Level = LogLevel.Information, Message = "Deribit connection {ConnectionId} connecting to {Url} ({Channels} channels)")]
    public static partial void Connecting(ILogger logger, int connectionId, Uri url, int channels);

    [LoggerMessage(EventId = 12021, EventName = "ConnectFailed", Level = LogLevel.Warning, Message = "Deribit connection {ConnectionId} cannot connect to {Url}: {Reason}; retrying in {Delay}")]
    public static partial void ConnectFailed(ILogger logger, int connectionId, Uri url, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 12022, EventName = "ConnectionLost", Level = LogLevel.Warning, Message = "Deribit connection {ConnectionId} lost: {Reason}; reconnecting in {Delay}")]
    public static partial void ConnectionLost(ILogger logger, int connectionId, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 12023, EventName = "ConnectionLive", Level = LogLevel.Information, Message = "Deribit connection {ConnectionId} live: {Subscribed} of {Assigned} channels subscribed")]
    public static partial void ConnectionLive(ILogger logger, int connectionId, int subscribed, int assigned);

    [LoggerMessage(EventId = 12024, EventName = "MalformedMessage", Level = LogLevel.Warning, Message = "Deribit connection {ConnectionId}: malformed message ({Total} so far); latest: {Sample}")]
    public static partial void MalformedMessage(ILogger logger, int connectionId, long total, string sample);

    [LoggerMessage(EventId = 12025, EventName = "SubscribeRefused", Level = LogLevel.Warning, Message = "Deribit connection {ConnectionId}: a subscribe of {Count} channels (e.g. {Example}) was refused: error {Code} {Message}; asking again in {Retry}")]
    public static partial void SubscribeRefused(ILogger logger, int connectionId, int count, string example, int code, string message, TimeSpan retry);

    [LoggerMessage(EventId = 12026, EventName = "RequestRefused", Level = LogLevel.Warning, Message = "Deribit connection {ConnectionId}: {Method} refused: error {Code} {Message}")]
    public static partial void RequestRefused(ILogger logger, int connectionId, string method, int code, string message);

    [LoggerMessage(EventId = 12027, EventName = "ChannelsLeftOut", Level = LogLevel.Warning, Message = "Deribit connection {ConnectionId}: {Count} channels (e.g. {Example}) left out of the subscribe reply; asking again in {Retry}")]
    public static partial void ChannelsLeftOut(ILogger logger, int connectionId, int count, string example, TimeSpan retry);

    [LoggerMessage(EventId = 12028, EventName = "Sharding", Level = LogLevel.Information, Message = "Deribit: {Channels} channels over {Connections} connections")]
    public static partial void Sharding(ILogger logger, int channels, int connections);

    [LoggerMessage(EventId = 12029, EventName = "EmptyConnectionClosed", Level = LogLevel.Information, Message = "Deribit connection {ConnectionId} has no channels left: closed")]
    public static partial void EmptyConnectionClosed(ILogger logger, int connectionId);

    [LoggerMessage(EventId = 12030, EventName = "ConnectionsStopped", Level = LogLevel.Information, Message = "Deribit: {Count} connections closed")]
    public static partial void ConnectionsStopped(ILogger logger, int count);

    [LoggerMessage(EventId = 12040, EventName = "TradeBackfill", Level = LogLevel.Information, Message = "Deribit {Currency} trade backfill: {Read} trades read, {Appended} new on the tape")]
    public static partial void TradeBackfill(ILogger logger, string currency, int read, long appended);

    [LoggerMessage(EventId = 12041, EventName = "TradeBackfillRetry", Level = LogLevel.Warning, Message = "Deribit {Currency} trade backfill failed: {Reason}; retrying in {Delay}")]
    public static partial void TradeBackfillRetry(ILogger logger, string currency, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 12042, EventName = "TradeBackfillFailed", Level = LogLevel.Warning, Message = "Deribit {Currency} trade backfill gave up ({Reason}); {Held} held trades go on, trades made while disconnected may be missing")]
    public static partial void TradeBackfillFailed(ILogger logger, string currency, string reason, int held);

    [LoggerMessage(EventId = 12043, EventName = "TradeGap", Level = LogLevel.Warning, Message = "Deribit {Currency}: the backfill's {Count} trades start at {Oldest:O}, after the tape's newest {Newest:O}: trades in between may be missing")]
    public static partial void TradeGap(ILogger logger, string currency, DateTimeOffset newest, DateTimeOffset oldest, int count);

    [LoggerMessage(EventId = 12044, EventName = "MalformedTrades", Level = LogLevel.Warning, Message = "Deribit: {Count} trade items unreadable and skipped; latest: {Sample}")]
    public static partial void MalformedTrades(ILogger logger, int count, string sample);

    [LoggerMessage(EventId = 12070, EventName = "InstrumentStateHeard", Level = LogLevel.Debug, Message = "Deribit: {Instrument} {State} (instrument.state); refreshing {Coin}'s options now")]
    public static partial void InstrumentStateHeard(ILogger logger, string instrument, string state, string coin);

    [LoggerMessage(EventId = 12071, EventName = "InstrumentStateUnknown", Level = LogLevel.Information, Message = "Deribit: instrument.state '{State}' (first seen for {Instrument}) is not one this tracker knows; ignored, the periodic refresh follows the listing")]
    public static partial void InstrumentStateUnknown(ILogger logger, string state, string instrument);
}
