using System.Buffers;
using System.Text.Json;

namespace OptionsTracker.Simulator;

/// <summary>
/// The RFQ stream's (<c>/v5/public/rfq</c>) acks and pongs. Bybit documents neither for it (docs at 072c197); these take
/// the linear/inverse public stream's forms (websocket/wss-authentication.mdx): an ack
/// <c>{"success":…,"ret_msg":"","conn_id":…,"req_id":…,"op":"subscribe"}</c> and a pong
/// <c>{"success":true,"ret_msg":"pong","conn_id":…,"req_id":…,"op":"ping"}</c>, not the option stream's
/// <c>COMMAND_RESP</c>. A refused topic makes the whole ack <c>success:false</c> with
/// <c>ret_msg</c> <c>error:handler not found,topic:…</c>, the text those streams answer an unknown topic with.
/// </summary>
internal static class RfqReplies
{
    public static byte[] CommandResponse(string connectionId, string? reqId, string op, IReadOnlyList<string> failTopics)
    {
        var buffer = new ArrayBufferWriter<byte>(200);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("success"u8, failTopics.Count == 0);
            json.WriteString("ret_msg"u8, failTopics.Count == 0 ? "" : "error:handler not found,topic:" + string.Join(",", failTopics));
            json.WriteString("conn_id"u8, connectionId);
            json.WriteString("req_id"u8, reqId ?? "");
            json.WriteString("op"u8, op);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Pong(string connectionId, string? reqId)
    {
        var buffer = new ArrayBufferWriter<byte>(160);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("success"u8, true);
            json.WriteString("ret_msg"u8, "pong"u8);
            json.WriteString("conn_id"u8, connectionId);
            json.WriteString("req_id"u8, reqId ?? "");
            json.WriteString("op"u8, "ping"u8);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
