using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Gateway;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Gateway;

public class GatewayEventMappingTests
{
    private static readonly DateTimeOffset At = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly GatewayPayment OnTime = new(new PaymentReport("p1", Money.Of(100m, "USD"), Money.Of(0.002m, "BTC"), 50_000m, "BTC-CHAIN"), false);
    private static readonly GatewayPayment Late = new(new PaymentReport("p2", Money.Of(50m, "USD"), Money.Of(0.001m, "BTC"), 50_000m, "BTC-LN"), true);

    [Theory]
    [InlineData(GatewayInvoiceEvent.Confirmed, InboundEventKind.InvoiceSettled)]
    [InlineData(GatewayInvoiceEvent.MarkedCompleted, InboundEventKind.InvoiceSettled)]
    [InlineData(GatewayInvoiceEvent.FailedToConfirm, InboundEventKind.InvoiceInvalid)]
    [InlineData(GatewayInvoiceEvent.MarkedInvalid, InboundEventKind.InvoiceInvalid)]
    [InlineData(GatewayInvoiceEvent.Expired, InboundEventKind.InvoiceExpired)]
    [InlineData(GatewayInvoiceEvent.ExpiredPaidPartial, InboundEventKind.InvoiceExpired)]
    [InlineData(GatewayInvoiceEvent.PaidAfterExpiration, InboundEventKind.PaidAfterExpiry)]
    public void Invoice_events_map_as_BTCPay_itself_defines_settled_invalid_expired_and_late(GatewayInvoiceEvent code, InboundEventKind expected)
    {
        var e = GatewayEventMapping.FromInvoiceEvent(code, "inv1", At, [OnTime, Late]);
        Assert.NotNull(e);
        Assert.Equal(expected, e.Kind);
        Assert.Equal("inv1", e.InvoiceId);
    }

    [Theory]
    [InlineData(GatewayInvoiceEvent.Created)]
    [InlineData(GatewayInvoiceEvent.PaidInFull)]
    [InlineData(GatewayInvoiceEvent.Completed)]
    [InlineData(GatewayInvoiceEvent.PaymentSettled)]
    [InlineData(GatewayInvoiceEvent.Refund)]
    public void Events_that_decide_nothing_for_the_escrow_are_ignored(GatewayInvoiceEvent code) =>
        Assert.Null(GatewayEventMapping.FromInvoiceEvent(code, "inv1", At, [OnTime]));

    [Fact]
    public void Settlement_and_expiry_count_only_payments_made_before_expiry_and_late_ones_wait_for_the_agency()
    {
        var settled = GatewayEventMapping.FromInvoiceEvent(GatewayInvoiceEvent.Confirmed, "inv1", At, [OnTime, Late])!;
        var late = GatewayEventMapping.FromInvoiceEvent(GatewayInvoiceEvent.PaidAfterExpiration, "inv1", At, [OnTime, Late])!;

        Assert.Equal(["p1"], settled.PaymentList.Select(p => p.PaymentId));
        Assert.Equal(["p2"], late.PaymentList.Select(p => p.PaymentId));
    }

    [Fact]
    public void A_received_payment_carries_that_payment_and_needs_it()
    {
        var e = GatewayEventMapping.FromInvoiceEvent(GatewayInvoiceEvent.ReceivedPayment, "inv1", At, [OnTime], OnTime.Report)!;
        Assert.Equal(InboundEventKind.PaymentReceived, e.Kind);
        Assert.Equal(["p1"], e.PaymentList.Select(p => p.PaymentId));
        Assert.Null(GatewayEventMapping.FromInvoiceEvent(GatewayInvoiceEvent.ReceivedPayment, "inv1", At, [OnTime]));
    }

    [Fact]
    public void A_live_event_and_the_reconciliation_of_the_same_fact_share_their_event_ids()
    {
        var live = new[]
        {
            GatewayEventMapping.FromInvoiceEvent(GatewayInvoiceEvent.ReceivedPayment, "inv1", At, [OnTime], OnTime.Report)!,
            GatewayEventMapping.FromInvoiceEvent(GatewayInvoiceEvent.Confirmed, "inv1", At.AddMinutes(5), [OnTime])!,
        };
        var reconciled = GatewayEventMapping.Reconcile(new GatewayInvoiceState("inv1", GatewayInvoiceStatus.Settled, GatewayInvoiceExceptionStatus.None, [OnTime]), At.AddDays(1));

        Assert.Equal(live.Select(e => e.EventId), reconciled.Select(e => e.EventId));
    }

