using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

public class ContractLifecycleTests
{
    [Theory]
    [InlineData(ContractState.Draft, ContractState.Proposed)]
    [InlineData(ContractState.Draft, ContractState.Cancelled)]
    [InlineData(ContractState.Proposed, ContractState.Active)]
    [InlineData(ContractState.Proposed, ContractState.Draft)]
    [InlineData(ContractState.Proposed, ContractState.Cancelled)]
    [InlineData(ContractState.Active, ContractState.Completed)]
    [InlineData(ContractState.Active, ContractState.Cancelled)]
    public void The_contract_table_allows(ContractState from, ContractState to)
    {
        Assert.True(ContractTransitions.IsAllowed(from, to));
    }

    [Theory]
    [InlineData(ContractState.Draft, ContractState.Active)]
    [InlineData(ContractState.Draft, ContractState.Completed)]
    [InlineData(ContractState.Proposed, ContractState.Completed)]
    [InlineData(ContractState.Active, ContractState.Draft)]
    [InlineData(ContractState.Active, ContractState.Proposed)]
    [InlineData(ContractState.Completed, ContractState.Cancelled)]
    [InlineData(ContractState.Completed, ContractState.Active)]
    [InlineData(ContractState.Cancelled, ContractState.Draft)]
    [InlineData(ContractState.Cancelled, ContractState.Active)]
    public void The_contract_table_refuses(ContractState from, ContractState to)
    {
        Assert.False(ContractTransitions.IsAllowed(from, to));
    }

    [Fact]
    public void Only_completed_and_cancelled_are_final()
    {
        var final = Enum.GetValues<ContractState>().Where(ContractTransitions.IsFinal);

        Assert.Equal(new[] { ContractState.Completed, ContractState.Cancelled }, final);
    }

    [Fact]
    public void A_new_contract_is_a_draft_with_its_creation_in_the_audit_log()
    {
        var contract = new ContractBuilder().Draft();

        Assert.Equal(ContractState.Draft, contract.State);
        Assert.Equal(StoreId, contract.StoreId);
        Assert.Equal(new[] { "contract.created" }, contract.AuditTypes());
        Assert.Empty(contract.TermsVersions);
        Assert.All(contract.Milestones, m => Assert.Equal(MilestoneState.Pending, m.State));
    }

    [Fact]
    public void Proposing_a_draft_offers_version_one_to_both_parties()
    {
        var contract = new ContractBuilder().Draft();

        var version = contract.Propose(Staff, Start);

        Assert.Equal(ContractState.Proposed, contract.State);
        Assert.Equal(1, version.Number);
        Assert.Equal(version, contract.LatestTermsVersion);
        Assert.False(version.AcceptedByBoth);
    }

    [Fact]
    public void Acceptance_by_both_parties_activates_the_contract()
    {
        var contract = new ContractBuilder().Proposed();

        contract.AcceptBoth(Start);

        Assert.Equal(ContractState.Active, contract.State);
        Assert.Equal(1, contract.EffectiveTermsVersion);
        Assert.True(contract.LatestTermsVersion!.AcceptedByBoth);
    }

    [Fact]
    public void Withdrawing_a_proposal_returns_it_to_draft_and_earlier_acceptances_lapse()
    {
        var contract = new ContractBuilder().Proposed();
        contract.AcceptTerms(PartyRole.Client, contract.LatestTermsVersion!.Hash, Start);

        contract.Withdraw(Staff, Start);
        Assert.Equal(ContractState.Draft, contract.State);
        var v2 = contract.Propose(Staff, Start);

        Assert.Equal(2, v2.Number);
        Assert.False(v2.IsAcceptedBy(PartyRole.Client));
        contract.AcceptTerms(PartyRole.Freelancer, v2.Hash, Start);
        Assert.Equal(ContractState.Proposed, contract.State);
    }

