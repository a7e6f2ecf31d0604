using BTCPayServer.Plugins.Escrow.Core.Amounts;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

public class MoneyTests
{
    [Theory]
    [InlineData("BTC", "0.00000001", "0.00000001 BTC")]
    [InlineData("SATS", "1", "1 SATS")]
    [InlineData("USD", "0.01", "0.01 USD")]
    [InlineData("JPY", "1", "1 JPY")]
    [InlineData("KWD", "0.001", "0.001 KWD")]
    [InlineData("BTC", "0.0015", "0.00150000 BTC")]
    [InlineData("USD", "12", "12.00 USD")]
    public void An_amount_within_its_currency_precision_is_accepted_and_shown_with_exactly_those_decimals(string currency, string amount, string shown)
    {
        var money = Money.Of(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency);

        Assert.Equal(shown, money.ToInvariantString());
        Assert.Equal(currency, money.Currency);
    }

    [Theory]
    [InlineData("BTC", "0.000000001")]
    [InlineData("SATS", "0.5")]
    [InlineData("USD", "0.001")]
    [InlineData("JPY", "0.5")]
    [InlineData("KWD", "0.0001")]
    public void An_amount_more_precise_than_its_currency_is_refused(string currency, string amount)
    {
        var ex = Assert.Throws<InvalidInputException>(() => Money.Of(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency));

        Assert.Contains("more decimals than", ex.Message);
    }

    [Fact]
    public void A_negative_amount_is_refused()
    {
        var ex = Assert.Throws<InvalidInputException>(() => Money.Of(-0.01m, "USD", "milestones[0].amount"));

        Assert.Equal("milestones[0].amount", ex.Field);
        Assert.Contains("negative", ex.Message);
    }

    [Fact]
    public void More_than_21_million_bitcoin_is_refused_but_21_million_is_not()
    {
        Assert.Equal(21_000_000m, Money.Of(21_000_000m, "BTC").Amount);

        var ex = Assert.Throws<InvalidInputException>(() => Money.Of(21_000_000.00000001m, "BTC"));
        Assert.Contains("largest amount", ex.Message);
        Assert.Throws<InvalidInputException>(() => Money.Of(2_100_000_000_000_001m, "SATS"));
    }

    [Fact]
    public void Amounts_in_different_currencies_cannot_be_added_subtracted_or_compared()
    {
        var usd = Money.Of(10m, "USD");
        var eur = Money.Of(10m, "EUR");

        var add = Assert.Throws<EscrowException>(() => usd + eur);
        Assert.Equal("money.currency-mismatch", add.Code);
        Assert.Equal("Cannot combine USD with EUR.", add.Message);
        Assert.Throws<EscrowException>(() => usd - eur);
        Assert.Throws<EscrowException>(() => usd < eur);
        Assert.Throws<EscrowException>(() => Money.Min(usd, eur));
    }

    [Fact]
    public void Arithmetic_in_one_currency_keeps_the_currency()
    {
        var sum = Money.Of(10.25m, "USD") + Money.Of(0.75m, "USD") - Money.Of(1m, "USD");

        Assert.Equal(Money.Of(10m, "USD"), sum);
        Assert.True(Money.Of(1m, "USD") < Money.Of(1.01m, "USD"));
        Assert.Equal(Money.Of(1m, "USD"), Money.Min(Money.Of(1m, "USD"), Money.Of(2m, "USD")));
        Assert.Equal(Money.Of(2m, "USD"), Money.Max(Money.Of(1m, "USD"), Money.Of(2m, "USD")));
    }

    [Theory]
    [InlineData("0.00000003", "0.5", "BTC", "0.00000001")]
    [InlineData("10.00", "0.333", "USD", "3.33")]
    [InlineData("1001", "0.01", "SATS", "10")]
    [InlineData("0.999", "0.5", "KWD", "0.499")]
    public void Multiplying_rounds_toward_zero_so_it_never_creates_money(string amount, string ratio, string currency, string expected)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;

        var result = Money.Of(decimal.Parse(amount, inv), currency).MultiplyDown(decimal.Parse(ratio, inv));

        Assert.Equal(Money.Of(decimal.Parse(expected, inv), currency), result);
    }

    [Theory]
    [InlineData("12.34", "USD", true)]
    [InlineData(" 0.5 ", "BTC", true)]
    [InlineData("12.345", "USD", false)]
    [InlineData("1,000.00", "USD", false)]
    [InlineData("-1", "USD", false)]
    [InlineData("abc", "USD", false)]
    [InlineData("", "USD", false)]
    [InlineData("1", "US", false)]
    public void Parsing_accepts_only_valid_invariant_amounts(string text, string currency, bool ok)
    {
        Assert.Equal(ok, Money.TryParse(text, currency, out var money));
        if (ok)
            Assert.Equal(decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture), money.Amount);
    }

    [Fact]
    public void Zero_is_zero_and_not_positive()
    {
        var zero = Money.Zero("usd");

        Assert.Equal("USD", zero.Currency);
        Assert.True(zero.IsZero);
        Assert.False(zero.IsPositive);
        Assert.Equal("0.00 USD", zero.ToString());
    }
}
