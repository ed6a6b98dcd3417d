namespace OptionsTracker.Bybit;

public enum ShardState : byte
{
    Connecting,
    Subscribing,
    Live,
    Reconnecting,
    Stopped,
}
