using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

/// <summary>
/// What the sandbox wallet is asked to pay: an address or a BIP21 URI (<c>bitcoin:ADDRESS?amount=0.01</c>), and an
/// amount in BTC typed as a decimal (never a floating-point number), at most 8 decimals. Every refusal names its field.
/// </summary>
public sealed record SandboxPaymentRequest(BitcoinAddress Address, Money Amount)
{
    public const string DestinationField = "destination";
    public const string AmountField = "amount";
    public const int MaxDestinationLength = 2_000;
    private const decimal MaxBtc = 21_000_000m;
    private static readonly Network[] KnownNetworks = [Network.Main, Network.TestNet, Network.RegTest, Bitcoin.Instance.Signet];

    public static SandboxPaymentRequest Parse(string? destination, string? amount, SandboxNetwork network)
    {
        var text = destination?.Trim() ?? "";
        if (text.Length == 0)
            throw new InvalidInputException(DestinationField, "Enter the address to pay, or a payment link (bitcoin:address?amount=…).");
        if (text.Length > MaxDestinationLength || text.Any(char.IsControl))
            throw new InvalidInputException(DestinationField, "This is not an address or a payment link: it is too long or spans several lines.");

        string addressText;
        string? uriAmount = null;
        if (text.StartsWith("bitcoin:", StringComparison.OrdinalIgnoreCase))
            (addressText, uriAmount) = ParseUri(text);
        else
            addressText = text;

        var address = ParseAddress(addressText, network);
        var typed = string.IsNullOrWhiteSpace(amount) ? null : ParseBtc(amount, AmountField);
        var asked = uriAmount is null ? null : ParseBtc(uriAmount, DestinationField);
        if (typed is not null && asked is not null && typed != asked)
            throw new InvalidInputException(AmountField, $"The payment link asks for {Btc(asked)} BTC but {Btc(typed)} BTC was entered. Clear the amount to pay what the link asks.");
        var money = typed ?? asked ?? throw new InvalidInputException(AmountField, "Enter the amount to pay in BTC, such as 0.01.");
        var dust = DustThreshold.For(address.ScriptPubKey);
        if (money < dust)
            throw new InvalidInputException(AmountField, $"{Btc(money)} BTC is below the dust limit for this kind of address ({dust.Satoshi} sat): a node would not relay it.");
        return new SandboxPaymentRequest(address, money);
    }

    /// <summary>An amount in BTC: a positive decimal with at most 8 decimals, up to 21 million.</summary>
    public static Money ParseBtc(string? text, string field)
    {
        if (!Amounts.TryParse(text, out var btc))
            throw new InvalidInputException(field, $"Enter the amount in BTC such as 0.01 ({Amounts.Rule}).");
        if (btc <= 0)
            throw new InvalidInputException(field, "Pay an amount above zero.");
        if (btc.Scale > 8)
            throw new InvalidInputException(field, "A BTC amount has at most 8 decimals (0.00000001 BTC is one satoshi).");
        if (btc > MaxBtc)
            throw new InvalidInputException(field, "That is more than 21 million BTC.");
        return Money.Satoshis(decimal.ToInt64(btc * 100_000_000m));
    }

    /// <summary>BIP21: the address, and the amount when given; an unknown required parameter (req-…) is refused, as BIP21 says.</summary>
    private static (string Address, string? Amount) ParseUri(string uri)
    {
        var rest = uri["bitcoin:".Length..];
        var question = rest.IndexOf('?');
        var address = question < 0 ? rest : rest[..question];
        string? amount = null;
        if (question >= 0)
        {
            foreach (var pair in rest[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=');
                var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]).ToLowerInvariant();
                var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
                if (name == "amount")
                {
                    if (amount is not null)
                        throw new InvalidInputException(DestinationField, "The payment link gives its amount twice.");
                    amount = value;
                }
                else if (name.StartsWith("req-", StringComparison.Ordinal))
                    throw new InvalidInputException(DestinationField, $"The payment link requires \"{name}\", which this sandbox wallet does not understand, so it will not pay it.");
            }
        }
        if (address.Length == 0)
            throw new InvalidInputException(DestinationField, "The payment link has no address after \"bitcoin:\".");
        return (address, amount);
    }

    private static BitcoinAddress ParseAddress(string text, SandboxNetwork network)
    {
        // QR codes carry bech32 addresses in upper case; the address itself is the same.
        var candidate = text.ToUpperInvariant() == text ? text.ToLowerInvariant() : text;
        if (TryAddress(candidate, network.Network) is { } address)
            return address;
        if (TryAddress(text, network.Network) is { } asTyped)
            return asTyped;
        var other = KnownNetworks.Where(n => n != network.Network).FirstOrDefault(n => TryAddress(candidate, n) is not null);
        throw new InvalidInputException(DestinationField, other is null
            ? $"\"{Shorten(text)}\" is not a Bitcoin address. Copy it again from the escrow page."
            : $"This is a {NetworkName(other)} address; the sandbox chain runs on {network.Name}, so it cannot pay it. Use an address of the escrow's {network.Name} network.");
    }

    private static BitcoinAddress? TryAddress(string text, Network network)
    {
        try
        {
            return BitcoinAddress.Create(text, network);
        }
        catch (FormatException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static string NetworkName(Network network) =>
        network == Network.Main ? "mainnet (real bitcoin)" : network == Network.RegTest ? "regtest" : network == Network.TestNet ? "testnet" : "signet";

    /// <summary>An amount as BTC with its 8 decimals, the same in every locale.</summary>
    public static string Btc(Money amount) => amount.ToDecimal(MoneyUnit.BTC).ToString("0.00000000", System.Globalization.CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
