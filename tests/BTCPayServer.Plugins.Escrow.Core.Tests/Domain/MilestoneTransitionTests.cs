using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractSteps;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

public class MilestoneTransitionTests
{
    public static TheoryData<MilestoneState, MilestoneState[]> Table => new()
    {
        { MilestoneState.Pending, [MilestoneState.Funded, MilestoneState.Cancelled] },
        { MilestoneState.Funded, [MilestoneState.Submitted, MilestoneState.Disputed, MilestoneState.Refunded, MilestoneState.Pending] },
        { MilestoneState.Submitted, [MilestoneState.ChangesRequested, MilestoneState.Approved, MilestoneState.Disputed] },
        { MilestoneState.ChangesRequested, [MilestoneState.Submitted, MilestoneState.Disputed] },
        { MilestoneState.Approved, [MilestoneState.Released] },
        { MilestoneState.Disputed, [MilestoneState.Resolved] },
        { MilestoneState.Released, [] },
        { MilestoneState.Resolved, [] },
        { MilestoneState.Cancelled, [] },
        { MilestoneState.Refunded, [] },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void The_milestone_table_allows_exactly_these_moves(MilestoneState from, MilestoneState[] allowed)
    {
        Assert.Equal(allowed.Order(), MilestoneTransitions.From(from).Order());
        foreach (var to in Enum.GetValues<MilestoneState>())
            Assert.Equal(allowed.Contains(to), MilestoneTransitions.IsAllowed(from, to));
        Assert.Equal(allowed.Length == 0, MilestoneTransitions.IsFinal(from));
    }

    [Fact]
    public void A_dispute_may_be_opened_only_from_funded_submitted_or_changes_requested()
    {
        var disputable = Enum.GetValues<MilestoneState>().Where(MilestoneTransitions.IsDisputable);

        Assert.Equal(new[] { MilestoneState.Funded, MilestoneState.Submitted, MilestoneState.ChangesRequested }, disputable);
    }

    // Every allowed move, made through the business act that makes it.

    [Fact]
    public void Pending_to_funded_by_a_full_payment()
    {
        var contract = new ContractBuilder().Active().Fund(1);

        Assert.Equal(MilestoneState.Funded, contract.M(1).State);
    }

    [Fact]
    public void Pending_to_cancelled_by_cancelling_the_contract()
    {
        var contract = new ContractBuilder().Active();
        contract.Cancel(Staff, "stop", Start);

        Assert.Equal(MilestoneState.Cancelled, contract.M(1).State);
        Assert.Equal(Start, contract.M(1).ClosedAt);
    }

    [Fact]
    public void Funded_to_submitted_by_a_delivery()
    {
        var contract = new ContractBuilder().Active().Fund(1);
        contract.Submit(1);

        Assert.Equal(MilestoneState.Submitted, contract.M(1).State);
        Assert.Equal(Start, contract.M(1).SubmittedAt);
        Assert.Equal(ReviewEntryKind.Submission, Assert.Single(contract.M(1).ReviewEntries).Kind);
    }

    [Fact]
    public void Funded_to_disputed_by_opening_a_dispute()
    {
        var contract = new ContractBuilder().Active().Fund(1);
        contract.OpenDispute(contract.M(1).Id, PartyRole.Client, "No sign of work", Start);

        Assert.Equal(MilestoneState.Disputed, contract.M(1).State);
    }

    [Fact]
    public void Funded_to_refunded_by_cancelling_the_contract()
    {
        var contract = new ContractBuilder().Active().Fund(1);
        contract.Cancel(Staff, "stop", Start);

        Assert.Equal(MilestoneState.Refunded, contract.M(1).State);
    }

    [Fact]
    public void Funded_back_to_pending_when_its_invoice_turns_out_invalid()
    {
        var contract = new ContractBuilder().Active();
        var invoice = contract.Invoice(1);
        contract.Pay(invoice, 1m);

        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceInvalid, invoice), Start);

