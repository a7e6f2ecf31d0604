using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Statements;
using BTCPayServer.Plugins.Escrow.Core.Tests.Domain;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractBuilder;
using static BTCPayServer.Plugins.Escrow.Core.Tests.Domain.ContractSteps;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Statements;

public sealed class StatementBuilderTests
{
    private static Statement StatementOf(Contract contract, StatementPeriod? period = null) =>
        Statement.Of(contract, contract.UnsavedAuditEntries, period);

    /// <summary>The statement's totals over the whole history are the ledger's figures, and its balance changes add up to the balance.</summary>
    private static Statement AssertMatchesLedger(Contract contract)
    {
        var statement = StatementOf(contract);
        var ledger = contract.Ledger;
        var totals = Assert.Single(statement.Totals);
        Assert.Equal(contract.Currency, totals.Currency);
        Assert.Equal(ledger.Received, totals.Received);
        Assert.Equal(ledger.ReleasedToFreelancer, totals.Released);
        Assert.Equal(ledger.FeesRetained, totals.Fees);
        Assert.Equal(ledger.RefundedToClient, totals.Refunded);
        Assert.Equal(ledger.Balance, totals.BalanceChange);
        Assert.Equal(ledger.Balance, statement.Lines.Aggregate(Money.Zero(contract.Currency), (sum, l) => sum + l.BalanceChange));
        return statement;
    }

    private static StatementLine Single(Statement statement, StatementLineKind kind, int? milestone = null) =>
        Assert.Single(statement.Lines, l => l.Kind == kind && (milestone is null || l.Milestone == milestone));

    [Fact]
    public void A_paid_and_released_milestone_shows_payment_credit_fee_and_release_matching_the_ledger()
    {
        var contract = new ContractBuilder().In("USD").WithFee(10m).WithMilestone(100m).WithMilestone(200m).Active();
        contract.Fund(1);
        contract.Submit(1, Start.AddDays(1));
        contract.Approve(contract.M(1).Id, Start.AddDays(2));
        contract.MakeClaimable(contract.ReleaseOf(1)!, Start.AddDays(2));

        var statement = AssertMatchesLedger(contract);

        var payment = contract.Payments.Single();
        var received = Single(statement, StatementLineKind.PaymentReceived);
        Assert.Equal((Money.Of(100m, "USD"), Money.Zero("USD")), (received.Amount, received.BalanceChange));
        Assert.Equal((payment.Btc, DefaultRate, "BTC-CHAIN", payment.InvoiceId, payment.PaymentId),
            (received.Btc!.Value, received.Rate!.Value, received.PaymentMethod, received.InvoiceId, received.PaymentId));
        var credited = Single(statement, StatementLineKind.Credited, 1);
        Assert.Equal((Money.Of(100m, "USD"), StatementParty.Client, "Alice Client"), (credited.BalanceChange, credited.Party, credited.PartyName));
        var fee = Single(statement, StatementLineKind.Fee, 1);
        Assert.Equal((Money.Of(10m, "USD"), -10m, StatementParty.Agency), (fee.Amount, fee.BalanceChange.Amount, fee.Party));
        var release = Single(statement, StatementLineKind.Release, 1);
        Assert.Equal((Money.Of(90m, "USD"), -90m, StatementParty.Freelancer, "Bob Freelancer"), (release.Amount, release.BalanceChange.Amount, release.Party, release.PartyName));
        Assert.Equal(contract.ReleaseOf(1)!.PullPaymentId, release.PullPaymentId);
        Assert.Equal(Start.AddDays(2), release.At);
        Assert.All(statement.Lines, l => Assert.Equal((contract.Id, "Website redesign"), (l.ContractId, l.ContractTitle)));
    }

