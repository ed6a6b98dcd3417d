using System.Net;

namespace OptionsTracker.Simulator;

/// <summary>A snapshot of one open WebSocket connection.</summary>
/// <param name="Id">The <c>conn_id</c> sent in this connection's acks.</param>
/// <param name="SubscribedTopicCount">Topics currently subscribed.</param>
/// <param name="SubscribedArgsChars">Sum of the subscribed topic strings' lengths (the 21,000 limit counts this).</param>
/// <param name="PingsReceived">Text <c>{"op":"ping"}</c> messages received.</param>
/// <param name="MaxArgsInOneRequest">Most <c>args</c> seen in one subscribe or unsubscribe request.</param>
/// <param name="RemoteEndPoint">The client's address and port.</param>
public sealed record SimulatedConnection(
    string Id, int SubscribedTopicCount, int SubscribedArgsChars, long PingsReceived, int MaxArgsInOneRequest,
    IPEndPoint? RemoteEndPoint);
