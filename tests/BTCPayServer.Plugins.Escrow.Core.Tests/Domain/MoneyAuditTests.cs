using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractSteps;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

/// <summary>The five findings of the money audit (issue 10), each with its numbers: credit, invalidations, BTC-locked payouts, amendments.</summary>
public class MoneyAuditTests
{
    private static Money Usd(decimal amount) => Money.Of(amount, "USD");

    private static Money BtcPaidOut(Contract contract) =>
        contract.Payouts.Aggregate(Btc(0m), (sum, p) => sum + p.PayoutAmount);

    private static void Settle(Contract contract, FundingInvoice invoice, PaymentReport payment) =>
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceSettled, invoice, payment), Start);

    private static void Invalidate(Contract contract, FundingInvoice invoice) =>
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceInvalid, invoice), Start);

    private static Money CreditRefunded(Contract contract) =>
        contract.Payouts.Where(p => p.MilestoneId is null).Aggregate(Btc(0m), (sum, p) => sum + p.PayoutAmount);

    /// <summary>
    /// M1 = 100 USD, M2 = 50 USD, BTC-locked. P pays 200 USD as 0.02 BTC on M1's invoice: M1 funded, 50 USD rolls into
    /// M2, and the last 50 USD (0.005 BTC) has nothing left to roll into: refunded at once. Q pays 100 USD as 0.001 BTC
    /// on a second invoice for M1: all of it refunded at once. (Issue 10 held both as credit until the contract ended.)
    /// </summary>
    private static (Contract Contract, FundingInvoice InvoiceP, PaymentReport P) PaidTwiceThroughCredit()
    {
        var contract = new ContractBuilder().In("USD", FxPolicy.BtcLocked).WithMilestone(100m).WithMilestone(50m).Active();
        var invoiceP = contract.Invoice(1);
        var invoiceQ = contract.Invoice(1);
        var p = contract.Payment(200m, btc: 0.02m, paymentId: "P");
        Settle(contract, invoiceP, p);
        Settle(contract, invoiceQ, contract.Payment(100m, btc: 0.001m, paymentId: "Q"));
        Assert.Equal(Usd(0m), contract.Credit);
        Assert.Equal(Btc(0m), contract.CreditBtc);
        Assert.Equal(Btc(0.006m), CreditRefunded(contract));
        return (contract, invoiceP, p);
    }

    [Fact]
    public void Finding_1_an_invalidated_and_resettled_payment_after_roll_forward_refunds_exactly_the_bitcoin_received()
    {
        var (contract, invoiceP, p) = PaidTwiceThroughCredit();

        Invalidate(contract, invoiceP);
        Settle(contract, invoiceP, p);
        contract.Cancel(Staff, "Client left", Start);

        // Before the fix: 0.01 + 0.005 + 0.01 = 0.025 BTC refunded against 0.021 BTC received. The re-settlement brings
        // back only what the invalidation took (M1 and M2), not P's excess already refunded.
        Assert.Equal(Btc(0.021m), BtcPaidOut(contract));
        Assert.All(contract.Payouts, p => Assert.Equal("BTC", p.PayoutAmount.Currency));
        Assert.Equal(Btc(0.01m), contract.RefundOf(1)!.PayoutAmount);
        Assert.Equal(Btc(0.005m), contract.RefundOf(2)!.PayoutAmount);
        Assert.Equal(Btc(0.006m), CreditRefunded(contract));
        Assert.Equal(contract.Ledger.Received, contract.Ledger.RefundedToClient);
    }

    [Fact]
    public void Finding_2_cancelling_after_an_invalidation_refunds_only_the_valid_bitcoin_and_never_a_fiat_amount()
    {
        var (contract, invoiceP, _) = PaidTwiceThroughCredit();

        Invalidate(contract, invoiceP);
        contract.Cancel(Staff, "Client left", Start);

        // Before the fix: M2 refunded 0.005 BTC of the invalid payment and the credit went back as 50.00 USD. P's excess
        // (0.005 BTC) went back before the invalidation and is flagged for the agency; nothing more of P goes out.
        Assert.Equal(Btc(0.006m), BtcPaidOut(contract));
        Assert.All(contract.Payouts, p => Assert.Equal("BTC", p.PayoutAmount.Currency));
        Assert.Null(contract.RefundOf(1));
        Assert.Null(contract.RefundOf(2));
        Assert.Equal(MilestoneState.Cancelled, contract.M(2).State);
        Assert.Contains("payment.invalidated-after-use", contract.AuditTypes());
    }

    [Fact]
    public void Finding_2_a_milestone_funded_by_rolled_credit_of_an_invalid_payment_releases_only_valid_bitcoin()
    {
        var (contract, invoiceP, _) = PaidTwiceThroughCredit();
        Invalidate(contract, invoiceP);
        // M2 lost the 0.005 BTC it had from P and waits for funding again; R funds it at another rate.
        Assert.Equal(MilestoneState.Pending, contract.M(2).State);
        Settle(contract, contract.Invoice(2), contract.Payment(50m, btc: 0.0031m, paymentId: "R"));

        contract.Submit(2);
        contract.Approve(contract.M(2).Id, Start);
        contract.MakeClaimable(contract.ReleaseOf(2)!);
        contract.Cancel(Staff, "Client left", Start);

        // Before the fix 0.005 BTC of P was released. Out: P's and Q's excess refunded at once (0.006) and R's 0.0031.
        Assert.Equal(Btc(0.0031m), contract.ReleaseOf(2)!.PayoutAmount);
        Assert.Equal(Btc(0.0091m), BtcPaidOut(contract));
    }

    [Fact]
    public void Finding_3_credit_is_zero_in_bitcoin_exactly_when_it_is_zero_in_fiat_after_an_invalidation()
    {
        var builder = new ContractBuilder().In("USD", FxPolicy.BtcLocked).WithMilestone(100m).WithMilestone(50m);
        var contract = builder.Active();
        var first = contract.Invoice(1, 2);
        var second = contract.Invoice(2);
        Settle(contract, first, contract.Payment(160m, btc: 0.0016m)); // 10 USD / 0.0001 BTC beyond M1 and M2: refunded
        Settle(contract, second, contract.Payment(10m, btc: 0.001m)); // 10 USD / 0.001 BTC beyond M2: refunded
        contract.ChangeTerms(builder.ChangeMilestone(2, amount: 60m).Terms(), Staff, Start);
        contract.AcceptBoth(Start); // M2 raised by 10 USD: no credit is left to roll into it, the client is asked
        Assert.Equal(Usd(0m), contract.Credit);
        Assert.Equal(Usd(10m), contract.RequestFunding([contract.M(2).Id]).Amount);

        Invalidate(contract, first);

        // Before the fix: 0.00 USD of credit still holding 0.00045 BTC that nothing would ever refund.
        Assert.Equal(Usd(0m), contract.Credit);
        Assert.Equal(Btc(0m), contract.CreditBtc);
        Assert.Equal(Btc(0m), contract.M(1).FundedBtc);
        contract.Cancel(Staff, "Client left", Start);
        Assert.Equal(Btc(0.0011m), BtcPaidOut(contract));
    }

    [Fact]
    public void Finding_4_a_milestone_reopened_by_an_invalidation_is_asked_for_what_it_lost_once_the_excess_went_back()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(1m).Active();
        var first = contract.Invoice(1);
        contract.Pay(first, 1m);
        contract.Pay(contract.Invoice(2), 1.5m);
        Assert.Equal(Btc(0m), contract.Credit);
        Assert.Equal(Btc(0.5m), contract.Payouts.Single(p => p.MilestoneId is null).PayoutAmount);

        Invalidate(contract, first);

        Assert.Equal(Btc(0m), contract.Credit);
        Assert.Equal(Btc(0m), contract.M(1).Funded);
        Assert.Equal(MilestoneState.Pending, contract.M(1).State);
        Assert.Equal(Btc(1m), contract.RequestFunding([contract.M(1).Id]).Amount);
        Assert.Single(contract.Payouts);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    public void Finding_5_an_amendment_of_the_fee_leaves_a_released_milestone_as_it_was(decimal newPercent)
    {
        var builder = new ContractBuilder().In("USD").WithFee(10m, chargedTo: FeePayer.Client).WithMilestone(100m).WithMilestone(100m);
        var contract = builder.Active().Fund(1);
        contract.Submit(1);
        contract.Approve(contract.M(1).Id, Start);
        contract.MakeClaimable(contract.ReleaseOf(1)!);
        Assert.Equal(MilestoneState.Released, contract.M(1).State);

        contract.ChangeTerms(builder.WithFee(newPercent, chargedTo: FeePayer.Client).Terms(), Staff, Start);
        contract.AcceptBoth(Start);

        // Before the fix: "required 100, funded 110" (0 %) or "outstanding 10.00 USD" on a released milestone (20 %).
        Assert.Equal(Usd(10m), contract.M(1).ClientFee);
        Assert.Equal(Usd(110m), contract.M(1).Required);
        Assert.Equal(Usd(110m), contract.M(1).Funded);
        Assert.Equal(Usd(0m), contract.M(1).Outstanding);
        Assert.Equal(Usd(100m * newPercent / 100m), contract.M(2).ClientFee); // open milestones take the new fee
    }
}
