using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractSteps;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

public class DisputeTests
{
    /// <summary>Milestone 1 (1 BTC) funded and disputed by the client.</summary>
    private static (Contract Contract, Guid Id) Disputed(ContractBuilder? builder = null)
    {
        var contract = (builder ?? new ContractBuilder()).WithMilestone(1m).WithMilestone(2m).Active().Fund(1);
        var id = contract.M(1).Id;
        contract.Submit(1);
        contract.OpenDispute(id, PartyRole.Client, "The pages do not load", Start);
        return (contract, id);
    }

    private static (Contract Contract, Guid Id) Escalated(ContractBuilder? builder = null)
    {
        var (contract, id) = Disputed(builder);
        contract.EscalateDispute(id, Actor.Freelancer, Start);
        return (contract, id);
    }

    [Theory]
    [InlineData(MilestoneState.Funded)]
    [InlineData(MilestoneState.Submitted)]
    [InlineData(MilestoneState.ChangesRequested)]
    public void A_dispute_can_be_opened_on_a_funded_milestone_before_approval(MilestoneState state)
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active().Fund(1);
        var id = contract.M(1).Id;
        if (state != MilestoneState.Funded) contract.Submit(1);
        if (state == MilestoneState.ChangesRequested) contract.RequestChanges(id, "Fix the footer", Start);

        var dispute = contract.OpenDispute(id, PartyRole.Freelancer, "Client keeps moving the goalposts", Start);

