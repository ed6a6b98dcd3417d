using OptionsTracker.Dashboard;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>How the rich/cheap column and the detail's smile-fit line read a residual (vol points).</summary>
public sealed class SmileResidualTextTests
{
    [Theory]
    [InlineData(1.234, "+1.2", "rich")]
    [InlineData(-0.76, "\u22120.8", "cheap")]
    [InlineData(0.04, "0.0", "")]
    [InlineData(-0.04, "0.0", "")]
    [InlineData(0.05, "+0.1", "rich")]
    [InlineData(double.NaN, Display.Missing, "")]
    public void A_residual_reads_with_its_sign_one_decimal_and_a_tone(double residual, string text, string tone)
    {
        Assert.Equal(text, SmileResidual.Text(residual));
        Assert.Equal(tone, SmileResidual.Tone(residual));
    }

    [Fact]
    public void The_detail_line_names_rich_or_cheap_and_says_when_on_the_fit()
    {
        Assert.Equal("Smile fit: +1.2 vol pts rich", SmileResidual.Sentence(1.2));
        Assert.Equal("Smile fit: \u22120.8 vol pts cheap", SmileResidual.Sentence(-0.8));
        Assert.Equal("Smile fit: 0.0 vol pts, on the fit", SmileResidual.Sentence(0.01));
    }

    [Fact]
    public void The_column_is_optional_off_by_default_and_mirrored_outside_the_book()
    {
        var column = Assert.Single(ChainColumns.All, c => c.IsSmileResidual);
        Assert.Equal("rich-cheap", column.Key);
        Assert.DoesNotContain("rich-cheap", ChainColumns.Default);
        Assert.False(column.IsBook);
        Assert.False(column.Flashes);
    }
}
