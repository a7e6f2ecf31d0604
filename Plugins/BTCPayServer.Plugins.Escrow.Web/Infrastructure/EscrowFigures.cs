using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>What an escrow spend pays, in words a party can check against their wallet's screen: each output with its amount in BTC.</summary>
public static class EscrowFigures
{
    public static IReadOnlyList<string> Outputs(Contract contract, EscrowSpendRecord spend)
    {
        var network = spend.Round.GetNetwork();
        var tx = PSBT.Parse(spend.Round.IssuedPsbt, network).GetGlobalTransaction();
        var keys = contract.NonCustodial;
        string Whose(string address) =>
            keys.Keys.FirstOrDefault(k => k.PayoutAddress == address) is { } k ? $"the {k.Role.Noun()}" : "an address";
        var input = contract.NonCustodial.EscrowOf(spend.MilestoneId)?.AmountSats;
        var lines = tx.Outputs.Select(o =>
        {
            var address = o.ScriptPubKey.GetDestinationAddress(network)?.ToString() ?? o.ScriptPubKey.ToHex();
            return $"{Btc(o.Value.Satoshi)} to {Whose(address)} ({address})";
        }).ToList();
        lines.Add($"Signed so far by: {(spend.Round.SignedBy.Count == 0 ? "nobody" : string.Join(" and ", spend.Round.SignedBy.Select(r => "the " + r.Noun())))}; still needed: {spend.Round.StillNeeded()}.");
        return lines;
    }

    /// <summary>Satoshis as a BTC amount with its currency, never a float.</summary>
    public static string Btc(long sats) => (sats / 100_000_000m).ToString("0.00000000", System.Globalization.CultureInfo.InvariantCulture) + " BTC";
}
