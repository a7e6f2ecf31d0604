using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractSteps;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

/// <summary>Approval, cancellation and missed deadlines: what each decision pays, to whom, and when it is refused.</summary>
public class DecisionTests
{
    [Fact]
    public void Approving_a_funded_milestone_queues_one_release()
    {
        var contract = new ContractBuilder().WithFee(5m).WithMilestone(1m).WithMilestone(2m).Active().Fund(1, 2);
        contract.Submit(1);

        contract.Approve(contract.M(1).Id, Start);

        var release = Assert.Single(contract.Payouts);
        Assert.Equal(PayoutKind.Release, release.Kind);
        Assert.Equal(PartyRole.Freelancer, release.Recipient);
        Assert.Equal(contract.M(1).Id, release.MilestoneId);
        Assert.Equal(Btc(0.95m), release.Amount);
        Assert.Equal(PayoutStatus.Queued, release.Status);
        Assert.Equal(MilestoneState.Approved, contract.M(1).State);
        Assert.Null(contract.M(1).ReviewDeadline);
        Assert.Equal(Btc(2m), contract.Ledger.Balance);
        Assert.Equal(new[] { "milestone.approved", "payout.queued", "milestone.settled" }, contract.AuditTypes().TakeLast(3));
    }

    [Fact]
    public void Approval_is_recorded_as_the_client_act()
    {
        var contract = new ContractBuilder().Active().Fund(1);
        contract.Submit(1);

        contract.Approve(contract.M(1).Id, Start);

        var entry = contract.UnsavedAuditEntries.Single(e => e.Type == "milestone.approved");
        Assert.Equal(ActorRole.Client, entry.ActorRole);
    }

