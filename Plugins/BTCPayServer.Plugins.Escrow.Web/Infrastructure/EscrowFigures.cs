using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>What an escrow spend pays, in words a party can check against their wallet's screen: each output with its amount in BTC.</summary>
public static class EscrowFigures
{
    public static IReadOnlyList<string> Outputs(Contract contract, EscrowSpendRecord spend) =>
        Outputs(EscrowSpendBreakdown.Of(contract, spend), spend.Round);

    /// <summary>Each output (amount, who, address, and how it follows from the decided amount), the network fee, and who signed so far.</summary>
    public static IReadOnlyList<string> Outputs(EscrowSpendBreakdown breakdown, SigningRound round)
    {
        var lines = breakdown.Outputs.Select(o => $"{Btc(o.Sats)} to {o.Whom} ({o.Address}){HowFrom(o)}").ToList();
        lines.Add($"Network fee: {SatsAndBtc(breakdown.NetworkFeeSats)}, paid from the escrow's {Btc(breakdown.InputSats)}.");
        lines.Add($"Signed so far by: {(round.SignedBy.Count == 0 ? "nobody" : string.Join(" and ", round.SignedBy.Select(r => "the " + r.Noun())))}; still needed: {round.StillNeeded()}.");
        return lines;
    }

    /// <summary>The decided amount and the network fee share that make an output, for a party a decision names.</summary>
    public static string HowFrom(EscrowSpendOutput output)
    {
        if (output.Role == EscrowRole.Agency)
            return ": the agency's fee";
        if (output.DecidedSats is not { } decided || output.FeeShareSats is not { } share)
            return "";
        return share switch
        {
            > 0 => $": {Btc(decided)} decided, less {SatsAndBtc(share)} network fee share",
            < 0 => $": {Btc(decided)} decided, plus {SatsAndBtc(-share)} of the other party's share, too small to pay out on its own",
            _ => $": {Btc(decided)} decided",
        };
    }

    /// <summary>A spend's state in words, for the money box and the badges.</summary>
    public static string Waiting(EscrowSpendRecord spend) => spend.Status switch
    {
        EscrowSpendStatus.Collecting => "waiting for signatures",
        EscrowSpendStatus.Broadcast => "sent, waiting for a confirmation",
        _ => "confirmed",
    };

    /// <summary>The spends decided but not yet confirmed: their money is still at the escrow address.</summary>
    public static IReadOnlyList<EscrowSpendRecord> Unconfirmed(Contract contract) =>
        contract.IsNonCustodial ? contract.NonCustodial.UnconfirmedPayoutSpends() : [];

    /// <summary>A spend's kind as the pages name it.</summary>
    public static string Kind(SpendKind kind) => kind switch
    {
        SpendKind.Release => "release",
        SpendKind.ClientRefund => "refund",
        SpendKind.Ruling => "ruling",
        _ => "agreed split",
    };

    /// <summary>Satoshis as a BTC amount with its currency, never a float.</summary>
    public static string Btc(long sats) => (sats / 100_000_000m).ToString("0.00000000", System.Globalization.CultureInfo.InvariantCulture) + " BTC";

    public static string SatsAndBtc(long sats) => $"{sats} sat ({Btc(sats)})";

    public static Core.Amounts.Money Money(long sats) => Core.Amounts.Money.Of(sats / 100_000_000m, "BTC");
}
