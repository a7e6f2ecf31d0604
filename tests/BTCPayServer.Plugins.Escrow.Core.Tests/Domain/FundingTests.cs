using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractSteps;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

public class FundingTests
{
    private static Contract TwoMilestones(ContractBuilder? builder = null) =>
        (builder ?? new ContractBuilder()).WithMilestone(1m).WithMilestone(2m).Active();

    [Fact]
    public void A_funding_request_asks_for_the_chosen_milestones_in_order()
    {
        var contract = TwoMilestones();

        var request = contract.RequestFunding([contract.M(2).Id, contract.M(1).Id, contract.M(2).Id]);

        Assert.Equal(Btc(3m), request.Amount);
        Assert.Equal(new[] { contract.M(1).Id, contract.M(2).Id }, request.MilestoneIds);
        Assert.Equal("Website redesign: milestone #1, #2", request.Description);
    }

    [Fact]
    public void Registering_another_contracts_funding_request_is_refused_and_changes_nothing()
    {
        var contract = new ContractBuilder().WithMilestone(10m).Active();
        var other = new ContractBuilder().WithMilestone(10m).Active();
        var foreign = other.RequestFunding([other.Milestones[0].Id]);
        var auditBefore = contract.AuditCount;

        Assert.Throws<EscrowException>(() => contract.RegisterFundingInvoice(foreign, "inv-x", "https://pay.example/x", Start));

        Assert.Empty(contract.Invoices);
        Assert.Equal(auditBefore, contract.AuditCount);
    }

    [Fact]
    public void Funding_is_refused_until_the_contract_is_active()
    {
        var contract = new ContractBuilder().Proposed();

        var ex = Assert.Throws<InvalidTransitionException>(() => contract.RequestFunding([contract.M(1).Id]));

        Assert.Equal("The contract cannot be funded while it is waiting for both parties to accept.", ex.Message);
    }

    [Fact]
    public void A_registered_invoice_is_recorded_with_its_amount_and_milestones()
    {
        var contract = TwoMilestones();

        var invoice = contract.Invoice(1, 2);

        Assert.Equal(InvoiceStatus.New, invoice.Status);
        Assert.Equal(Btc(3m), invoice.Amount);
        Assert.Same(invoice, contract.OpenInvoiceFor([contract.M(2).Id, contract.M(1).Id]));
        Assert.Contains("invoice.created", contract.AuditTypes());
    }

    [Fact]
    public void An_invoice_id_cannot_be_registered_twice()
    {
        var contract = TwoMilestones();
        var request = contract.RequestFunding([contract.M(1).Id]);
        contract.RegisterFundingInvoice(request, "inv-1", "https://pay.example/inv-1", Start);

        var ex = Assert.Throws<EscrowException>(() => contract.RegisterFundingInvoice(request, "inv-1", "https://pay.example/inv-1", Start));

        Assert.Equal("funding.invoice-id", ex.Code);
        Assert.Single(contract.Invoices);
    }