        Assert.Equal(MilestoneState.Disputed, contract.M(1).State);
        Assert.Equal(DisputeStatus.Open, dispute.Status);
        Assert.Equal(PartyRole.Freelancer, dispute.OpenedBy);
        Assert.Equal(Start + TimeSpan.FromDays(7), dispute.ResponseDeadline);
        Assert.Same(dispute, contract.ActiveDispute(id));
        Assert.Contains("dispute.opened", contract.AuditTypes());
    }

    [Theory]
    [InlineData("pending")]
    [InlineData("approved")]
    [InlineData("released")]
    public void A_dispute_cannot_be_opened_on_a_milestone_that_is_not_funded_or_already_decided(string situation)
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).Active();
        var id = contract.M(1).Id;
        if (situation != "pending")
        {
            contract.Fund(1);
            contract.Submit(1);
            contract.Approve(id, Start);
        }
        if (situation == "released")
            contract.MakeClaimable(contract.ReleaseOf(1)!);

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.OpenDispute(id, PartyRole.Client, "Too late", Start));

        Assert.StartsWith("Milestone 1 cannot be disputed while it is", ex.Message);
        Assert.Empty(contract.Disputes);
    }

    [Fact]
    public void A_dispute_needs_a_reason()
    {
        var contract = new ContractBuilder().Active().Fund(1);

        var ex = Assert.Throws<InvalidInputException>(() => contract.OpenDispute(contract.M(1).Id, PartyRole.Client, " ", Start));

        Assert.Equal("reason", ex.Field);
        Assert.Equal(MilestoneState.Funded, contract.M(1).State);
    }

    [Fact]
    public void Opening_a_dispute_stops_the_review_clock()
    {
        var (contract, _) = Disputed();

        Assert.Null(contract.M(1).ReviewDeadline);
    }

    [Fact]
    public void A_proposal_cannot_be_answered_by_the_party_who_made_it()
    {
        var (contract, id) = Disputed();
        var proposal = contract.ProposeSplit(id, PartyRole.Client, 0.3m, "30% for the drafts", Start);

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.AnswerSplit(id, proposal.Id, PartyRole.Client, true, Start));

        Assert.Equal("Only the other party can answer a proposal.", ex.Message);
        Assert.Equal(ProposalStatus.Open, proposal.Status);
        Assert.Equal(MilestoneState.Disputed, contract.M(1).State);
    }

    [Fact]
    public void Accepting_a_proposal_settles_the_dispute_and_pays_both_sides_at_once()
    {
        var (contract, id) = Disputed(new ContractBuilder().WithFee(10m));
        var proposal = contract.ProposeSplit(id, PartyRole.Client, 0.6m, null, Start);

        contract.AnswerSplit(id, proposal.Id, PartyRole.Freelancer, true, Start);

        var dispute = Assert.Single(contract.Disputes);
        Assert.Equal(DisputeStatus.Settled, dispute.Status);
        Assert.Equal(Btc(0.6m), dispute.FreelancerShare);
        Assert.Equal(ProposalStatus.Accepted, proposal.Status);
        Assert.Equal(MilestoneState.Resolved, contract.M(1).State);
        Assert.Equal(Btc(0.54m), contract.ReleaseOf(1)!.Amount);
        Assert.Equal(Btc(0.4m), contract.RefundOf(1)!.Amount);
        Assert.Equal(Btc(0.06m), contract.M(1).FeesRetained);
        Assert.Null(contract.ActiveDispute(id));
    }

    [Fact]
    public void A_rejected_proposal_leaves_the_dispute_open_and_a_new_one_replaces_an_open_one()
    {
        var (contract, id) = Disputed();
        var first = contract.ProposeSplit(id, PartyRole.Client, 0.2m, null, Start);
        contract.AnswerSplit(id, first.Id, PartyRole.Freelancer, false, Start);
        var second = contract.ProposeSplit(id, PartyRole.Freelancer, 0.9m, null, Start);
        var third = contract.ProposeSplit(id, PartyRole.Freelancer, 0.8m, null, Start);

        Assert.Equal(ProposalStatus.Rejected, first.Status);
        Assert.Equal(ProposalStatus.Superseded, second.Status);
        Assert.Same(third, contract.ActiveDispute(id)!.OpenProposal);
        Assert.Throws<InvalidTransitionException>(() => contract.AnswerSplit(id, second.Id, PartyRole.Client, true, Start));
        Assert.Equal(DisputeStatus.Open, contract.ActiveDispute(id)!.Status);
        Assert.Empty(contract.Payouts);
    }

    [Fact]
    public void A_split_above_the_milestone_amount_is_refused()
    {
        var (contract, id) = Disputed();

        var ex = Assert.Throws<InvalidInputException>(() => contract.ProposeSplit(id, PartyRole.Freelancer, 1.00000001m, null, Start));

        Assert.Equal("freelancerAmount", ex.Field);
        Assert.Empty(contract.ActiveDispute(id)!.Proposals);
    }

    [Fact]
    public void Either_party_can_escalate_and_then_proposals_are_closed()
    {
        var (contract, id) = Disputed();
        var proposal = contract.ProposeSplit(id, PartyRole.Client, 0.5m, null, Start);

        contract.EscalateDispute(id, Actor.Client, Start.AddHours(1));

        var dispute = contract.ActiveDispute(id)!;
        Assert.Equal(DisputeStatus.Escalated, dispute.Status);
        Assert.Equal(Start.AddHours(1), dispute.EscalatedAt);
        Assert.Equal("requested by client", dispute.EscalationReason);
        Assert.Equal(ProposalStatus.Superseded, proposal.Status);
        Assert.Throws<InvalidTransitionException>(() => contract.ProposeSplit(id, PartyRole.Freelancer, 0.5m, null, Start));
        Assert.Throws<InvalidTransitionException>(() => contract.AnswerSplit(id, proposal.Id, PartyRole.Freelancer, true, Start));
    }

    [Fact]
    public void Escalating_twice_records_one_escalation()
    {
        var (contract, id) = Escalated();
        var audit = contract.AuditCount;

        contract.EscalateDispute(id, Actor.Client, Start);

        Assert.Equal(audit, contract.AuditCount);
    }

    [Fact]
    public void The_agency_cannot_rule_while_the_parties_can_still_agree()
    {
        var (contract, id) = Disputed();

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.RuleOnDispute(id, 0.5m, "Half", Staff, Start));

        Assert.Equal("dispute.not-escalated", ex.Code);
        Assert.Equal(MilestoneState.Disputed, contract.M(1).State);
        Assert.Empty(contract.Payouts);
    }

    [Fact]
    public void Only_the_agency_can_rule()
    {
        var (contract, id) = Escalated();

        var ex = Assert.Throws<EscrowException>(() => contract.RuleOnDispute(id, 1m, "I win", Actor.Freelancer, Start));

        Assert.Equal("dispute.not-agency", ex.Code);
        Assert.Empty(contract.Payouts);
    }

    [Fact]
    public void A_ruling_needs_a_reason()
    {
        var (contract, id) = Escalated();

        var ex = Assert.Throws<InvalidInputException>(() => contract.RuleOnDispute(id, 0.5m, "", Staff, Start));

        Assert.Equal("reason", ex.Field);
        Assert.Equal(DisputeStatus.Escalated, contract.ActiveDispute(id)!.Status);
        Assert.Empty(contract.Payouts);
    }

    [Fact]
    public void A_ruling_queues_the_release_and_the_refund_together_and_they_add_up_to_what_was_held()
    {
        var (contract, id) = Escalated(new ContractBuilder().WithFee(10m));
        var held = contract.M(1).Held;

        contract.RuleOnDispute(id, 0.6m, "Most of the work was delivered", Staff, Start);

        var release = contract.ReleaseOf(1)!;
        var refund = contract.RefundOf(1)!;
        Assert.Equal(Btc(0.54m), release.Amount);
        Assert.Equal(PartyRole.Freelancer, release.Recipient);
        Assert.Equal(Btc(0.4m), refund.Amount);
        Assert.Equal(PartyRole.Client, refund.Recipient);
        Assert.Equal(held, release.Amount + refund.Amount + contract.M(1).FeesRetained);
        Assert.Equal(Btc(0m), contract.M(1).Held);
        var dispute = Assert.Single(contract.Disputes);
        Assert.Equal(DisputeStatus.Ruled, dispute.Status);
        Assert.Equal("staff-1", dispute.RuledBy);
        Assert.Equal("Most of the work was delivered", dispute.RulingReason);
        Assert.Contains("dispute.ruled", contract.AuditTypes());
    }

    [Fact]
    public void A_ruling_with_a_client_fee_keeps_the_fee_in_proportion_and_refunds_the_rest()
    {
        var (contract, id) = Escalated(new ContractBuilder().WithFee(10m, chargedTo: FeePayer.Client));
        Assert.Equal(Btc(1.1m), contract.M(1).Held);

        contract.RuleOnDispute(id, 0.6m, "Most was delivered", Staff, Start);

        Assert.Equal(Btc(0.6m), contract.ReleaseOf(1)!.Amount);
        Assert.Equal(Btc(0.06m), contract.M(1).FeesRetained);
        Assert.Equal(Btc(0.44m), contract.RefundOf(1)!.Amount);
    }

    [Theory]
    [InlineData(1, PayoutKind.Release)]
    [InlineData(0, PayoutKind.Refund)]
    public void A_ruling_all_one_way_pays_only_that_side(decimal share, PayoutKind kind)
    {
        var (contract, id) = Escalated();

        contract.RuleOnDispute(id, share, "Clear case", Staff, Start);

        Assert.Equal(kind, Assert.Single(contract.Payouts).Kind);
        Assert.Equal(Btc(1m), contract.Payouts[0].Amount);
    }

    [Fact]
    public void One_author_posts_at_most_ten_messages_an_hour()
    {
        var (contract, id) = Disputed();
        for (var i = 0; i < Dispute.MaxMessagesPerHour; i++)
            contract.PostDisputeMessage(id, Actor.Client, $"Message {i}", Start.AddMinutes(i));

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.PostDisputeMessage(id, Actor.Client, "One more", Start.AddMinutes(30)));
        Assert.Contains("within the last hour", ex.Message);
        // The other party is not silenced, and an hour later the first may write again.
        contract.PostDisputeMessage(id, Actor.Freelancer, "My answer", Start.AddMinutes(30));
        contract.PostDisputeMessage(id, Actor.Client, "Later", Start.AddMinutes(61));
        Assert.Equal(Dispute.MaxMessagesPerHour + 2, contract.ActiveDispute(id)!.Messages.Count);
    }

    [Fact]
    public void A_dispute_holds_at_most_a_hundred_messages()
    {
        var (contract, id) = Disputed();
        for (var i = 0; i < Dispute.MaxMessages; i++)
            contract.PostDisputeMessage(id, i % 2 == 0 ? Actor.Client : Actor.Freelancer, $"Message {i}", Start.AddHours(i));

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.PostDisputeMessage(id, Actor.Client, "One more", Start.AddDays(10)));
        Assert.Contains($"{Dispute.MaxMessages} messages", ex.Message);
        Assert.Equal(Dispute.MaxMessages, contract.ActiveDispute(id)!.Messages.Count);
    }

    [Fact]
    public void The_thread_is_read_a_page_at_a_time_latest_first()
    {
        var (contract, id) = Disputed();
        for (var i = 0; i < 45; i++)
            contract.PostDisputeMessage(id, i % 2 == 0 ? Actor.Client : Actor.Freelancer, $"Message {i}", Start.AddHours(i));
        var dispute = contract.ActiveDispute(id)!;

        var latest = dispute.MessagePage(1);
        Assert.Equal((1, 3, 45), (latest.Page, latest.PageCount, latest.Total));
        Assert.Equal(Enumerable.Range(25, 20).Select(i => $"Message {i}"), latest.Messages.Select(m => m.Text));
        Assert.True(latest.HasEarlier);
        Assert.False(latest.HasLater);
        var oldest = dispute.MessagePage(3);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"Message {i}"), oldest.Messages.Select(m => m.Text));
        Assert.False(oldest.HasEarlier);
        Assert.Equal(3, dispute.MessagePage(99).Page);
        Assert.Equal(1, dispute.MessagePage(-5).Page);
    }

    [Fact]
    public void Messages_can_be_posted_while_the_dispute_is_active_but_not_after()
    {
        var (contract, id) = Escalated();

        contract.PostDisputeMessage(id, Staff, "Please send the staging link", Start);
        contract.PostDisputeMessage(id, Actor.Freelancer, "https://staging.example", Start);
        contract.RuleOnDispute(id, 1m, "Delivered", Staff, Start);

        var dispute = Assert.Single(contract.Disputes);
        Assert.Equal(new[] { ActorRole.Agency, ActorRole.Freelancer }, dispute.Messages.Select(m => m.Author));
        var ex = Assert.Throws<InvalidTransitionException>(() => contract.PostDisputeMessage(id, Actor.Client, "Wait", Start));
        Assert.Equal("Milestone 1 has no open dispute.", ex.Message);
    }

    [Fact]
    public void Resolving_the_last_open_milestone_completes_the_contract()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active().Fund(1);
        var id = contract.M(1).Id;
        contract.OpenDispute(id, PartyRole.Client, "Nothing delivered", Start);
        var proposal = contract.ProposeSplit(id, PartyRole.Freelancer, 0m, "Fine, full refund", Start);

        contract.AnswerSplit(id, proposal.Id, PartyRole.Client, true, Start);

        Assert.Equal(ContractState.Completed, contract.State);
        Assert.Equal(Btc(1m), contract.RefundOf(1)!.Amount);
    }
}
