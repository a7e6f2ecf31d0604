using BTCPayServer.Plugins.Escrow.Core.Amounts;

namespace BTCPayServer.Plugins.Escrow.Core.Gateway;

/// <summary>
/// How BTCPay's unrounded payment amounts become the escrow's. BTCPay keeps amounts unrounded (crypto times rate,
/// millisatoshis) and nets out the network fee it charged the payer, which can exceed a dust payment. The credited value
/// is rounded to the nearest unit of the contract currency; crypto is rounded down, so a BTC-locked payout never pays
/// more than arrived.
/// </summary>
public static class GatewayAmounts
{
    public static Money Credited(decimal amount, string currency) =>
        Money.Of(decimal.Round(Math.Max(0m, amount), Currency.FromCode(currency).Precision, MidpointRounding.AwayFromZero), currency);

    public static Money Crypto(decimal amount, string currency) =>
        Currency.TryFromCode(currency, out var unit)
            ? Money.Of(decimal.Round(Math.Max(0m, amount), unit.Precision, MidpointRounding.ToZero), unit.Code)
            // A coin without a currency code the escrow accepts counts as no BTC, as every coin but BTC does.
            : Money.Zero("BTC");
}