    [Fact]
    public void A_seen_but_unsettled_payment_is_recorded_but_not_counted()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1);

        contract.ApplyPaymentEvent(Event(InboundEventKind.PaymentReceived, invoice, contract.Payment(1m)), Start);

        Assert.Equal(PaymentStatus.Received, Assert.Single(contract.Payments).Status);
        Assert.Equal(Btc(0m), contract.M(1).Funded);
        Assert.Equal(MilestoneState.Pending, contract.M(1).State);
        Assert.Equal(Btc(0m), contract.Ledger.Received);
    }

    [Fact]
    public void A_payment_reported_by_several_events_is_counted_once()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1);
        var payment = contract.Payment(0.4m);

        contract.ApplyPaymentEvent(Event(InboundEventKind.PaymentReceived, invoice, payment), Start);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceSettled, invoice, payment), Start);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice, payment), Start);

        Assert.Equal(Btc(0.4m), contract.M(1).Funded);
        Assert.Equal(PaymentStatus.Counted, Assert.Single(contract.Payments).Status);
    }

    [Fact]
    public void Partial_payments_accumulate_and_the_next_request_asks_only_for_what_is_missing()
    {
        var contract = TwoMilestones();
        var first = contract.Invoice(1);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, first, contract.Payment(0.3m), contract.Payment(0.3m)), Start);

        Assert.Equal(Btc(0.6m), contract.M(1).Funded);
        Assert.Equal(MilestoneState.Pending, contract.M(1).State);
        Assert.Equal(InvoiceStatus.Expired, first.Status);

        var second = contract.Invoice(1);
        Assert.Equal(Btc(0.4m), second.Amount);
        contract.Pay(second, 0.4m);

        Assert.Equal(Btc(1m), contract.M(1).Funded);
        Assert.Equal(MilestoneState.Funded, contract.M(1).State);
    }

    [Fact]
    public void A_milestone_is_funded_exactly_when_it_is_fully_paid()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1);

        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice, contract.Payment(0.99999999m)), Start);
        Assert.Equal(MilestoneState.Pending, contract.M(1).State);
        Assert.Equal(Btc(0.00000001m), contract.M(1).Outstanding);

        contract.Pay(contract.Invoice(1), 0.00000001m);
        Assert.Equal(MilestoneState.Funded, contract.M(1).State);
        Assert.Contains("milestone.funded", contract.AuditTypes());
    }

    [Fact]
    public void One_payment_for_several_milestones_fills_them_in_order()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1, 2);

        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice, contract.Payment(1.5m)), Start);

        Assert.Equal(MilestoneState.Funded, contract.M(1).State);
        Assert.Equal(Btc(0.5m), contract.M(2).Funded);
        Assert.Equal(MilestoneState.Pending, contract.M(2).State);
    }

    [Fact]
    public void An_overpayment_rolls_forward_to_the_next_pending_milestone()
    {
        var contract = TwoMilestones();

        contract.Pay(contract.Invoice(1), 1.5m);

        Assert.Equal(MilestoneState.Funded, contract.M(1).State);
        Assert.Equal(Btc(1m), contract.M(1).Funded);
        Assert.Equal(Btc(0.5m), contract.M(2).Funded);
        Assert.Equal(Btc(0m), contract.Credit);
        Assert.Empty(contract.Payouts);
        Assert.Contains("credit.applied", contract.AuditTypes());
    }

    [Fact]
    public void An_overpayment_that_covers_the_next_milestone_funds_it()
    {
        var contract = TwoMilestones();

        contract.Pay(contract.Invoice(1), 3m);

        Assert.Equal(MilestoneState.Funded, contract.M(2).State);
    }

    [Fact]
    public void An_overpayment_is_refunded_when_the_terms_say_so()
    {
        var contract = TwoMilestones(new ContractBuilder().RefundingOverpayments());

        contract.Pay(contract.Invoice(1), 1.5m);

        Assert.Equal(Btc(0m), contract.M(2).Funded);
        Assert.Equal(Btc(0m), contract.Credit);
        var refund = Assert.Single(contract.Payouts);
        Assert.Equal(PayoutKind.Refund, refund.Kind);
        Assert.Equal(PartyRole.Client, refund.Recipient);
        Assert.Equal(Btc(0.5m), refund.Amount);
        Assert.Null(refund.MilestoneId);
        Assert.Equal(Btc(0.5m), contract.Ledger.RefundedToClient);
    }

    [Fact]
    public void A_payment_after_expiry_is_recorded_but_not_counted()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice), Start);

        contract.ApplyPaymentEvent(Event(InboundEventKind.PaidAfterExpiry, invoice, contract.Payment(1m, paymentId: "late-1")), Start);

        Assert.Equal(PaymentStatus.AwaitingAcceptance, contract.Payments.Single(p => p.PaymentId == "late-1").Status);
        Assert.Equal(Btc(0m), contract.M(1).Funded);
        Assert.Equal(Btc(1m), contract.Ledger.AwaitingAcceptance);
        Assert.Equal(Btc(0m), contract.Ledger.Balance);
        Assert.Contains("payment.late", contract.AuditTypes());
    }

    [Fact]
    public void A_payment_seen_on_an_expired_invoice_waits_for_acceptance_too()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice), Start);

        contract.ApplyPaymentEvent(Event(InboundEventKind.PaymentReceived, invoice, contract.Payment(1m)), Start);

        Assert.Equal(PaymentStatus.AwaitingAcceptance, Assert.Single(contract.Payments).Status);
    }

    [Fact]
    public void Accepting_a_late_payment_counts_it_as_funding()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice), Start);
        contract.ApplyPaymentEvent(Event(InboundEventKind.PaidAfterExpiry, invoice, contract.Payment(1m, paymentId: "late-1")), Start);

        contract.AcceptLatePayment("late-1", Staff, Start);

        Assert.Equal(MilestoneState.Funded, contract.M(1).State);
        Assert.Equal(PaymentStatus.Counted, Assert.Single(contract.Payments).Status);
        Assert.Equal(Btc(0m), contract.Ledger.AwaitingAcceptance);
        Assert.Contains("payment.late-accepted", contract.AuditTypes());
    }

    [Fact]
    public void Refunding_a_late_payment_queues_a_refund_and_counts_nothing()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice), Start);
        contract.ApplyPaymentEvent(Event(InboundEventKind.PaidAfterExpiry, invoice, contract.Payment(0.7m, paymentId: "late-1")), Start);

        var refund = contract.RefundLatePayment("late-1", Staff, Start);

        Assert.Equal(PayoutKind.Refund, refund.Kind);
        Assert.Equal(PartyRole.Client, refund.Recipient);
        Assert.Equal(Btc(0.7m), refund.Amount);
        Assert.Equal(PaymentStatus.Refunded, Assert.Single(contract.Payments).Status);
        Assert.Equal(Btc(0m), contract.M(1).Funded);
        var again = Assert.Throws<InvalidTransitionException>(() => contract.RefundLatePayment("late-1", Staff, Start));
        Assert.Equal("payment.not-late", again.Code);
        Assert.Throws<InvalidTransitionException>(() => contract.AcceptLatePayment("late-1", Staff, Start));
        Assert.Single(contract.Payouts);
    }

    [Fact]
    public void An_ordinary_payment_cannot_be_treated_as_late()
    {
        var contract = TwoMilestones();
        var payment = contract.Pay(contract.Invoice(1), 1m);

        Assert.Throws<InvalidTransitionException>(() => contract.AcceptLatePayment(payment.PaymentId, Staff, Start));
        Assert.Throws<NotFoundException>(() => contract.RefundLatePayment("nope", Staff, Start));
    }

    [Fact]
    public void An_invalid_invoice_takes_back_the_funding_of_a_milestone_still_funded()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1);
        contract.Pay(invoice, 1m);

        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceInvalid, invoice), Start);

        Assert.Equal(MilestoneState.Pending, contract.M(1).State);
        Assert.Equal(Btc(0m), contract.M(1).Funded);
        Assert.Equal(InvoiceStatus.Invalid, invoice.Status);
        Assert.All(contract.Allocations, a => Assert.True(a.Reversed));
        Assert.Equal(PaymentStatus.Invalidated, Assert.Single(contract.Payments).Status);
        Assert.Equal(Btc(0m), contract.Ledger.Received);
        Assert.Contains("milestone.funding-reversed", contract.AuditTypes());
    }

    [Fact]
    public void An_invalid_invoice_takes_back_credit_it_created()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active();
        var invoice = contract.Invoice(1);
        contract.Pay(invoice, 1.2m);

        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceInvalid, invoice), Start);

        Assert.Equal(Btc(0m), contract.Credit);
        Assert.Equal(Btc(0m), contract.Ledger.Balance);
    }

    [Fact]
    public void An_invalid_invoice_cannot_take_back_money_already_released_and_flags_it_instead()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1);
        contract.Pay(invoice, 1m);
        contract.Submit(1);
        contract.Approve(contract.M(1).Id, Start);

        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceInvalid, invoice), Start);

        Assert.Equal(MilestoneState.Approved, contract.M(1).State);
        Assert.Equal(Btc(1m), contract.M(1).Funded);
        Assert.Contains("payment.invalidated-after-use", contract.AuditTypes());
    }

    [Fact]
    public void An_invoice_settled_again_after_it_was_invalidated_does_not_count_money_already_paid_out()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1);
        var payment = contract.Pay(invoice, 1m);
        contract.Submit(1);
        contract.Approve(contract.M(1).Id, Start);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceInvalid, invoice), Start);

        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceSettled, invoice, payment), Start);

        Assert.Equal(Btc(0m), contract.M(2).Funded);
        Assert.Equal(Btc(0m), contract.Credit);
        Assert.Single(contract.Payouts);
        Assert.Equal(Btc(1m), contract.Ledger.Received);
    }

    [Fact]
    public void An_invoice_settled_after_it_was_invalidated_counts_its_payment_again()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1);
        var payment = contract.Pay(invoice, 1m);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceInvalid, invoice), Start);

        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceSettled, invoice, payment), Start);

        Assert.Equal(MilestoneState.Funded, contract.M(1).State);
        Assert.Equal(Btc(1m), contract.M(1).Funded);
        Assert.Equal(Btc(1m), contract.Ledger.Received);
    }

    [Fact]
    public void A_duplicate_event_returns_false_and_changes_nothing()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1);
        var settled = Event(InboundEventKind.InvoiceSettled, invoice, contract.Payment(0.5m));
        Assert.True(contract.ApplyPaymentEvent(settled, Start));
        var audit = contract.AuditCount;

        var again = contract.ApplyPaymentEvent(settled with { Payments = [contract.Payment(0.5m)] }, Start.AddMinutes(1));

        Assert.False(again);
        Assert.Equal(audit, contract.AuditCount);
        Assert.Equal(Btc(0.5m), contract.M(1).Funded);
        Assert.Single(contract.Payments);
        Assert.Single(contract.ProcessedEvents);
    }

    [Fact]
    public void A_payment_credited_in_another_currency_is_refused()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1);
        var usd = new PaymentReport("p1", Amounts.Money.Of(100m, "USD"), Btc(0.002m), 50_000m, "BTC-CHAIN");

        var ex = Assert.Throws<InvalidInputException>(() => contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceSettled, invoice, usd), Start));

        Assert.Contains("contract currency (BTC)", ex.Message);
        Assert.Empty(contract.Payments);
        Assert.Empty(contract.ProcessedEvents);
    }

    [Fact]
    public void An_event_for_an_unknown_invoice_is_refused()
    {
        var contract = TwoMilestones();

        Assert.Throws<NotFoundException>(() => contract.ApplyPaymentEvent(
            new InboundPaymentEvent("e1", InboundEventKind.InvoiceSettled, Start, "someone-elses", []), Start));
    }

    [Fact]
    public void A_payment_to_a_cancelled_contract_is_refunded()
    {
        var contract = TwoMilestones();
        var invoice = contract.Invoice(1);
        contract.Cancel(Staff, "stop", Start);

        contract.Pay(invoice, 1m);

        var refund = Assert.Single(contract.Payouts);
        Assert.Equal(Btc(1m), refund.Amount);
        Assert.Equal(PartyRole.Client, refund.Recipient);
        Assert.Equal(Btc(0m), contract.Ledger.Balance);
    }
}