    [Fact]
    public void Cancelling_a_contract_refunds_funded_milestones_and_cancels_pending_ones()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).WithMilestone(3m).Active().Fund(1);
        var invoice = contract.Invoice(2);
        contract.ApplyPaymentEvent(Event(Funding.InboundEventKind.InvoiceExpired, invoice, contract.Payment(0.5m)), Start);

        contract.Cancel(Staff, "Project dropped", Start);

        Assert.Equal(MilestoneState.Refunded, contract.M(1).State);
        Assert.Equal(MilestoneState.Cancelled, contract.M(2).State);
        Assert.Equal(MilestoneState.Cancelled, contract.M(3).State);
        Assert.Equal(Btc(1m), contract.RefundOf(1)!.Amount);
        Assert.Equal(Btc(0.5m), contract.RefundOf(2)!.Amount);
        Assert.Null(contract.RefundOf(3));
        Assert.All(contract.Payouts, p => Assert.Equal(PartyRole.Client, p.Recipient));
        Assert.Equal(Btc(0m), contract.Ledger.Balance);
    }

    [Fact]
    public void Cancelling_refunds_unused_credit_too()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active();
        contract.Pay(contract.Invoice(1), 1.25m);

        contract.Cancel(Staff, "Project dropped", Start);

        Assert.Equal(Btc(0m), contract.Credit);
        Assert.Contains(contract.Payouts, p => p.MilestoneId is null && p.Amount == Btc(0.25m));
        Assert.Equal(Btc(0m), contract.Ledger.Balance);
    }

    [Fact]
    public void Cancelling_still_lets_an_approved_release_go_out()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).Active().Fund(1, 2);
        contract.Submit(1);
        contract.Approve(contract.M(1).Id, Start);

        contract.Cancel(Staff, "Project dropped", Start);

        Assert.Equal(MilestoneState.Approved, contract.M(1).State);
        Assert.NotNull(contract.ReleaseOf(1));
        Assert.Null(contract.RefundOf(1));
        Assert.Equal(Btc(2m), contract.RefundOf(2)!.Amount);
    }

    [Theory]
    [InlineData("submitted")]
    [InlineData("changes requested")]
    [InlineData("disputed")]
    public void Cancelling_is_refused_while_a_milestone_is_under_review_or_in_dispute(string situation)
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).Active().Fund(1, 2);
        var id = contract.M(2).Id;
        contract.Submit(2);
        if (situation == "changes requested")
            contract.RequestChanges(id, "More contrast", Start);
        if (situation == "disputed")
            contract.OpenDispute(id, PartyRole.Client, "Wrong colours", Start);
        var audit = contract.AuditCount;

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.Cancel(Staff, "stop", Start));

        Assert.Equal("contract.cancel-blocked", ex.Code);
        Assert.StartsWith("Milestone 2 is under review or in dispute", ex.Message);
        Assert.Equal(ContractState.Active, contract.State);
        Assert.Equal(MilestoneState.Funded, contract.M(1).State);
        Assert.Empty(contract.Payouts);
        Assert.Equal(audit, contract.AuditCount);
    }

    [Fact]
    public void The_client_can_cancel_a_missed_milestone_for_a_refund_only_after_its_due_day()
    {
        var due = Today.AddDays(10);
        var contract = new ContractBuilder().WithMilestone(1m, due).WithMilestone(2m).Active().Fund(1);
        var id = contract.M(1).Id;
        var lastMomentOfDueDay = new DateTimeOffset(due.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero);

        var early = Assert.Throws<InvalidTransitionException>(() => contract.CancelMissedMilestone(id, lastMomentOfDueDay));
        Assert.Equal($"Milestone 1 is due on {due:yyyy-MM-dd}; it can be cancelled for a missed delivery only after that day.", early.Message);
        Assert.Empty(contract.Payouts);

        contract.CancelMissedMilestone(id, lastMomentOfDueDay.AddSeconds(1));

        Assert.Equal(MilestoneState.Refunded, contract.M(1).State);
        var refund = Assert.Single(contract.Payouts);
        Assert.Equal(PartyRole.Client, refund.Recipient);
        Assert.Equal(Btc(1m), refund.Amount);
        Assert.Equal(ContractState.Active, contract.State);
    }

    [Fact]
    public void A_missed_milestone_that_was_never_funded_is_simply_cancelled()
    {
        var contract = new ContractBuilder().WithMilestone(1m, Today).WithMilestone(2m).Active();

        contract.CancelMissedMilestone(contract.M(1).Id, Start.AddDays(1));

        Assert.Equal(MilestoneState.Cancelled, contract.M(1).State);
        Assert.Empty(contract.Payouts);
    }

    [Fact]
    public void A_milestone_without_a_due_date_cannot_be_cancelled_as_missed()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active().Fund(1);

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.CancelMissedMilestone(contract.M(1).Id, Start.AddYears(1)));

        Assert.Contains("has no due date", ex.Message);
    }

    [Fact]
    public void A_delivered_milestone_cannot_be_cancelled_as_missed()
    {
        var contract = new ContractBuilder().WithMilestone(1m, Today).Active().Fund(1);
        contract.Submit(1);

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.CancelMissedMilestone(contract.M(1).Id, Start.AddDays(2)));

        Assert.Equal("Milestone 1 cannot be cancelled for a missed due date while it is submitted for review.", ex.Message);
    }

    [Fact]
    public void Cancelling_the_last_open_milestone_as_missed_completes_the_contract()
    {
        var contract = new ContractBuilder().WithMilestone(1m, Today).Active().Fund(1);

        contract.CancelMissedMilestone(contract.M(1).Id, Start.AddDays(1));

        Assert.Equal(ContractState.Completed, contract.State);
    }

    [Fact]
    public void A_refund_names_the_invoice_that_funded_the_milestone_and_a_release_names_none()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(1m).Active();
        var invoice = contract.Invoice(1, 2);
        contract.Pay(invoice, 2m);
        contract.SubmitDeliverable(contract.M(1).Id, "Done", null, null, Start);
        contract.Approve(contract.M(1).Id, Start);
        contract.Cancel(Staff, "Client changed plans", Start);

        Assert.Null(contract.Payouts.Single(p => p.MilestoneId == contract.M(1).Id).SourceInvoiceId);
        Assert.Equal(invoice.InvoiceId, contract.Payouts.Single(p => p.MilestoneId == contract.M(2).Id).SourceInvoiceId);
    }
}
