namespace OptionsTracker.Bybit;

/// <summary>
/// An option <c>COMMAND_RESP</c>: <c>{"success":true,"conn_id":"…","data":{"failTopics":[],"successTopics":[…]},"type":"COMMAND_RESP"}</c>.
/// It carries no <c>op</c> or <c>req_id</c> (bybit-v5-options.md §4), so it is matched to requests by topic.
/// A reply with <c>success:false</c> and no topics (a rejected request) has <see cref="RetMsg"/>, and, in the public V5
/// form seen on other streams (<c>{"success":false,"ret_msg":"error:…","conn_id":"…","req_id":"…","op":"subscribe"}</c>,
/// no <c>type</c>; facts §10), the <see cref="ReqId"/> and <see cref="Op"/> of the request it rejects.
/// </summary>
internal sealed class CommandResponse
{
    public bool Success { get; set; }
    public string? RetMsg { get; set; }
    public string? ReqId { get; set; }
    public string? Op { get; set; }
    public List<string> SuccessTopics { get; } = [];
    public List<string> FailTopics { get; } = [];
}