    [Theory]
    [InlineData(ContractState.Draft, "The contract cannot be withdrawn while it is a draft.")]
    [InlineData(ContractState.Active, "The contract cannot be withdrawn while it is active.")]
    public void Only_a_proposed_contract_can_be_withdrawn(ContractState state, string message)
    {
        var contract = state == ContractState.Draft ? new ContractBuilder().Draft() : new ContractBuilder().Active();

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.Withdraw(Staff, Start));

        Assert.Equal("contract.invalid-transition", ex.Code);
        Assert.Equal(message, ex.Message);
        Assert.Equal(state, contract.State);
    }

    [Fact]
    public void A_proposed_contract_cannot_be_proposed_again()
    {
        var contract = new ContractBuilder().Proposed();

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.Propose(Staff, Start));

        Assert.Equal("The contract cannot be sent for acceptance while it is waiting for both parties to accept.", ex.Message);
    }

    [Fact]
    public void Terms_of_a_draft_cannot_be_accepted()
    {
        var contract = new ContractBuilder().Draft();

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.AcceptTerms(PartyRole.Client, "x", Start));

        Assert.Equal("The contract cannot be accepted while it is a draft.", ex.Message);
    }

    [Theory]
    [InlineData(ContractState.Draft)]
    [InlineData(ContractState.Proposed)]
    [InlineData(ContractState.Active)]
    public void Cancelling_before_any_funding_cancels_every_milestone(ContractState state)
    {
        var builder = new ContractBuilder();
        var contract = state switch
        {
            ContractState.Draft => builder.Draft(),
            ContractState.Proposed => builder.Proposed(),
            _ => builder.Active(),
        };

        contract.Cancel(Staff, "Client changed plans", Start.AddHours(1));

        Assert.Equal(ContractState.Cancelled, contract.State);
        Assert.Equal(Start.AddHours(1), contract.ClosedAt);
        Assert.All(contract.Milestones, m => Assert.Equal(MilestoneState.Cancelled, m.State));
        Assert.Empty(contract.Payouts);
    }

    [Fact]
    public void Cancelling_needs_a_reason()
    {
        var contract = new ContractBuilder().Active();

        var ex = Assert.Throws<InvalidInputException>(() => contract.Cancel(Staff, "  ", Start));

        Assert.Equal("reason", ex.Field);
        Assert.Equal(ContractState.Active, contract.State);
    }

    [Fact]
    public void A_cancelled_contract_cannot_be_proposed_or_cancelled_again()
    {
        var contract = new ContractBuilder().Draft();
        contract.Cancel(Staff, "No longer needed", Start);

        Assert.Throws<InvalidTransitionException>(() => contract.Propose(Staff, Start));
        var ex = Assert.Throws<InvalidTransitionException>(() => contract.Cancel(Staff, "again", Start));
        Assert.Equal("The contract cannot be cancelled while it is cancelled.", ex.Message);
    }

    [Fact]
    public void Releasing_the_last_milestone_completes_the_contract()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).Active().Fund(1, 2);
        foreach (var n in new[] { 1, 2 })
        {
            contract.Submit(n);
            contract.Approve(contract.M(n).Id, Start);
        }
        contract.MakeClaimable(contract.ReleaseOf(1)!);
        Assert.Equal(ContractState.Active, contract.State);

        contract.MakeClaimable(contract.ReleaseOf(2)!, Start.AddHours(1));

        Assert.Equal(ContractState.Completed, contract.State);
        Assert.Equal(Start.AddHours(1), contract.ClosedAt);
        Assert.Contains("contract.completed", contract.AuditTypes());
    }

    [Fact]
    public void A_completed_contract_cannot_be_cancelled()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active().Fund(1);
        contract.Submit(1);
        contract.Approve(contract.M(1).Id, Start);
        contract.MakeClaimable(contract.ReleaseOf(1)!);

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.Cancel(Staff, "too late", Start));

        Assert.Equal("The contract cannot be cancelled while it is completed.", ex.Message);
    }

    [Fact]
    public void A_contract_needs_a_store()
    {
        var ex = Assert.Throws<InvalidInputException>(() => Contract.CreateDraft(" ", new ContractBuilder().Terms(), Staff, Start));

        Assert.Equal("storeId", ex.Field);
    }
}
