using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Bybit;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Bybit;

/// <summary>Replies to subscribe and unsubscribe requests in each form the exchange may send (facts §4 and §10).</summary>
public class SubscribeReplyParsingTests
{
    private static OptionsTracker.Book.OptionBook Book => BookBuilder.WithSymbols(new FakeTimeProvider(), "BTC-27MAR26-70000-P-USDT");

    [Fact]
    public void A_public_v5_rejection_without_type_is_read_as_a_reply_to_its_request()
    {
        var kind = TickerParser.ParseMessage(Frames.Utf8("""{"success":false,"ret_msg":"error:handler not found","conn_id":"c1","req_id":"3-17","op":"subscribe"}"""),
            Book, out var response);

        Assert.Equal(MessageKind.CommandResponse, kind);
        Assert.NotNull(response);
        Assert.False(response.Success);
        Assert.Equal("error:handler not found", response.RetMsg);
        Assert.Equal("3-17", response.ReqId);
        Assert.Equal("subscribe", response.Op);
        Assert.Empty(response.SuccessTopics);
        Assert.Empty(response.FailTopics);
    }

    [Fact]
    public void A_rejection_naming_only_its_req_id_is_a_reply_too()
    {
        var kind = TickerParser.ParseMessage(Frames.Utf8("""{"req_id":"1-2","success":false,"ret_msg":"args size >2000"}"""), Book, out var response);

        Assert.Equal(MessageKind.CommandResponse, kind);
        Assert.Equal("1-2", response!.ReqId);
        Assert.Null(response.Op);
    }

    [Fact]
    public void The_option_ack_keeps_its_topics_and_has_no_req_id()
    {
        var kind = TickerParser.ParseMessage(Frames.Utf8(Frames.DocAck), Book, out var response);

        Assert.Equal(MessageKind.CommandResponse, kind);
        Assert.True(response!.Success);
        Assert.Null(response.ReqId);
        Assert.Equal(["tickers.BAD"], response.FailTopics);
    }

    [Theory]
    [InlineData("""{"success":true,"ret_msg":"pong","conn_id":"x","req_id":"","op":"ping"}""", "Pong")]
    [InlineData("""{"success":false,"ret_msg":"error:request is not valid JSON","conn_id":"x"}""", "Other")]
    public void Other_replies_are_not_taken_for_a_subscribe_reply(string message, string expected)
    {
        Assert.Equal(Enum.Parse<MessageKind>(expected), TickerParser.ParseMessage(Frames.Utf8(message), Book, out var response));
        Assert.Null(response);
    }
}
