using BTCPayServer.Plugins.Escrow.Web.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Tests;

/// <summary>Typed amounts read the same in every locale: a dot before decimals, commas or spaces only between groups of three.</summary>
public sealed class AmountParsingTests
{
    [Theory]
    [InlineData("1000.00", "1000.00")]
    [InlineData("1,000.00", "1000.00")]
    [InlineData("1,000", "1000")]
    [InlineData("12,345,678.5", "12345678.5")]
    [InlineData("1 000.50", "1000.50")]
    [InlineData("1\u00A0000.50", "1000.50")]
    [InlineData("1\u202F000", "1000")]
    [InlineData(" 250 ", "250")]
    [InlineData("-1,000", "-1000")]
    [InlineData("0.00000001", "0.00000001")]
    public void Grouped_and_plain_amounts_are_read(string typed, string expected)
    {
        Assert.True(Amounts.TryParse(typed, out var value));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("10,00")]
    [InlineData("1.000,50")]
    [InlineData("1,0000")]
    [InlineData("1,000 000")]
    [InlineData("1000,000.5")]
    [InlineData(",100")]
    [InlineData("1,000.")]
    [InlineData("1e3")]
    [InlineData("12abc")]
    [InlineData("1'000")]
    [InlineData("")]
    public void Ambiguous_or_malformed_amounts_are_refused(string typed) =>
        Assert.False(Amounts.TryParse(typed, out _));
}
