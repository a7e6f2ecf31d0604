using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractSteps;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

/// <summary>
/// Behaviours that surprise at first sight but are chosen on purpose (issue 10): each test states the choice.
/// </summary>
public class DeliberateMoneyBehaviourTests
{
    private static Money Usd(decimal amount) => Money.Of(amount, "USD");

    // An "expired" event is never news about an invalid invoice: BTCPay marks an invoice invalid after it expired or
    // was paid, so an expiry delivered after the invalidation is older news arriving late. Counting it would bring back
    // money the gateway said is not there. Only a settlement (staff marking the invalid invoice settled) re-counts it.
    [Fact]
    public void An_expiry_delivered_after_an_invalidation_does_not_count_the_invalid_payment_again()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).Active();
        var invoice = contract.Invoice(1);
        var payment = contract.Payment(0.4m, paymentId: "partial");
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceSettled, invoice, payment), Start);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceInvalid, invoice), Start);

        Assert.True(contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice, payment), Start));

        Assert.Equal(PaymentStatus.Invalidated, contract.Payments.Single().Status);
        Assert.Equal(InvoiceStatus.Invalid, invoice.Status);
        Assert.Equal(Btc(0m), contract.M(1).Funded);
        Assert.Equal(Btc(0m), contract.Ledger.Received);
        Assert.Contains("invoice.expired-after-invalid", contract.AuditTypes());
    }

    [Fact]
    public void A_payment_first_reported_by_an_expiry_of_an_invalid_invoice_is_recorded_but_not_counted()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active();
        var invoice = contract.Invoice(1);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceInvalid, invoice), Start);

        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice, contract.Payment(0.5m, paymentId: "seen-late")), Start);

        Assert.Equal(PaymentStatus.Received, contract.Payments.Single().Status);
        Assert.Equal(Btc(0m), contract.Ledger.Received);
    }

    [Fact]
    public void A_settlement_after_an_invalidation_and_a_late_expiry_counts_the_payment_once()
    {
        var contract = new ContractBuilder().WithMilestone(1m).Active();
        var invoice = contract.Invoice(1);
        var payment = contract.Payment(1m, paymentId: "p");
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceSettled, invoice, payment), Start);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceInvalid, invoice), Start);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice, payment), Start);

        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceSettled, invoice, payment), Start);

        Assert.Equal(PaymentStatus.Counted, contract.Payments.Single().Status);
        Assert.Equal(MilestoneState.Funded, contract.M(1).State);
        Assert.Equal(Btc(1m), contract.Ledger.Received);
    }

    // Rounding each side's BTC down leaves up to a few satoshis; they go to the larger payout, so a milestone's BTC
    // is always paid out in full (never beyond). With no party paid, they stay with the fee.
    [Fact]
    public void A_btc_locked_refund_on_cancellation_pays_all_the_bitcoin_of_the_milestone()
    {
        var contract = new ContractBuilder().In("USD", FxPolicy.BtcLocked).WithMilestone(999.99m).WithMilestone(1m).Active();
        contract.Pay(contract.Invoice(1), 999.99m, btc: 0.01234567m);

        contract.Cancel(Staff, "Client left", Start);

        Assert.Equal(Btc(0.01234567m), contract.RefundOf(1)!.PayoutAmount);
    }

    [Fact]
    public void A_btc_locked_release_with_a_fee_gives_the_rounding_satoshi_to_the_freelancer_not_the_fee()
    {
        var contract = new ContractBuilder().In("USD", FxPolicy.BtcLocked).WithFee(33.33m).WithMilestone(100m).Active();
        contract.Pay(contract.Invoice(1), 100m, btc: 0.00100001m);
        contract.Submit(1);

        contract.Approve(contract.M(1).Id, Start);

        // 66.67 of 100 USD is 0.00066670 BTC rounded down, the fee's 33.33 is 0.00033330: 1 sat is left over and
        // goes to the release, so released + fee = all the BTC received.
        var release = contract.ReleaseOf(1)!;
        Assert.Equal(Usd(66.67m), release.Amount);
        Assert.Equal(Btc(0.00066671m), release.PayoutAmount);
        var settled = contract.UnsavedAuditEntries.Last(e => e.Type == "milestone.settled").ReadData();
        Assert.Equal("0.00033330 BTC", settled["feeKept"]);
    }

    // A BTC-locked contract pays BTC or nothing: a share that brought no BTC (a coin other than BTC, or dust) is not
    // paid in fiat; its instruction completes at once with nothing to send, and the audit log says so.
    [Fact]
    public void A_btc_locked_release_worth_no_bitcoin_completes_at_once_instead_of_paying_fiat()
    {
        var contract = new ContractBuilder().In("USD", FxPolicy.BtcLocked).WithMilestone(100m).WithMilestone(100m).Active();
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceSettled, contract.Invoice(1),
            new PaymentReport("ltc", Usd(100m), Money.Of(1.25m, "LTC"), 80m, "LTC-CHAIN")), Start);
        contract.Submit(1);

        contract.Approve(contract.M(1).Id, Start);

        var release = contract.ReleaseOf(1)!;
        Assert.Equal(Btc(0m), release.PayoutAmount);
        Assert.Equal(Payouts.PayoutStatus.Completed, release.Status);
        Assert.Equal(MilestoneState.Released, contract.M(1).State);
        Assert.Contains("payout.nothing-to-send", contract.AuditTypes());
    }

    // The currency's largest amount bounds what the client is invoiced, so a client-side fee counts towards it.
    [Fact]
    public void The_largest_amount_check_counts_a_fee_charged_to_the_client()
    {
        var builder = new ContractBuilder().WithFee(10m, chargedTo: FeePayer.Client).WithMilestone(20_000_000m);

        var ex = Assert.Throws<InvalidInputException>(() => builder.Terms());

        Assert.Equal("milestones", ex.Field);
        Assert.Contains("fee charged to the client", ex.Message);
    }

    [Fact]
    public void The_largest_amount_check_ignores_a_fee_charged_to_the_freelancer()
    {
        var terms = new ContractBuilder().WithFee(10m).WithMilestone(20_000_000m).Terms();

        Assert.Equal(Btc(20_000_000m), terms.ClientTotal);
    }
}
