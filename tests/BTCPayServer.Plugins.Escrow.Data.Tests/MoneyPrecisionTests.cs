using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Data.Tests.Builders;
using BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;
using CsCheck;

namespace BTCPayServer.Plugins.Escrow.Data.Tests;

/// <summary>Any amount a currency allows, from its smallest unit to its largest total, is stored exactly.</summary>
public abstract class MoneyPrecisionTests(StoreDatabase database)
{
    private static readonly string[] Currencies = ["BTC", "SATS", "USD", "JPY", "KWD"];

    [Fact]
    public async Task Milestone_amounts_round_trip_exactly_in_every_precision()
    {
        // Each milestone gets at most a fifth of the currency's maximum, so the contract total stays within it.
        var amounts =
            from code in Gen.OneOfConst(Currencies)
            let currency = Currency.FromCode(code)
            let units = (long)(currency.Maximum / 5 * Pow10(currency.Precision))
            from count in Gen.Int[1, 5]
            from raw in Gen.Long[1, units].Array[count]
            select (code, raw.Select(u => u / Pow10(currency.Precision)).ToArray());

        await amounts.SampleAsync(async sample =>
        {
            var (code, values) = sample;
            await AssertRoundTripAsync(code, values);
        }, iter: 20, threads: 1);
    }

    [Theory]
    [InlineData("BTC", "21000000")]
    [InlineData("BTC", "0.00000001")]
    [InlineData("SATS", "2100000000000000")]
    [InlineData("USD", "1000000000000")]
    [InlineData("KWD", "0.001")]
    public async Task Edge_amounts_round_trip_exactly(string code, string amount) =>
        await AssertRoundTripAsync(code, [decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)]);

    private async Task AssertRoundTripAsync(string code, decimal[] values)
    {
        var clock = Build.Clock();
        var contract = Build.Draft(clock, terms: Build.Terms(values.Length, code, i => values[i - 1]));
        await database.AddAsync(contract);

        var reloaded = await database.LoadAsync(contract.Id);

        Assert.Equal(values.Select(v => Money.Of(v, code)), reloaded.Milestones.Select(m => m.Amount));
        Assert.Equal(contract.CurrentTerms().Total, reloaded.CurrentTerms().Total);
        Assert.Equal(Snapshot.Of(contract), Snapshot.Of(reloaded));
    }

    private static decimal Pow10(int precision) => precision == 0 ? 1m : (decimal)Math.Pow(10, precision);
}
