using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractSteps;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

/// <summary>
/// With roll forward, what no waiting milestone can take goes back to the client at once (issue 12): the escrow never
/// sits on a client's excess until the contract ends.
/// </summary>
public class OverpaymentRefundTests
{
    private static Money Usd(decimal amount) => Money.Of(amount, "USD");

    private static IReadOnlyList<PayoutInstruction> CreditRefunds(Contract contract) =>
        contract.Payouts.Where(p => p.MilestoneId is null && p.Key.Contains("/credit/")).ToList();

    [Fact]
    public void Overpaying_the_last_milestone_refunds_the_excess_at_once_linked_to_its_invoice()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active();
        var invoice = contract.Invoice(1);

        contract.Pay(invoice, 1.2m);

        Assert.Equal(ContractState.Active, contract.State);
        Assert.Equal(MilestoneState.Funded, contract.M(1).State);
        Assert.Equal(Btc(0m), contract.Credit);
        Assert.Equal(Btc(0m), contract.Ledger.Credit);
        var refund = Assert.Single(contract.Payouts);
        Assert.Equal((PayoutKind.Refund, PartyRole.Client, PayoutStatus.Queued), (refund.Kind, refund.Recipient, refund.Status));
        Assert.Equal(Btc(0.2m), refund.Amount);
        Assert.Equal(invoice.InvoiceId, refund.SourceInvoiceId);
        Assert.Equal(Btc(0.2m), contract.Ledger.RefundedToClient);
        Assert.Equal(Btc(1m), contract.Ledger.Balance);
        Assert.Contains("credit.refunded", contract.AuditTypes());
    }

    [Fact]
    public void An_overpayment_rolls_into_the_milestones_waiting_and_only_the_rest_goes_back()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(0.5m).Active();

        contract.Pay(contract.Invoice(1), 1.75m);

        Assert.Equal(MilestoneState.Funded, contract.M(2).State);
        Assert.Equal(Btc(0.25m), Assert.Single(CreditRefunds(contract)).Amount);
        Assert.Equal(Btc(0m), contract.Credit);
    }

    [Fact]
    public void A_bitcoin_locked_refund_of_the_excess_pays_the_bitcoin_that_excess_brought()
    {
        var contract = new ContractBuilder().In("USD", FxPolicy.BtcLocked).WithMilestone(100m).Active();

        // 130 USD arrived as 0.0026 BTC: the 30 USD beyond the milestone brought 0.0006 BTC.
        contract.Pay(contract.Invoice(1), 130m, btc: 0.0026m);

        var refund = Assert.Single(CreditRefunds(contract));
        Assert.Equal(Usd(30m), refund.Amount);
        Assert.Equal(Btc(0.0006m), refund.PayoutAmount);
        Assert.Equal(Btc(0.002m), contract.M(1).FundedBtc);
        Assert.Equal(Btc(0m), contract.CreditBtc);
    }

    [Fact]
    public void Each_payment_s_excess_goes_back_on_its_own_linked_to_its_own_invoice()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(1m).Active();
        var first = contract.Invoice(1);
        var second = contract.Invoice(2);

        contract.Pay(first, 1.5m); // 0.5 rolls into M2, nothing left over
        contract.Pay(second, 0.75m); // M2 needs 0.5 more: 0.25 left over

        var refund = Assert.Single(CreditRefunds(contract));
        Assert.Equal((Btc(0.25m), second.InvoiceId), (refund.Amount, refund.SourceInvoiceId));
        Assert.Equal(Btc(2m), contract.Ledger.Balance);
    }

    [Fact]
    public void Two_overpayments_with_nothing_to_roll_into_make_two_refunds()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active();
        var first = contract.Invoice(1);
        var second = contract.Invoice(1);

        contract.Pay(first, 1.1m);
        contract.Pay(second, 0.3m);

        var refunds = CreditRefunds(contract);
        Assert.Equal(2, refunds.Count);
        Assert.Equal((Btc(0.1m), first.InvoiceId), (refunds[0].Amount, refunds[0].SourceInvoiceId));
        Assert.Equal((Btc(0.3m), second.InvoiceId), (refunds[1].Amount, refunds[1].SourceInvoiceId));
        Assert.Equal(2, refunds.Select(r => r.Key).Distinct().Count());
        Assert.Equal(Btc(1m), contract.Ledger.Balance);
    }

    [Fact]
    public void A_milestone_an_amendment_adds_later_is_asked_for_in_full_once_the_excess_went_back()
    {
        var builder = new ContractBuilder().WithMilestone(1m);
        var contract = builder.Active();
        contract.Pay(contract.Invoice(1), 1.4m);

        contract.ChangeTerms(builder.WithMilestone(1m).Terms(), Staff, Start);
        contract.AcceptBoth(Start);

        Assert.Equal(MilestoneState.Pending, contract.M(2).State);
        Assert.Equal(Btc(0m), contract.M(2).Funded);
        Assert.Equal(Btc(1m), contract.RequestFunding([contract.M(2).Id]).Amount);
        Assert.Single(CreditRefunds(contract));
    }

    [Fact]
    public void Invalidating_the_invoice_whose_excess_went_back_flags_that_refund_and_reopens_the_milestone()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active();
        var invoice = contract.Invoice(1);
        contract.Pay(invoice, 1.2m);

        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceInvalid, invoice), Start);

        Assert.Equal(MilestoneState.Pending, contract.M(1).State);
        Assert.Equal(Btc(0m), contract.M(1).Funded);
        Assert.Single(CreditRefunds(contract)); // the refund already decided stands; nothing is refunded twice
        var flagged = contract.UnsavedAuditEntries.Last(e => e.Type == "payment.invalidated-after-use");
        Assert.Equal(Btc(0.2m).ToInvariantString(), flagged.ReadData()["amount"]);
        Assert.Equal(Btc(0m), contract.Credit);
        Assert.Equal(Btc(0m), contract.Ledger.Balance);
    }

    [Fact]
    public void Completing_the_contract_after_the_excess_went_back_refunds_nothing_more()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active();
        contract.Pay(contract.Invoice(1), 1.2m);

        contract.Submit(1);
        contract.Approve(contract.M(1).Id, Start);
        contract.MakeClaimable(contract.ReleaseOf(1)!);

        Assert.Equal(ContractState.Completed, contract.State);
        Assert.Single(CreditRefunds(contract));
        Assert.Equal(Btc(0m), contract.Ledger.Balance);
    }

    [Fact]
    public void A_late_payment_accepted_when_every_milestone_is_funded_goes_back_at_once()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active();
        var expired = contract.Invoice(1);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, expired), Start);
        contract.Fund(1);
        contract.ApplyPaymentEvent(Event(InboundEventKind.PaidAfterExpiry, expired, contract.Payment(1m, paymentId: "late-1")), Start);

        contract.AcceptLatePayment("late-1", Staff, Start);

        var refund = Assert.Single(CreditRefunds(contract));
        Assert.Equal((Btc(1m), expired.InvoiceId), (refund.Amount, refund.SourceInvoiceId));
        Assert.Equal(Btc(0m), contract.Credit);
    }
}
