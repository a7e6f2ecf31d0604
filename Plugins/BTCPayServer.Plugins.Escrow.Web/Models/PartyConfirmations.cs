using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;

namespace BTCPayServer.Plugins.Escrow.Web.Models;

/// <summary>What a confirmation page says about one act; hidden fields are repeated with confirm=yes.</summary>
public sealed record PartyConfirmation(string Heading, IReadOnlyList<string> Figures, string Consequence, string Button, IReadOnlyList<KeyValuePair<string, string>> Fields);

/// <summary>
/// The figures of the party acts that move money, computed with the same settlement the act will use. Null when the act
/// cannot happen (wrong party or state): the act then answers with its own error.
/// </summary>
public static class PartyConfirmations
{
    public static PartyConfirmation? Approve(Contract c, PartyRole role, Guid milestoneId)
    {
        if (role != PartyRole.Client || c.Milestones.FirstOrDefault(m => m.Id == milestoneId) is not { State: MilestoneState.Submitted } m)
            return null;
        var s = SettlementCalculator.Settle(m, m.Amount, c.Fee, c.Fx);
        return new PartyConfirmation(
            $"Approve milestone {m.Number} and release {s.ReleasePayout} to {c.Freelancer.Name}?",
            Split(c, s),
            "Approving is final: the payment goes to the freelancer and cannot be taken back. If something is missing, go back and request changes instead.",
            $"Yes, release {s.ReleasePayout} to {c.Freelancer.Name}", []);
    }

    public static PartyConfirmation? CancelMissed(Contract c, PartyRole role, Guid milestoneId, DateTimeOffset now)
    {
        if (role != PartyRole.Client || c.Milestones.FirstOrDefault(m => m.Id == milestoneId) is not { } m
            || m.State is not (MilestoneState.Pending or MilestoneState.Funded) || m.DeliveryDeadline is not { } due || now < due)
            return null;
        var s = SettlementCalculator.RefundAll(m, c.Fx);
        return new PartyConfirmation(
            $"Cancel milestone {m.Number}{(s.Refund.IsPositive ? $" and refund {s.RefundPayout} to you" : "")}?",
            s.Refund.IsPositive ? [$"Refund to you: {s.RefundPayout}", $"{c.Freelancer.Name} receives nothing for this milestone."] : ["Nothing was paid for this milestone, so nothing is refunded."],
            "Cancelling is final: the milestone cannot be reopened, and the freelancer can no longer deliver it.",
            "Yes, cancel the milestone", []);
    }

    public static PartyConfirmation? AcceptSplit(Contract c, PartyRole role, Guid milestoneId, Guid proposalId)
    {
        if (c.Milestones.FirstOrDefault(m => m.Id == milestoneId) is not { } m || c.ActiveDispute(milestoneId) is not { Status: DisputeStatus.Open } dispute
            || dispute.Proposals.FirstOrDefault(p => p.Id == proposalId) is not { Status: ProposalStatus.Open } proposal || proposal.ProposedBy == role)
            return null;
        var s = SettlementCalculator.Settle(m, proposal.FreelancerAmount, c.Fee, c.Fx);
        return new PartyConfirmation(
            $"Accept the split of milestone {m.Number}: {proposal.FreelancerAmount} to the freelancer?",
            Split(c, s),
            "Accepting ends the dispute and pays out at once; it cannot be undone.",
            "Yes, accept the split", [new("accept", "true")]);
    }

    private static List<string> Split(Contract c, Settlement s)
    {
        var lines = new List<string> { $"{c.Freelancer.Name} receives {s.ReleasePayout}" };
        if (s.FeeKept.IsPositive)
            lines.Add($"The agency keeps {s.FeeKept} fee");
        if (s.RefundPayout.IsPositive)
            lines.Add($"{c.Client.Name} gets back {s.RefundPayout}");
        return lines;
    }
}
