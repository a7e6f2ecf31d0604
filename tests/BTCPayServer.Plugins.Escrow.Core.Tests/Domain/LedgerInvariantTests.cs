using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractSteps;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

/// <summary>The money rules of the design, checked after each of a set of realistic histories.</summary>
public class LedgerInvariantTests
{
    private static readonly Dictionary<string, Func<Contract>> Histories = new()
    {
        ["funded and approved with a freelancer fee"] = () =>
        {
            var c = new ContractBuilder().WithFee(7.5m, 0.001m).WithMilestone(0.3m).WithMilestone(0.7m).Active().Fund(1, 2);
            c.Submit(1);
            c.Approve(c.M(1).Id, Start);
            return c;
        },
        ["ruled split with a client fee in USD"] = () =>
        {
            var c = new ContractBuilder().In("USD", FxPolicy.BtcLocked).WithFee(3m, 1m, FeePayer.Client).WithMilestone(333.33m).Active().Fund(1);
            var id = c.M(1).Id;
            c.OpenDispute(id, PartyRole.Client, "Half", Start);
            c.EscalateDispute(id, Actor.Client, Start);
            c.RuleOnDispute(id, 111.11m, "A third", Staff, Start);
            return c;
        },
        ["agreed split in JPY"] = () =>
        {
            var c = new ContractBuilder().In("JPY").WithFee(10m).WithMilestone(10_001m).Active().Fund(1);
            var id = c.M(1).Id;
            c.OpenDispute(id, PartyRole.Freelancer, "Unpaid extras", Start);
            var p = c.ProposeSplit(id, PartyRole.Freelancer, 7_777m, null, Start);
            c.AnswerSplit(id, p.Id, PartyRole.Client, true, Start);
            return c;
        },
        ["partly funded then cancelled"] = () =>
        {
            var c = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).Active().Fund(1);
            c.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, c.Invoice(2), c.Payment(0.25m)), Start);
            c.Cancel(Staff, "stop", Start);
            return c;
        },
        ["overpaid and rolled forward"] = () =>
        {
            var c = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).Active();
            c.Pay(c.Invoice(1), 3.5m);
            return c;
        },
        ["overpaid and refunded"] = () =>
        {
            var c = new ContractBuilder().RefundingOverpayments().WithMilestone(1m).WithMilestone(2m).Active();
            c.Pay(c.Invoice(1), 1.5m);
            return c;
        },
        ["invalidated after release"] = () =>
        {
            var c = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).Active();
            var invoice = c.Invoice(1);
            c.Pay(invoice, 1.2m);
            c.Submit(1);
            c.Approve(c.M(1).Id, Start);
            c.ApplyPaymentEvent(Event(InboundEventKind.InvoiceInvalid, invoice), Start);
            return c;
        },
        ["late payment accepted and another refunded"] = () =>
        {
            var c = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).Active();
            var invoice = c.Invoice(1);
            c.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice), Start);
            c.ApplyPaymentEvent(Event(InboundEventKind.PaidAfterExpiry, invoice, c.Payment(1m, paymentId: "a"), c.Payment(0.5m, paymentId: "b")), Start);
            c.AcceptLatePayment("a", Staff, Start);
            c.RefundLatePayment("b", Staff, Start);
            return c;
        },
        ["missed milestone refunded"] = () =>
        {
            var c = new ContractBuilder().WithMilestone(1m, Today).WithMilestone(2m).Active().Fund(1, 2);
            c.CancelMissedMilestone(c.M(1).Id, Start.AddDays(1));
            return c;
        },
        ["amended up after funding and topped up"] = () =>
        {
            var b = () => new ContractBuilder().WithMilestone(1m).WithMilestone(2m);
            var c = b().Active().Fund(1);
            c.ChangeTerms(b().ChangeMilestone(1, amount: 1.5m).Terms(), Staff, Start);
            c.AcceptBoth(Start);
            c.Fund(1);
            c.Submit(1);
            c.Approve(c.M(1).Id, Start);
            return c;
        },
        ["completed with credit left over"] = () =>
        {
            var c = new ContractBuilder().WithMilestone(1m).Active();
            c.Pay(c.Invoice(1), 1.1m);
            c.Submit(1);
            c.Approve(c.M(1).Id, Start);
            c.MakeClaimable(c.ReleaseOf(1)!);
            return c;
        },
    };

    public static TheoryData<string> Names => new(Histories.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void No_milestone_pays_out_more_than_it_was_funded(string history)
    {
        var contract = Histories[history]();

        Assert.All(contract.Milestones, m =>
        {
            Assert.True(m.ReleasedToFreelancer + m.FeesRetained + m.RefundedToClient <= m.Funded, $"milestone {m.Number}");
            Assert.True(m.Funded <= m.Required, $"milestone {m.Number} funded beyond what it needs");
        });
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_ledger_balance_is_what_the_parts_hold_and_never_negative(string history)
    {
        var contract = Histories[history]();
        var ledger = contract.Ledger;

        Assert.Equal(EscrowLedger.HeldByParts(contract), ledger.Balance);
        Assert.True(ledger.Balance.Amount >= 0, ledger.Summary());
        Assert.Equal(ledger.Received - ledger.ReleasedToFreelancer - ledger.FeesRetained - ledger.RefundedToClient, ledger.Balance);
        Assert.Equal(contract.Currency, ledger.Balance.Currency);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Payouts_match_what_the_ledger_says_was_paid(string history)
    {
        var contract = Histories[history]();
        var zero = Money.Zero(contract.Currency);
        var lateRefunds = contract.Payouts.Where(p => p.Key.Contains("/payment/")).Aggregate(zero, (s, p) => s + p.Amount);
        var paidOut = contract.Payouts.Aggregate(zero, (s, p) => s + p.Amount) - lateRefunds;

        Assert.Equal(contract.Ledger.ReleasedToFreelancer + contract.Ledger.RefundedToClient, paidOut);
        Assert.Equal(contract.Payouts.Count, contract.Payouts.Select(p => p.Key).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_history_leaves_a_verifiable_audit_chain(string history)
    {
        var contract = Histories[history]();

        Assert.True(AuditChain.Verify(contract.UnsavedAuditEntries).IsValid);
    }

    [Fact]
    public void A_btc_locked_payout_never_exceeds_the_bitcoin_received()
    {
        var contract = Histories["ruled split with a client fee in USD"]();
        var m = contract.M(1);

        var btcPaid = contract.Payouts.Where(p => p.MilestoneId == m.Id).Aggregate(Money.Zero("BTC"), (s, p) => s + p.PayoutAmount);

        Assert.True(btcPaid <= m.FundedBtc);
        Assert.All(contract.Payouts, p => Assert.Equal("BTC", p.PayoutAmount.Currency));
    }
}
