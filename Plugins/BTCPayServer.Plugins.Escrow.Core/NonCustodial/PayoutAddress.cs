using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>Reads the address a party is paid at by escrow spends: one plain address of the escrow's network.</summary>
public static class PayoutAddress
{
    public sealed record Parsed(BitcoinAddress Address)
    {
        public override string ToString() => Address.ToString();
    }

    public static Checked<Parsed> Parse(string? text, string field, string noun, Network network)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0)
            return Checked<Parsed>.Refused(field, $"Enter the {noun}'s payout address: a bitcoin address of their own wallet.");
        if (PrivateKeyDetector.ContainsPrivateKey(trimmed))
            return Checked<Parsed>.Refused(field, PrivateKeyDetector.Refusal);
        if (trimmed.StartsWith("bitcoin:", StringComparison.OrdinalIgnoreCase))
            trimmed = trimmed["bitcoin:".Length..].Split('?')[0];
        if (trimmed.Length > 100)
            return Checked<Parsed>.Refused(field, "This is far longer than a bitcoin address; paste only the address.");
        try
        {
            var address = BitcoinAddress.Create(trimmed, network);
            return Checked<Parsed>.Ok(new Parsed(address));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException)
        {
            return Checked<Parsed>.Refused(field, $"'{Text.Excerpt(trimmed)}' is not a bitcoin address on {network.ChainName}. Copy a receive address from the {noun}'s wallet.");
        }
    }
}
