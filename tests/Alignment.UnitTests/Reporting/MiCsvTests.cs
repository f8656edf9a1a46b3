
namespace Alignment.UnitTests.Reporting;

/// <summary>CSV formula-injection defence: text that a spreadsheet would run is shown as text; numbers stay numbers.</summary>
public sealed class MiCsvTests
{
    private static string[] Row(params object?[] cells) =>
        MiCsv.Write(["a"], [cells]).Split("\r\n")[1].Split(',');

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0")]
    [InlineData("\t=1+1", "'\t=1+1")]
    [InlineData("-1", "'-1")]
    [InlineData("Payments", "Payments")]
    [InlineData("a-b", "a-b")]
    public void Prefixes_text_cells_starting_with_a_formula_character(string text, string expected) =>
        Assert.Equal(expected, Row(text)[0]);

    [Fact]
    public void Prefixes_a_text_cell_starting_with_a_carriage_return_and_keeps_it_quoted()
    {
        var csv = MiCsv.Write(["a"], [["\r=1+1"]]);
        Assert.Equal("a\r\n\"'\r=1+1\"\r\n", csv);
    }

    [Fact]
    public void Leaves_negative_numbers_it_writes_itself_as_numbers()
    {
        Assert.Equal(["-0.9", "-3", "-12", "2026-01-05"], Row(-0.9, -3, -12L, new DateOnly(2026, 1, 5)));
    }
}
