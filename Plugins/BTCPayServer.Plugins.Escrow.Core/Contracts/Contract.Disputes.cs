using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Milestones;

namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

// Disputes: opened by a party, settled by an agreed split, or escalated to the agency whose ruling is final.
public sealed partial class Contract
{
    public Dispute OpenDispute(Guid milestoneId, PartyRole by, string? reason, DateTimeOffset now)
    {
        var at = Moment(now);
        EnsureState("disputed", ContractState.Active);
        var milestone = Milestone(milestoneId);
        var dispute = new Dispute(Id, milestone.Id, by, reason, at, DisputeResponseWindow);
        milestone.MoveTo(MilestoneState.Disputed, "disputed", at);
        milestone.StopReviewClock();
        _disputes.Add(dispute);
        Record(at, Actor.Party(by), "dispute.opened", ("milestone", milestone.Number), ("responseDeadline", dispute.ResponseDeadline));
        return dispute;
    }

    public Dispute? ActiveDispute(Guid milestoneId) => _disputes.FirstOrDefault(d => d.MilestoneId == milestoneId && d.IsActive);

    public void PostDisputeMessage(Guid milestoneId, Actor by, string? text, DateTimeOffset now)
    {
        var at = Moment(now);
        DisputeOf(milestoneId).AddMessage(by.Role, text, at);
        Record(at, by, "dispute.message", ("milestone", Milestone(milestoneId).Number));
    }

    /// <summary>A party offers a split: this much of the milestone amount to the freelancer, the rest back to the client.</summary>
    public SplitProposal ProposeSplit(Guid milestoneId, PartyRole by, decimal freelancerAmount, string? note, DateTimeOffset now)
    {
        var at = Moment(now);
        var milestone = Milestone(milestoneId);
        var share = Share(milestone, freelancerAmount);
        var proposal = DisputeOf(milestoneId).Propose(by, share, note, at);
        Record(at, Actor.Party(by), "dispute.split-proposed", ("milestone", milestone.Number), ("freelancerAmount", share));
        return proposal;
    }

    /// <summary>The other party accepts or rejects a proposal; acceptance settles the milestone at once.</summary>
    public void AnswerSplit(Guid milestoneId, Guid proposalId, PartyRole by, bool accept, DateTimeOffset now)
    {
        var at = Moment(now);
        var dispute = DisputeOf(milestoneId);
        var proposal = dispute.Answer(proposalId, by, accept);
        var milestone = Milestone(milestoneId);
        Record(at, Actor.Party(by), accept ? "dispute.split-accepted" : "dispute.split-rejected", ("milestone", milestone.Number), ("freelancerAmount", proposal.FreelancerAmount));
        if (accept)
            Resolve(milestone, dispute, DisputeStatus.Settled, proposal.FreelancerAmount, "split agreed by both parties", Actor.Party(by), at);
    }

    /// <summary>Either party (or the agency) hands the dispute to the agency before the response window ends.</summary>
    public void EscalateDispute(Guid milestoneId, Actor by, DateTimeOffset now)
    {
        var at = Moment(now);
        if (DisputeOf(milestoneId).Escalate($"requested by {by.Role.ToString().ToLowerInvariant()}", at))
            Record(at, by, "dispute.escalated", ("milestone", Milestone(milestoneId).Number), ("reason", "requested"));
    }

    /// <summary>The agency's final ruling: both payouts are queued in the same step.</summary>
    public void RuleOnDispute(Guid milestoneId, decimal freelancerAmount, string? reason, Actor agency, DateTimeOffset now)
    {
        var at = Moment(now);
        if (agency.Role != ActorRole.Agency)
            throw new EscrowException("dispute.not-agency", "Only the agency can rule on a dispute.");
        var dispute = DisputeOf(milestoneId);
        if (dispute.Status != DisputeStatus.Escalated)
            throw new InvalidTransitionException("dispute.not-escalated",
                "The parties can still agree on a split; the agency rules once the dispute is escalated or its response window has passed.");
        var milestone = Milestone(milestoneId);
        var share = Share(milestone, freelancerAmount);
        var why = Text.Required(reason, "reason", "reason for the ruling", Dispute.MaxTextLength);
        Resolve(milestone, dispute, DisputeStatus.Ruled, share, why, agency, at);
    }

    private void Resolve(Milestone milestone, Dispute dispute, DisputeStatus how, Money share, string reason, Actor by, DateTimeOffset at)
    {
        dispute.Resolve(how, share, reason, by.Role == ActorRole.Agency ? by.Id : null, at);
        milestone.MoveTo(MilestoneState.Resolved, "resolved", at);
        Record(at, by, how == DisputeStatus.Ruled ? "dispute.ruled" : "dispute.settled", ("milestone", milestone.Number), ("freelancerAmount", share), ("reason", reason));
        Decide(milestone, share, by, at);
        CompleteIfDone(at);
    }

    private Dispute DisputeOf(Guid milestoneId)
    {
        EnsureState("disputed", ContractState.Active);
        var milestone = Milestone(milestoneId);
        return ActiveDispute(milestoneId)
            ?? throw new InvalidTransitionException("dispute.none", $"Milestone {milestone.Number} has no open dispute.");
    }

    private Money Share(Milestone milestone, decimal freelancerAmount)
    {
        var share = Money.Of(freelancerAmount, Currency, "freelancerAmount");
        if (share > milestone.Amount)
            throw new InvalidInputException("freelancerAmount", $"The freelancer's share cannot exceed the milestone amount ({milestone.Amount}).");
        return share;
    }
}
