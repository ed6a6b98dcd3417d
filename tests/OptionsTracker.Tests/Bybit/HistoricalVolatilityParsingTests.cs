using System.Text;
using OptionsTracker.Bybit;

namespace OptionsTracker.Tests.Bybit;

/// <summary>
/// <c>/v5/market/historical-volatility</c> answers as Bybit documents them, read by <see cref="BybitRestClient.ParseHistoricalVolatility"/>.
/// </summary>
public class HistoricalVolatilityParsingTests
{
    /// <summary>
    /// The response example of bybit-exchange/docs, docs/v5/market/iv.mdx (commit 072c197d, 2026-07-24), verbatim: note
    /// <c>category</c> beside <c>result</c>, and <c>result</c> the list itself, unlike every other market endpoint.
    /// </summary>
    private const string DocumentedExample = """
        {
            "retCode": 0,
            "retMsg": "SUCCESS",
            "category": "option",
            "result": [
                {
                    "period": 30,
                    "value": "0.45024716",
                    "time": "1672052400000"
                }
            ]
        }
        """;

    private static OptionsTracker.Measures.RealisedVolatilityPoint? Parse(string json, int period) =>
        BybitRestClient.ParseHistoricalVolatility(Encoding.UTF8.GetBytes(json), period, "/v5/market/historical-volatility?test");

    [Fact]
    public void The_documented_example_is_a_30_day_volatility_as_a_fraction_at_its_hour()
    {
        var point = Parse(DocumentedExample, 30);

        Assert.NotNull(point);
        Assert.Equal(30, point.Value.PeriodDays);
        Assert.Equal(0.45024716, point.Value.Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1672052400000), point.Value.Time);
        Assert.Equal(new DateTimeOffset(2022, 12, 26, 11, 0, 0, TimeSpan.Zero), point.Value.Time); // on the hour: the data is hourly
    }

    [Fact]
    public void A_period_written_as_a_string_is_read_too()
    {
        // The form a testnet answer took in ccxt PR 18695: {'period': '7', 'time': '1690711200000', 'value': '0.23523212'}.
        var point = Parse("""{"retCode":0,"retMsg":"SUCCESS","category":"option","result":[{"period":"7","value":"0.23523212","time":"1690711200000"}]}""", 7);

        Assert.Equal(0.23523212, point?.Value);
    }

    [Fact]
    public void Of_several_hours_the_latest_is_taken_and_another_period_or_an_unreadable_value_is_ignored()
    {
        var point = Parse("""
            {"retCode":0,"retMsg":"SUCCESS","category":"option","result":[
              {"period":7,"value":"0.41","time":"1672048800000"},
              {"period":7,"value":"0.43","time":"1672056000000"},
              {"period":14,"value":"0.99","time":"1672059600000"},
              {"period":7,"value":"","time":"1672063200000"},
              {"period":7,"value":"0.42","time":"1672052400000"}]}
            """, 7);

        Assert.Equal((0.43, 1672056000000L), (point!.Value.Value, point.Value.Time.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public void An_empty_list_or_a_parameter_error_means_not_served()
    {
        Assert.Null(Parse("""{"retCode":0,"retMsg":"SUCCESS","category":"option","result":[]}""", 180));
        Assert.Null(Parse("""{"retCode":10001,"retMsg":"params error","result":{},"retExtInfo":{},"time":1672052400000}""", 5));
    }

    [Fact]
    public void Any_other_refusal_throws_with_its_code()
    {
        var refused = Assert.Throws<BybitApiException>(() =>
            Parse("""{"retCode":10006,"retMsg":"Too many visits!","result":{},"retExtInfo":{},"time":1672052400000}""", 7));
        Assert.Equal(10006, refused.RetCode);
        Assert.Contains("historical-volatility", refused.Message, StringComparison.Ordinal);
        Assert.Throws<System.Text.Json.JsonException>(() => Parse("""{"retCode":0,"retMsg":"SUCCESS","category":"option"}""", 7));
    }
}