    [Fact]
    public void Staff_marks_are_separate_facts_so_marking_settled_again_after_invalid_is_not_taken_for_a_duplicate()
    {
        var firstMark = GatewayEventMapping.FromInvoiceEvent(GatewayInvoiceEvent.MarkedCompleted, "inv1", At, [OnTime])!;
        var secondMark = GatewayEventMapping.FromInvoiceEvent(GatewayInvoiceEvent.MarkedCompleted, "inv1", At.AddHours(1), [OnTime])!;
        Assert.NotEqual(firstMark.EventId, secondMark.EventId);
    }

    [Fact]
    public void Reconciling_an_expired_invoice_reports_its_partial_payment_then_the_expiry_then_late_payments()
    {
        var events = GatewayEventMapping.Reconcile(new GatewayInvoiceState("inv1", GatewayInvoiceStatus.Expired, GatewayInvoiceExceptionStatus.PaidLate, [OnTime, Late]), At);

        Assert.Equal([InboundEventKind.PaymentReceived, InboundEventKind.InvoiceExpired, InboundEventKind.PaidAfterExpiry], events.Select(e => e.Kind));
        Assert.Equal(["p1"], events[1].PaymentList.Select(p => p.PaymentId));
        Assert.All(events, e => Assert.True(e.EventId.Length <= 200));
    }

    [Fact]
    public void Reconciling_a_new_unpaid_invoice_says_nothing()
    {
        Assert.Empty(GatewayEventMapping.Reconcile(new GatewayInvoiceState("inv1", GatewayInvoiceStatus.New, GatewayInvoiceExceptionStatus.None, []), At));
    }

    [Theory]
    [InlineData(GatewayPayoutState.AwaitingApproval)]
    [InlineData(GatewayPayoutState.AwaitingPayment)]
    [InlineData(GatewayPayoutState.InProgress)]
    [InlineData(GatewayPayoutState.Cancelled)]
    public void Only_a_completed_payout_is_reported(GatewayPayoutState state) =>
        Assert.Null(GatewayEventMapping.FromPayoutUpdate("pp1", "po1", state, At));

    [Fact]
    public void A_completed_payout_names_its_pull_payment()
    {
        var e = GatewayEventMapping.FromPayoutUpdate("pp1", "po1", GatewayPayoutState.Completed, At)!;
        Assert.Equal(InboundEventKind.PayoutCompleted, e.Kind);
        Assert.Equal("pp1", e.PullPaymentId);
        Assert.Equal(e.EventId, GatewayEventMapping.ReconcilePayout("pp1", "po1", GatewayPayoutState.Completed, At.AddDays(3))!.EventId);
    }

    [Fact]
    public void Applied_to_a_contract_a_mapped_settlement_funds_the_milestone_and_its_replay_does_nothing()
    {
        var contract = new Domain.ContractBuilder().In("USD").WithMilestone(100m).Active();
        var invoice = Domain.ContractSteps.Invoice(contract, 1);
        var payment = new GatewayPayment(new PaymentReport("p1", Money.Of(100m, "USD"), Money.Of(0.002m, "BTC"), 50_000m, "BTC-CHAIN"), false);
        var settled = GatewayEventMapping.FromInvoiceEvent(GatewayInvoiceEvent.Confirmed, invoice.InvoiceId, At, [payment])!;

        Assert.True(contract.ApplyPaymentEvent(settled, At));
        foreach (var replay in GatewayEventMapping.Reconcile(new GatewayInvoiceState(invoice.InvoiceId, GatewayInvoiceStatus.Settled, GatewayInvoiceExceptionStatus.None, [payment]), At))
            contract.ApplyPaymentEvent(replay, At);

        Assert.Equal(Milestones.MilestoneState.Funded, contract.Milestones[0].State);
        Assert.Equal(Money.Of(100m, "USD"), contract.Milestones[0].Funded);
    }
}