        Assert.Equal(MilestoneState.Pending, contract.M(1).State);
    }

    [Fact]
    public void Submitted_to_changes_requested_by_the_client()
    {
        var contract = new ContractBuilder().Active().Fund(1);
        contract.Submit(1);
        contract.RequestChanges(contract.M(1).Id, "Make the logo bigger", Start);

        Assert.Equal(MilestoneState.ChangesRequested, contract.M(1).State);
        Assert.Equal(ReviewEntryKind.ChangeRequest, contract.M(1).ReviewEntries[^1].Kind);
    }

    [Fact]
    public void Submitted_to_approved_by_the_client()
    {
        var contract = new ContractBuilder().Active().Fund(1);
        contract.Submit(1);
        contract.Approve(contract.M(1).Id, Start);

        Assert.Equal(MilestoneState.Approved, contract.M(1).State);
    }

    [Fact]
    public void Submitted_to_disputed_by_the_client()
    {
        var contract = new ContractBuilder().Active().Fund(1);
        contract.Submit(1);
        contract.OpenDispute(contract.M(1).Id, PartyRole.Client, "Not what we agreed", Start);

        Assert.Equal(MilestoneState.Disputed, contract.M(1).State);
    }

    [Fact]
    public void Changes_requested_to_submitted_by_a_new_delivery()
    {
        var contract = new ContractBuilder().Active().Fund(1);
        contract.Submit(1);
        contract.RequestChanges(contract.M(1).Id, "Bigger logo", Start);
        contract.Submit(1, Start.AddDays(1));

        Assert.Equal(MilestoneState.Submitted, contract.M(1).State);
        Assert.Equal(3, contract.M(1).ReviewEntries.Count);
    }

    [Fact]
    public void Changes_requested_to_disputed_by_the_freelancer()
    {
        var contract = new ContractBuilder().Active().Fund(1);
        contract.Submit(1);
        contract.RequestChanges(contract.M(1).Id, "Redo everything", Start);
        contract.OpenDispute(contract.M(1).Id, PartyRole.Freelancer, "Out of scope", Start);

        Assert.Equal(MilestoneState.Disputed, contract.M(1).State);
    }

    [Fact]
    public void Approved_to_released_when_the_claim_link_exists()
    {
        var contract = new ContractBuilder().Active().Fund(1);
        contract.Submit(1);
        contract.Approve(contract.M(1).Id, Start);
        contract.MakeClaimable(contract.ReleaseOf(1)!);

        Assert.Equal(MilestoneState.Released, contract.M(1).State);
    }

    [Fact]
    public void Disputed_to_resolved_by_a_ruling()
    {
        var contract = new ContractBuilder().Active().Fund(1);
        contract.OpenDispute(contract.M(1).Id, PartyRole.Client, "No sign of work", Start);
        contract.EscalateDispute(contract.M(1).Id, Audit.Actor.Client, Start);
        contract.RuleOnDispute(contract.M(1).Id, 0.5m, "Half was delivered", Staff, Start);

        Assert.Equal(MilestoneState.Resolved, contract.M(1).State);
    }

    // A representative set of refused moves: each throws a typed error a person can read.

    public static TheoryData<string, string> Refused => new()
    {
        { "submit pending", "Milestone 1 cannot be submitted while it is waiting for funding." },
        { "approve funded", "Milestone 1 cannot be approved while it is funded and waiting for a delivery." },
        { "request changes on funded", "Milestone 1 cannot be sent back for changes while it is funded and waiting for a delivery." },
        { "dispute pending", "Milestone 1 cannot be disputed while it is waiting for funding." },
        { "dispute approved", "Milestone 1 cannot be disputed while it is approved and being released." },
        { "approve twice", "Milestone 1 cannot be approved while it is approved and being released." },
        { "submit approved", "Milestone 1 cannot be submitted while it is approved and being released." },
        { "submit twice", "Milestone 1 cannot be submitted while it is submitted for review." },
        { "fund funded", "Milestone 1 cannot be funded while it is funded and waiting for a delivery." },
        { "approve disputed", "Milestone 1 cannot be approved while it is in dispute." },
        { "request changes on changes requested", "Milestone 1 cannot be sent back for changes while it is waiting for requested changes." },
        { "submit released", "Milestone 1 cannot be submitted while it is released." },
        { "dispute released", "Milestone 1 cannot be disputed while it is released." },
        { "dispute resolved", "Milestone 1 cannot be disputed while it is resolved." },
        { "submit refunded", "Milestone 2 cannot be submitted while it is refunded." },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_move_the_table_does_not_allow_is_refused_with_a_readable_message(string act, string message)
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(2m, dueDate: Today).Active();
        var id = contract.M(1).Id;
        Action attempt = act switch
        {
            "submit pending" => () => contract.Submit(1),
            "approve funded" => Arrange(() => contract.Fund(1), () => contract.Approve(id, Start)),
            "request changes on funded" => Arrange(() => contract.Fund(1), () => contract.RequestChanges(id, "more", Start)),
            "dispute pending" => () => contract.OpenDispute(id, PartyRole.Client, "why", Start),
            "dispute approved" => Arrange(() => Approved(contract), () => contract.OpenDispute(id, PartyRole.Client, "why", Start)),
            "approve twice" => Arrange(() => Approved(contract), () => contract.Approve(id, Start)),
            "submit approved" => Arrange(() => Approved(contract), () => contract.Submit(1)),
            "submit twice" => Arrange(() => { contract.Fund(1); contract.Submit(1); }, () => contract.Submit(1)),
            "fund funded" => Arrange(() => contract.Fund(1), () => contract.RequestFunding([id])),
            "approve disputed" => Arrange(() => { contract.Fund(1); contract.OpenDispute(id, PartyRole.Client, "why", Start); }, () => contract.Approve(id, Start)),
            "request changes on changes requested" => Arrange(() => { contract.Fund(1); contract.Submit(1); contract.RequestChanges(id, "more", Start); },
                () => contract.RequestChanges(id, "even more", Start)),
            "submit released" => Arrange(() => Released(contract), () => contract.Submit(1)),
            "dispute released" => Arrange(() => Released(contract), () => contract.OpenDispute(id, PartyRole.Client, "why", Start)),
            "dispute resolved" => Arrange(() => Resolved(contract), () => contract.OpenDispute(id, PartyRole.Client, "again", Start)),
            "submit refunded" => Arrange(() => { contract.Fund(2); contract.CancelMissedMilestone(contract.M(2).Id, Start.AddDays(1)); },
                () => contract.Submit(2)),
            _ => throw new ArgumentOutOfRangeException(nameof(act)),
        };
        var before = contract.M(1).State;
        var audit = contract.AuditCount;

        var ex = Assert.Throws<InvalidTransitionException>(attempt);

        Assert.Equal(message, ex.Message);
        Assert.Equal("milestone.invalid-transition", ex.Code);
        Assert.Equal(before, contract.M(1).State);
        Assert.Equal(audit, contract.AuditCount);
    }

    private static Action Arrange(Action arrange, Action attempt)
    {
        arrange();
        return attempt;
    }

    private static void Approved(Contract contract)
    {
        contract.Fund(1);
        contract.Submit(1);
        contract.Approve(contract.M(1).Id, Start);
    }

    private static void Released(Contract contract)
    {
        Approved(contract);
        contract.MakeClaimable(contract.ReleaseOf(1)!);
    }

    private static void Resolved(Contract contract)
    {
        contract.Fund(1);
        var id = contract.M(1).Id;
        contract.OpenDispute(id, PartyRole.Client, "why", Start);
        contract.EscalateDispute(id, Audit.Actor.Client, Start);
        contract.RuleOnDispute(id, 1m, "Delivered in full", Staff, Start);
    }
}
