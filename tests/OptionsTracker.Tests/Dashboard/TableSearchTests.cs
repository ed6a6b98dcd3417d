using OptionsTracker.Dashboard;

namespace OptionsTracker.Tests.Dashboard;

public sealed class TableSearchTests
{
    [Theory]
    [InlineData("95000", 95000)]
    [InlineData("95,000", 95000)]
    [InlineData("95k", 95000)]
    [InlineData("95K", 95000)]
    [InlineData(" 95k ", 95000)]
    [InlineData("1,234,500", 1234500)]
    [InlineData("2.5", 2.5)]
    [InlineData("1.25k", 1250)]
    [InlineData("0.42", 0.42)]
    public void A_number_reads_as_a_strike(string text, double strike) =>
        Assert.Equal((decimal)strike, TableSearch.Parse(text).Strike);

    [Theory]
    [InlineData("BTC-27DEC24")]
    [InlineData("27dec")]
    [InlineData("-P")]
    [InlineData("9,50")]
    [InlineData("95,0000")]
    [InlineData("1.2.3")]
    [InlineData("k")]
    [InlineData("95kk")]
    [InlineData(".5")]
    [InlineData("")]
    public void Anything_else_is_text(string text) => Assert.Null(TableSearch.Parse(text).Strike);
}