    [Fact]
    public void Late_payments_held_accepted_and_refunded_are_listed_but_only_the_accepted_one_counts()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).Active();
        var invoice = contract.Invoice(1);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceExpired, invoice), Start);
        contract.ApplyPaymentEvent(Event(InboundEventKind.PaidAfterExpiry, invoice, contract.Payment(1m, paymentId: "late-1"), contract.Payment(0.5m, paymentId: "late-2"), contract.Payment(0.25m, paymentId: "late-3")), Start);
        contract.AcceptLatePayment("late-1", Staff, Start.AddHours(1));
        var refund = contract.RefundLatePayment("late-2", Staff, Start.AddHours(2));
        contract.MakeClaimable(refund, Start.AddHours(3));

        var statement = AssertMatchesLedger(contract);

        Assert.Equal(3, statement.Lines.Count(l => l.Kind == StatementLineKind.LatePaymentHeld));
        Assert.Equal(Btc(1m), Single(statement, StatementLineKind.LatePaymentAccepted).Amount);
        var refunded = Single(statement, StatementLineKind.LatePaymentRefunded);
        Assert.Equal((Btc(0.5m), Btc(0m), "late-2", invoice.InvoiceId, refund.PullPaymentId), (refunded.Amount, refunded.BalanceChange, refunded.PaymentId, refunded.InvoiceId, refunded.PullPaymentId));
        Assert.Equal(Btc(1m), Assert.Single(statement.Totals).Received);
        Assert.Equal(Btc(0.25m), contract.Ledger.AwaitingAcceptance); // still held, never counted
    }

    [Fact]
    public void Overpayment_credit_added_applied_and_refunded_matches_the_ledger()
    {
        var contract = new ContractBuilder().In("EUR").WithMilestone(100m).WithMilestone(50m).Active();
        contract.Pay(contract.Invoice(1), 180m); // 80 beyond milestone 1: 50 rolls into milestone 2, 30 goes back

        var statement = AssertMatchesLedger(contract);

        Assert.Equal(Money.Of(80m, "EUR"), Single(statement, StatementLineKind.CreditAdded).BalanceChange);
        var applied = Single(statement, StatementLineKind.CreditApplied, 2);
        Assert.Equal((Money.Of(50m, "EUR"), Money.Zero("EUR")), (applied.Amount, applied.BalanceChange));
        var refunded = Single(statement, StatementLineKind.CreditRefunded);
        Assert.Equal((Money.Of(30m, "EUR"), -30m, StatementParty.Client), (refunded.Amount, refunded.BalanceChange.Amount, refunded.Party));
        Assert.Equal(contract.Payments.Single().InvoiceId, refunded.InvoiceId);
        var totals = Assert.Single(statement.Totals);
        Assert.Equal((180m, 30m, 150m), (totals.Received.Amount, totals.Refunded.Amount, totals.BalanceChange.Amount));
    }

    [Fact]
    public void Cancellation_refunds_and_an_invalid_invoice_reversal_match_the_ledger()
    {
        var contract = new ContractBuilder().In("USD").WithMilestone(100m).WithMilestone(200m).Active();
        contract.Fund(1);
        var second = contract.Invoice(2);
        contract.Pay(second, 200m);
        contract.ApplyPaymentEvent(Event(InboundEventKind.InvoiceInvalid, second), Start.AddHours(1));
        contract.Cancel(Staff, "Client changed plans", Start.AddDays(1));

        var statement = AssertMatchesLedger(contract);

        Assert.Equal(-200m, Single(statement, StatementLineKind.FundingReversed, 2).BalanceChange.Amount);
        var refund = Single(statement, StatementLineKind.Refund, 1);
        Assert.Equal((100m, -100m, StatementParty.Client), (refund.Amount.Amount, refund.BalanceChange.Amount, refund.Party));
        Assert.Equal(0m, Assert.Single(statement.Totals).BalanceChange.Amount);
    }

    [Fact]
    public void A_ruling_with_a_client_paid_fee_on_a_btc_locked_contract_shows_btc_and_matches_the_ledger()
    {
        var contract = new ContractBuilder().In("USD", FxPolicy.BtcLocked).WithFee(10m, chargedTo: FeePayer.Client).WithMilestone(100m).Active();
        contract.Pay(contract.Invoice(1), 110m, btc: 0.0022m);
        var id = contract.M(1).Id;
        contract.Submit(1, Start.AddDays(1));
        contract.OpenDispute(id, PartyRole.Client, "Half of it is missing", Start.AddDays(2));
        contract.EscalateDispute(id, Actor.Client, Start.AddDays(3));
        contract.RuleOnDispute(id, 50m, "Half delivered", Staff, Start.AddDays(4));

        var statement = AssertMatchesLedger(contract);

        var release = Single(statement, StatementLineKind.Release, 1);
        var refund = Single(statement, StatementLineKind.Refund, 1);
        var fee = Single(statement, StatementLineKind.Fee, 1);
        Assert.Equal((50m, 55m, 5m), (release.Amount.Amount, refund.Amount.Amount, fee.Amount.Amount));
        Assert.Equal(contract.ReleaseOf(1)!.PayoutAmount, release.Btc);
        Assert.Equal(contract.RefundOf(1)!.PayoutAmount, refund.Btc);
        Assert.Equal(Btc(0.0022m), release.Btc!.Value + refund.Btc!.Value + fee.Btc!.Value);
        Assert.Equal(Btc(0.0022m), Single(statement, StatementLineKind.Credited, 1).Btc);
    }

    [Fact]
    public void A_period_keeps_only_the_days_it_covers()
    {
        var contract = new ContractBuilder().WithMilestone(1m).WithMilestone(2m).Active();
        contract.Pay(contract.Invoice(1), 1m, at: Start);
        contract.Pay(contract.Invoice(2), 2m, at: Start.AddDays(3));
        var day = DateOnly.FromDateTime(Start.AddDays(3).UtcDateTime);

        var statement = StatementOf(contract, new StatementPeriod(day, day));

        Assert.NotEmpty(statement.Lines);
        Assert.All(statement.Lines, l => Assert.Equal(day, DateOnly.FromDateTime(l.At.UtcDateTime)));
        Assert.Equal(Btc(2m), Assert.Single(statement.Totals).Received);
    }

    [Fact]
    public void A_party_sees_pull_payments_only_on_lines_paid_to_them()
    {
        var contract = new ContractBuilder().In("USD").WithMilestone(100m).Active();
        contract.Fund(1);
        var id = contract.M(1).Id;
        contract.Submit(1, Start);
        contract.OpenDispute(id, PartyRole.Client, "Half of it is missing", Start);
        contract.EscalateDispute(id, Actor.Client, Start);
        contract.RuleOnDispute(id, 40m, "Partly delivered", Staff, Start);
        contract.MakeClaimable(contract.ReleaseOf(1)!);
        contract.MakeClaimable(contract.RefundOf(1)!);
        var statement = StatementOf(contract);

        var client = statement.ForParty(PartyRole.Client);
        var freelancer = statement.ForParty(PartyRole.Freelancer);

        Assert.Null(Single(client, StatementLineKind.Release).PullPaymentId);
        Assert.Equal(contract.RefundOf(1)!.PullPaymentId, Single(client, StatementLineKind.Refund).PullPaymentId);
        Assert.Equal(contract.ReleaseOf(1)!.PullPaymentId, Single(freelancer, StatementLineKind.Release).PullPaymentId);
        Assert.Null(Single(freelancer, StatementLineKind.Refund).PullPaymentId);
        Assert.Equal(statement.Totals, client.Totals);
    }

    [Fact]
    public void Entries_of_another_contract_make_no_lines()
    {
        var mine = new ContractBuilder().WithMilestone(1m).Active().Fund(1);
        var other = new ContractBuilder().Titled("Other").WithMilestone(1m).Active().Fund(1);

        var statement = Statement.Of(mine, mine.UnsavedAuditEntries.Concat(other.UnsavedAuditEntries));

        Assert.All(statement.Lines, l => Assert.Equal(mine.Id, l.ContractId));
        Assert.Equal(mine.Ledger.Received, Assert.Single(statement.Totals).Received);
    }
}
