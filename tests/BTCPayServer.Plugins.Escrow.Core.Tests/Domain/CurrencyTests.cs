using BTCPayServer.Plugins.Escrow.Core.Amounts;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

public class CurrencyTests
{
    [Theory]
    [InlineData("BTC", 8)]
    [InlineData("SATS", 0)]
    [InlineData("USD", 2)]
    [InlineData("EUR", 2)]
    [InlineData("JPY", 0)]
    [InlineData("KWD", 3)]
    [InlineData("CHF", 2)]
    public void Each_currency_has_its_own_precision(string code, int precision)
    {
        Assert.Equal(precision, Currency.FromCode(code).Precision);
    }

    [Fact]
    public void Codes_are_trimmed_and_upper_cased()
    {
        Assert.Equal("USD", Currency.FromCode(" usd ").Code);
        Assert.Equal(Currency.BTC, Currency.FromCode("btc"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("US")]
    [InlineData("DOLLAR")]
    [InlineData("U$D")]
    [InlineData("US1")]
    public void Something_that_is_not_a_currency_code_is_refused(string? code)
    {
        var ex = Assert.Throws<InvalidInputException>(() => Currency.FromCode(code));

        Assert.Equal("currency", ex.Field);
        Assert.Contains("is not a currency code", ex.Message);
        Assert.False(Currency.TryFromCode(code, out _));
    }

    [Theory]
    [InlineData("BTC", true)]
    [InlineData("SATS", true)]
    [InlineData("LBTC", true)]
    [InlineData("USD", false)]
    [InlineData("JPY", false)]
    public void Only_bitcoin_units_count_as_bitcoin(string code, bool isBitcoin)
    {
        Assert.Equal(isBitcoin, Currency.FromCode(code).IsBitcoin);
    }

    [Fact]
    public void Bitcoin_units_are_capped_at_21_million_bitcoin()
    {
        Assert.Equal(21_000_000m, Currency.BTC.Maximum);
        Assert.Equal(21_000_000m * 100_000_000m, Currency.SATS.Maximum);
        Assert.True(Currency.FromCode("USD").Maximum > Currency.BTC.Maximum);
    }
}
