using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Terms;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractSteps;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

public class FeeAndFxTests
{
    private static Money Usd(decimal amount) => Money.Of(amount, "USD");

    private static Contract ApprovedFirst(Contract contract)
    {
        contract.Submit(1);
        contract.Approve(contract.M(1).Id, Start);
        return contract;
    }

    [Theory]
    [InlineData(10, 0, "100.00", "10.00")]
    [InlineData(0, 5, "100.00", "5.00")]
    [InlineData(2.5, 1, "100.00", "3.50")]
    [InlineData(10, 0, "33.33", "3.33")]
    [InlineData(0, 50, "20.00", "20.00")]
    [InlineData(50, 30, "40.00", "40.00")]
    public void The_fee_is_the_percent_plus_the_fixed_part_but_never_more_than_the_share(decimal percent, decimal fixedFee, string share, string fee)
    {
        var policy = FeePolicy.Create(percent, Usd(fixedFee), FeePayer.Freelancer);

        Assert.Equal(Usd(decimal.Parse(fee, System.Globalization.CultureInfo.InvariantCulture)),
            policy.FeeOn(Usd(decimal.Parse(share, System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void There_is_no_fee_on_nothing()
    {
        Assert.Equal(Usd(0m), FeePolicy.Create(10m, Usd(5m), FeePayer.Freelancer).FeeOn(Usd(0m)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(50.01)]
    [InlineData(1.005)]
    public void A_fee_percent_outside_0_to_50_or_with_more_than_two_decimals_is_refused(decimal percent)
    {
        var ex = Assert.Throws<InvalidInputException>(() => FeePolicy.Create(percent, Usd(0m), FeePayer.Freelancer));

        Assert.Equal("fee.percent", ex.Field);
    }

    [Fact]
    public void A_fixed_fee_in_another_currency_than_the_contract_is_refused()
    {
        var milestones = new ContractBuilder().In("EUR").Terms().Milestones;

        var ex = Assert.Throws<InvalidInputException>(() => ContractTerms.Create(
            "Logo", "", Party.Create("A", "a@example.com", "client"), Party.Create("B", "b@example.com", "freelancer"),
            "EUR", FeePolicy.Create(1m, Usd(1m), FeePayer.Client), FxPolicy.FiatProtected, OverpaymentHandling.RollForward,
            TimeSpan.FromDays(1), TimeSpan.FromDays(1), milestones));

        Assert.Equal("fee.fixed", ex.Field);
    }

    [Fact]
    public void A_fee_charged_to_the_freelancer_is_deducted_at_release()
    {
        var contract = new ContractBuilder().WithFee(10m).WithMilestone(1m).Active().Fund(1);
        Assert.Equal(Btc(1m), contract.M(1).Required);

        ApprovedFirst(contract);

        var release = contract.ReleaseOf(1)!;
        Assert.Equal(Btc(0.9m), release.Amount);
        Assert.Equal(Btc(0.9m), release.PayoutAmount);
        Assert.Equal(Btc(0.1m), contract.M(1).FeesRetained);
        Assert.Equal(Btc(0.9m), contract.M(1).ReleasedToFreelancer);
        Assert.Equal(Btc(0m), contract.M(1).Held);
    }

    [Fact]
    public void A_fee_charged_to_the_client_is_added_to_the_invoice()
    {
        var contract = new ContractBuilder().WithFee(10m, 0.01m, FeePayer.Client).WithMilestone(1m).WithMilestone(2m).Active();

        var request = contract.RequestFunding([contract.M(1).Id, contract.M(2).Id]);

        Assert.Equal(Btc(0.11m), contract.M(1).ClientFee);
        Assert.Equal(Btc(1.11m), contract.M(1).Required);
        Assert.Equal(Btc(3.32m), request.Amount);
    }

    [Fact]
    public void With_a_client_fee_the_milestone_is_funded_only_when_the_fee_is_paid_too()
    {
        var contract = new ContractBuilder().WithFee(10m, chargedTo: FeePayer.Client).WithMilestone(1m).Active();
        var invoice = contract.Invoice(1);

        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice, contract.Payment(1m)), Start);

        Assert.Equal(MilestoneState.Pending, contract.M(1).State);
        Assert.Equal(Btc(0.1m), contract.M(1).Outstanding);
    }

    [Fact]
    public void A_fee_charged_to_the_client_leaves_the_freelancer_the_full_amount_at_release()
    {
        var contract = new ContractBuilder().WithFee(10m, chargedTo: FeePayer.Client).WithMilestone(1m).Active().Fund(1);

        ApprovedFirst(contract);

        Assert.Equal(Btc(1m), contract.ReleaseOf(1)!.Amount);
        Assert.Equal(Btc(0.1m), contract.M(1).FeesRetained);
        Assert.Null(contract.RefundOf(1));
        Assert.Equal(Btc(0m), contract.M(1).Held);
    }

    [Fact]
    public void When_the_fee_takes_the_whole_share_nothing_is_paid_and_the_milestone_is_released_at_once()
    {
        var contract = new ContractBuilder().WithFee(0m, 1m).WithMilestone(1m).Active().Fund(1);

        ApprovedFirst(contract);

        Assert.Empty(contract.Payouts);
        Assert.Equal(MilestoneState.Released, contract.M(1).State);
        Assert.Equal(Btc(1m), contract.M(1).FeesRetained);
        Assert.Equal(ContractState.Completed, contract.State);
    }

    [Fact]
    public void Fees_round_down_in_the_currency_precision()
    {
        var contract = new ContractBuilder().In("SATS").WithFee(1m).WithMilestone(1001m).Active().Fund(1);

        ApprovedFirst(contract);

        Assert.Equal(Money.Of(991m, "SATS"), contract.ReleaseOf(1)!.Amount);
        Assert.Equal(Money.Of(10m, "SATS"), contract.M(1).FeesRetained);
    }

    [Fact]
    public void A_btc_locked_contract_pays_the_bitcoin_received_in_proportion()
    {
        var contract = new ContractBuilder().In("USD", FxPolicy.BtcLocked).WithFee(10m).WithMilestone(1000m).Active();
        contract.Pay(contract.Invoice(1), 1000m, btc: 0.02m);
        Assert.Equal(Btc(0.02m), contract.M(1).FundedBtc);

        ApprovedFirst(contract);

        var release = contract.ReleaseOf(1)!;
        Assert.Equal(Usd(900m), release.Amount);
        Assert.Equal(Btc(0.018m), release.PayoutAmount);
        Assert.Equal("BTC", release.PayoutAmount.Currency);
    }

    [Fact]
    public void A_fiat_protected_contract_pays_the_fiat_amount_whatever_bitcoin_was_received()
    {
        var contract = new ContractBuilder().In("USD", FxPolicy.FiatProtected).WithFee(10m).WithMilestone(1000m).Active();
        contract.Pay(contract.Invoice(1), 1000m, btc: 0.02m);

        ApprovedFirst(contract);

        var release = contract.ReleaseOf(1)!;
        Assert.Equal(Usd(900m), release.Amount);
        Assert.Equal(Usd(900m), release.PayoutAmount);
        Assert.Equal(Btc(0.02m), contract.M(1).FundedBtc);
    }

    [Fact]
    public void Both_values_of_a_settlement_are_recorded_in_the_audit_log()
    {
        var contract = new ContractBuilder().In("EUR", FxPolicy.BtcLocked).WithMilestone(500m).Active();
        contract.Pay(contract.Invoice(1), 500m, btc: 0.01m);

        ApprovedFirst(contract);

        var settled = contract.UnsavedAuditEntries.Single(e => e.Type == "milestone.settled").ReadData();
        Assert.Equal("500.00 EUR", settled["release"]);
        Assert.Equal("0.01000000 BTC", settled["releasePayout"]);
    }

    [Fact]
    public void Payments_at_different_rates_add_up_their_bitcoin_for_a_btc_locked_payout()
    {
        var contract = new ContractBuilder().In("USD", FxPolicy.BtcLocked).WithMilestone(1000m).Active();
        var invoice = contract.Invoice(1);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceSettled, invoice,
            contract.Payment(600m, btc: 0.012m), contract.Payment(400m, btc: 0.01m)), Start);

        ApprovedFirst(contract);

        Assert.Equal(Btc(0.022m), contract.M(1).FundedBtc);
        Assert.Equal(Btc(0.022m), contract.ReleaseOf(1)!.PayoutAmount);
    }

    [Fact]
    public void A_btc_locked_split_pays_each_side_its_part_of_the_bitcoin_and_the_rounding_satoshi_to_the_larger_side()
    {
        var contract = new ContractBuilder().In("USD", FxPolicy.BtcLocked).WithMilestone(1000m).Active();
        contract.Pay(contract.Invoice(1), 1000m, btc: 0.03333333m);
        var id = contract.M(1).Id;
        contract.OpenDispute(id, PartyRole.Client, "Half done", Start);
        contract.EscalateDispute(id, Audit.Actor.Client, Start);

        contract.RuleOnDispute(id, 333.33m, "A third was delivered", Staff, Start);

        var release = contract.ReleaseOf(1)!;
        var refund = contract.RefundOf(1)!;
        Assert.Equal(Usd(333.33m), release.Amount);
        Assert.Equal(Usd(666.67m), refund.Amount);
        Assert.Equal(Btc(0.01111099m), release.PayoutAmount);
        // 0.02222233 in proportion, plus the 1 sat rounding down left unassigned: all of the milestone's BTC goes out.
        Assert.Equal(Btc(0.02222234m), refund.PayoutAmount);
        Assert.Equal(contract.M(1).FundedBtc, release.PayoutAmount + refund.PayoutAmount);
    }

    [Fact]
    public void A_late_payment_refund_of_a_btc_locked_contract_pays_its_bitcoin()
    {
        var contract = new ContractBuilder().In("USD", FxPolicy.BtcLocked).WithMilestone(1000m).Active();
        var invoice = contract.Invoice(1);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice), Start);
        contract.ApplyPaymentEvent(Event(InboundEventKind.PaidAfterExpiry, invoice, contract.Payment(1000m, btc: 0.02m, paymentId: "late")), Start);

        var refund = contract.RefundLatePayment("late", Staff, Start);

        Assert.Equal(Usd(1000m), refund.Amount);
        Assert.Equal(Btc(0.02m), refund.PayoutAmount);
    }

    [Fact]
    public void Bitcoin_contracts_pay_out_in_their_own_currency()
    {
        var contract = new ContractBuilder().In("SATS").WithMilestone(50_000m).Active().Fund(1);

        ApprovedFirst(contract);

        Assert.Equal(Money.Of(50_000m, "SATS"), contract.ReleaseOf(1)!.PayoutAmount);
        Assert.Equal(Btc(0.0005m), contract.M(1).FundedBtc);
    }
}
