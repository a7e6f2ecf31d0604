using NBitcoin;

namespace BTCPayServer.Plugins.Escrow.Core.NonCustodial;

/// <summary>Where each party's money goes; the agency address is needed only when a decision charges an agency fee.</summary>
public sealed record Payees(BitcoinAddress Client, BitcoinAddress Freelancer, BitcoinAddress? Agency = null);

public sealed record PlannedOutput(EscrowRole Role, BitcoinAddress Address, Money Amount);

/// <summary>
/// The outputs and network fee of one escrow spend. <see cref="FeeFromClient"/> and <see cref="FeeFromFreelancer"/>
/// say who paid the network fee; <see cref="Notes"/> explain any dust leg that was folded, in words for the parties.
/// </summary>
public sealed record SpendPlan(
    SpendKind Kind,
    SignerRule Signers,
    Money Total,
    IReadOnlyList<PlannedOutput> Outputs,
    Money NetworkFee,
    int EstimatedVirtualSize,
    Money FeeFromClient,
    Money FeeFromFreelancer,
    IReadOnlyList<string> Notes);

/// <summary>
/// Turns a decision into outputs. The network fee is the staff's rate times the vsize from the witness template, split
/// between the client's and the freelancer's legs in proportion to their shares (each paying at least 1 sat when both
/// are paid). The agency fee is never charged network fee. A leg below the dust limit is folded: a party's into the
/// other party's output (the money stays with the parties), a dust agency fee into the network fee.
/// </summary>
public static class SpendPlanner
{
    public const decimal MinFeeRate = 1m;
    public const decimal MaxFeeRate = 1_000m;

    public static Checked<SpendPlan> Plan(SpendDecision decision, Money total, int inputCount, Payees payees, decimal satPerVByte, Network network)
    {
        if (satPerVByte < MinFeeRate || satPerVByte > MaxFeeRate)
            return Refuse("feeRate", $"The fee rate must be between {MinFeeRate} and {MaxFeeRate} sat/vB; {satPerVByte} was given.");
        if (total <= Money.Zero || inputCount < 1)
            return Refuse("coins", "The escrow holds nothing to spend.");
        if (payees.Client.Network.ChainName != network.ChainName)
            return Refuse("clientAddress", $"The client's address is not a {network.ChainName} address.");
        if (payees.Freelancer.Network.ChainName != network.ChainName)
            return Refuse("freelancerAddress", $"The freelancer's address is not a {network.ChainName} address.");
        if (payees.Agency is { } agencyAddress && agencyAddress.Network.ChainName != network.ChainName)
            return Refuse("agencyAddress", $"The agency's address is not a {network.ChainName} address.");
        if (decision.AgencyFee < Money.Zero || decision.ToFreelancer is { } tf && tf < Money.Zero)
            return Refuse("decision", "A share cannot be negative.");
        var freelancerGross = decision.FreelancerGross(total);
        var clientGross = decision.ClientGross(total);
        if (freelancerGross < Money.Zero || clientGross < Money.Zero)
            return Refuse("decision", $"The shares add up to more than the {total.Satoshi} sat the escrow holds.");
        if (decision.AgencyFee > Money.Zero && payees.Agency is null)
            return Refuse("agencyAddress", "The decision charges an agency fee, so the agency's payout address is needed.");
        if (freelancerGross + clientGross == Money.Zero)
            return Refuse("decision", "The agency fee would take everything; nothing is left to pay the parties or the network fee.");

        var notes = new List<string>();
        var agencyOut = decision.AgencyFee;
        var agencyFolded = Money.Zero;
        if (agencyOut > Money.Zero && agencyOut < DustThreshold.For(payees.Agency!.ScriptPubKey))
        {
            agencyFolded = agencyOut;
            agencyOut = Money.Zero;
            notes.Add($"The agency fee of {agencyFolded.Satoshi} sat is below the dust limit, so it pays part of the network fee instead of being its own output.");
        }

        var legs = new List<Leg>();
        if (clientGross > Money.Zero) legs.Add(new Leg(EscrowRole.Client, payees.Client, clientGross));
        if (freelancerGross > Money.Zero) legs.Add(new Leg(EscrowRole.Freelancer, payees.Freelancer, freelancerGross));

        while (true)
        {
            var scripts = legs.Select(l => l.Address.ScriptPubKey).ToList();
            if (agencyOut > Money.Zero) scripts.Add(payees.Agency!.ScriptPubKey);
            var vsize = EscrowTxSize.VirtualSize(inputCount, scripts);
            var fee = Money.Satoshis((long)Math.Ceiling(satPerVByte * vsize));
            var due = Money.Max(Money.Zero, fee - agencyFolded);
            var shares = Split(due, legs);
            var dusty = legs.Select((l, i) => (Leg: l, Net: l.Gross - shares[i]))
                .Where(x => x.Net < DustThreshold.For(x.Leg.Address.ScriptPubKey))
                .OrderBy(x => x.Leg.Gross.Satoshi).Select(x => x.Leg).FirstOrDefault(); // both dust: the smaller share folds into the larger
            if (dusty is not null && legs.Count == 1)
                return Refuse("decision", $"The escrow holds too little: after the network fee of {fee.Satoshi} sat ({satPerVByte} sat/vB × {vsize} vB) the {dusty.Role.Noun()}'s payment would be below the dust limit. Choose a lower fee rate.");
            if (dusty is not null)
            {
                var other = legs.Single(l => l != dusty);
                legs = [other with { Gross = other.Gross + dusty.Gross }];
                notes.Add($"The {dusty.Role.Noun()}'s share of {dusty.Gross.Satoshi} sat is too small to pay out after its part of the network fee, so it goes to the {other.Role.Noun()}.");
                continue;
            }

            var outputs = legs.Select((l, i) => new PlannedOutput(l.Role, l.Address, l.Gross - shares[i])).ToList();
            if (agencyOut > Money.Zero) outputs.Add(new PlannedOutput(EscrowRole.Agency, payees.Agency!, agencyOut));
            var networkFee = total - outputs.Select(o => o.Amount).Sum();
            Money FeeOf(EscrowRole role) => legs.Select((l, i) => l.Role == role ? shares[i] : Money.Zero).Sum();
            return Checked<SpendPlan>.Ok(new SpendPlan(decision.Kind, decision.Signers(total), total, outputs, networkFee, vsize,
                FeeOf(EscrowRole.Client), FeeOf(EscrowRole.Freelancer), notes));
        }
    }

    /// <summary>Pro rata by gross share, rounded to the nearest sat, and at least 1 sat from each of two legs.</summary>
    private static Money[] Split(Money due, IReadOnlyList<Leg> legs)
    {
        if (legs.Count == 1)
            return [due];
        var (a, b) = (legs[0].Gross.Satoshi, legs[1].Gross.Satoshi);
        var first = (long)Math.Round((decimal)due.Satoshi * a / (a + b), MidpointRounding.AwayFromZero);
        if (due.Satoshi >= 2)
            first = Math.Clamp(first, 1, due.Satoshi - 1);
        return [Money.Satoshis(first), due - Money.Satoshis(first)];
    }

    private sealed record Leg(EscrowRole Role, BitcoinAddress Address, Money Gross);

    private static Checked<SpendPlan> Refuse(string field, string message) => Checked<SpendPlan>.Refused(field, message);
}
