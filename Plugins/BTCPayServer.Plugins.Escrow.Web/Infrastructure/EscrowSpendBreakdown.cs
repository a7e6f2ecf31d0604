using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// One output of an escrow spend: who it pays (null: an address of no party), where, what it pays, and what the
/// contract decided for that party (null when no payout instruction names them: the agency's fee, a pre-signed refund).
/// </summary>
public sealed record EscrowSpendOutput(EscrowRole? Role, string Address, long Sats, long? DecidedSats)
{
    /// <summary>What the network fee took from this party's decided amount (negative: a share too small to pay out was added).</summary>
    public long? FeeShareSats => DecidedSats - Sats;

    public string Whom => Role is { } r ? "the " + r.Noun() : "an address";
}

/// <summary>
/// What an escrow spend actually pays, read from its PSBT rather than from the decision: the network fee comes out of
/// the escrow, so each party receives its decided amount less its share of that fee.
/// </summary>
public sealed record EscrowSpendBreakdown(IReadOnlyList<EscrowSpendOutput> Outputs, long InputSats, long NetworkFeeSats)
{
    public static EscrowSpendBreakdown Of(Contract contract, EscrowSpendRecord spend) =>
        Of(contract, spend.Round, spend.PayoutIds, contract.NonCustodial.EscrowOf(spend.MilestoneId));

    public static EscrowSpendBreakdown Of(Contract contract, SigningRound round, IReadOnlyList<Guid> payoutIds, MilestoneEscrowRecord? escrow)
    {
        var network = round.GetNetwork();
        var psbt = PSBT.Parse(round.IssuedPsbt, network);
        var state = contract.NonCustodial;
        var payouts = contract.Payouts.Where(p => payoutIds.Contains(p.Id) && p.PayoutAmount.Currency == "BTC").ToList();
        long? Decided(EscrowRole? role) =>
            role is EscrowRole.Client or EscrowRole.Freelancer && payouts.Where(p => Contract.ToEscrowRole(p.Recipient) == role).ToList() is { Count: > 0 } mine
                ? mine.Sum(p => (long)(p.PayoutAmount.Amount * 100_000_000m))
                : null;
        var outputs = psbt.GetGlobalTransaction().Outputs.Select(o =>
        {
            var address = o.ScriptPubKey.GetDestinationAddress(network)?.ToString() ?? o.ScriptPubKey.ToHex();
            var role = state.Keys.FirstOrDefault(k => k.PayoutAddress == address)?.Role;
            return new EscrowSpendOutput(role, address, o.Value.Satoshi, Decided(role));
        }).ToList();
        var inputs = psbt.Inputs.All(i => i.WitnessUtxo is not null)
            ? psbt.Inputs.Sum(i => i.WitnessUtxo!.Value.Satoshi)
            : escrow is { FundingSats: > 0 } ? escrow.FundingSats : escrow?.AmountSats ?? outputs.Sum(o => o.Sats);
        return new EscrowSpendBreakdown(outputs, inputs, inputs - outputs.Sum(o => o.Sats));
    }

    public EscrowSpendOutput? To(EscrowRole role) => Outputs.FirstOrDefault(o => o.Role == role);
}
