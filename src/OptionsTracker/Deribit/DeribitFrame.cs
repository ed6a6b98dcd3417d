using System.Text.Json;

namespace OptionsTracker.Deribit;

/// <summary>What a WebSocket frame from Deribit is (JSON-RPC 2.0: a notification, a heartbeat, or a reply to one of ours).</summary>
internal enum FrameKind : byte
{
    /// <summary><c>{"method":"subscription","params":{"channel":…,"data":…}}</c>.</summary>
    Notification,

    /// <summary><c>{"method":"heartbeat","params":{"type":"heartbeat"|"test_request"}}</c>.</summary>
    Heartbeat,

    /// <summary>A reply (<c>id</c> with <c>result</c> or <c>error</c>).</summary>
    Reply,

    /// <summary>Well-formed JSON of no interest.</summary>
    Other,

    Malformed,
}

/// <summary>
/// Where a frame's parts are (byte offsets into the frame), found in one pass with <see cref="Utf8JsonReader"/> and no
/// allocation: the hot path reads the channel and hands the data slice to its channel's parser.
/// </summary>
internal readonly record struct DeribitFrame(FrameKind Kind, int ChannelStart, int ChannelLength, int DataStart, int DataLength, bool TestRequest, long Id)
{
    public ReadOnlySpan<byte> Channel(ReadOnlySpan<byte> frame) => frame.Slice(ChannelStart, ChannelLength);

    public ReadOnlySpan<byte> Data(ReadOnlySpan<byte> frame) => frame.Slice(DataStart, DataLength);

    public static DeribitFrame Read(ReadOnlySpan<byte> frame)
    {
        try
        {
            return ReadCore(frame);
        }
        catch (JsonException)
        {
            return Malformed;
        }
        catch (InvalidOperationException)
        {
            return Malformed;
        }
    }

    private static readonly DeribitFrame Malformed = new(FrameKind.Malformed, 0, 0, 0, 0, false, -1);

    private static DeribitFrame ReadCore(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return Malformed;
        bool subscription = false, heartbeat = false, testRequest = false, reply = false;
        int channelStart = -1, channelLength = 0, dataStart = -1, dataLength = 0;
        long id = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("method"u8))
            {
                reader.Read();
                subscription = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("subscription"u8);
                heartbeat = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("heartbeat"u8);
            }
            else if (reader.ValueTextEquals("params"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("channel"u8))
                    {
                        reader.Read();
                        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
                            return Malformed;
                        channelStart = (int)reader.TokenStartIndex + 1; // after the opening quote
                        channelLength = reader.ValueSpan.Length;
                    }
                    else if (reader.ValueTextEquals("data"u8))
                    {
                        reader.Read();
                        dataStart = (int)reader.TokenStartIndex;
                        reader.Skip();
                        dataLength = (int)reader.BytesConsumed - dataStart;
                    }
                    else if (reader.ValueTextEquals("type"u8))
                    {
                        reader.Read();
                        testRequest = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("test_request"u8);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
                if (reader.TokenType != JsonTokenType.EndObject)
                    return Malformed;
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
                    id = value;
            }
            else if (reader.ValueTextEquals("result"u8) || reader.ValueTextEquals("error"u8))
            {
                reply = true;
                reader.Read();
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            return Malformed;
        if (subscription)
            return channelStart >= 0 && dataStart >= 0
                ? new DeribitFrame(FrameKind.Notification, channelStart, channelLength, dataStart, dataLength, false, -1)
                : Malformed;
        if (heartbeat)
            return new DeribitFrame(FrameKind.Heartbeat, 0, 0, 0, 0, testRequest, -1);
        if (reply)
            return new DeribitFrame(FrameKind.Reply, 0, 0, 0, 0, false, id);
        return new DeribitFrame(FrameKind.Other, 0, 0, 0, 0, false, id);
    }
}
