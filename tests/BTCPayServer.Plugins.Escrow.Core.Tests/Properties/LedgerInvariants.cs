using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Core.Statements;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Properties;

/// <summary>
/// The money rules of DESIGN.md and README's money rules, checked after every step of one simulated contract.
/// Throws with the rule that broke. Stateful: it remembers closed milestones' figures to check they never change.
/// </summary>
public sealed class LedgerInvariants
{
    private readonly Dictionary<Guid, string> _closedFigures = [];

    public void Check(Contract contract, bool verifyAuditChain = false)
    {
        var zero = Money.Zero(contract.Currency);
        var btcZero = Money.Zero("BTC");
        foreach (var m in contract.Milestones)
        {
            var paidOut = m.ReleasedToFreelancer + m.FeesRetained + m.RefundedToClient;
            Ensure(paidOut <= m.Funded, $"milestone {m.Number}: released + fees + refunded {paidOut} > funded {m.Funded}");
            Ensure(m.Funded <= m.Required, $"milestone {m.Number}: funded {m.Funded} beyond required {m.Required} (overpayment must become credit)");
            Ensure(m.Funded.Amount >= 0 && m.FundedBtc.Amount >= 0, $"milestone {m.Number}: negative funding");
            var releases = contract.Payouts.Where(p => p.MilestoneId == m.Id && p.Kind == PayoutKind.Release).ToList();
            var refunds = contract.Payouts.Where(p => p.MilestoneId == m.Id && p.Kind == PayoutKind.Refund).ToList();
            Ensure(releases.Count <= 1 && refunds.Count <= 1, $"milestone {m.Number}: {releases.Count} releases and {refunds.Count} refunds for one decision");
            Ensure(releases.Aggregate(zero, (s, p) => s + p.Amount) == m.ReleasedToFreelancer, $"milestone {m.Number}: release instruction differs from the ledger");
            Ensure(refunds.Aggregate(zero, (s, p) => s + p.Amount) == m.RefundedToClient, $"milestone {m.Number}: refund instruction differs from the ledger");
            var allocated = contract.Allocations.Where(a => a.MilestoneId == m.Id && !a.Reversed).ToList();
            Ensure(allocated.Aggregate(zero, (s, a) => s + a.Amount) == m.Funded && allocated.Aggregate(btcZero, (s, a) => s + a.Btc) == m.FundedBtc,
                $"milestone {m.Number}: funded {m.Funded} / {m.FundedBtc} is not what the payments allocated to it brought");
            if (contract.Fx == FxPolicy.BtcLocked)
            {
                var btcOut = releases.Concat(refunds).Aggregate(btcZero, (s, p) => s + p.PayoutAmount);
                Ensure(btcOut <= m.FundedBtc, $"milestone {m.Number}: pays {btcOut} but received {m.FundedBtc}");
            }
            if (m.IsFinal && m.State != MilestoneState.Cancelled)
                Ensure(m.Held.IsZero, $"milestone {m.Number} is {m.State} but still holds {m.Held}");
            CheckClosedFiguresNeverChange(m);
        }
        CheckCredit(contract);
        CheckBtcLockedPayouts(contract);
        var ledger = contract.Ledger;
        Ensure(ledger.Balance.Amount >= 0, $"ledger balance negative: {ledger.Summary()}");
        Ensure(ledger.Balance == EscrowLedger.HeldByParts(contract), $"ledger balance {ledger.Balance} != held by milestones and credit {EscrowLedger.HeldByParts(contract)}");
        Ensure(contract.Payouts.Select(p => p.Key).Distinct().Count() == contract.Payouts.Count, "two payout instructions share a key");
        Ensure(contract.Payouts.All(p => p.Amount.IsPositive), "a payout instruction of zero");
        var counted = contract.Payments.Where(p => p.Status == PaymentStatus.Counted).Aggregate(zero, (s, p) => s + p.Credited);
        Ensure(ledger.Received <= counted + contract.Payments.Where(p => p.Status == PaymentStatus.Invalidated).Aggregate(zero, (s, p) => s + p.Credited),
            "the ledger received more than the gateway reported");
        foreach (var payment in contract.Payments)
        {
            var kept = contract.Allocations.Where(a => a.PaymentId == payment.PaymentId && !a.Reversed).ToList();
            Ensure(kept.Aggregate(zero, (s, a) => s + a.Amount) <= payment.Credited && kept.Aggregate(btcZero, (s, a) => s + a.Btc) <= payment.Btc,
                $"payment {payment.PaymentId} is allocated beyond what it brought");
            if (payment.Status == PaymentStatus.Counted)
                Ensure(kept.Aggregate(zero, (s, a) => s + a.Amount) == payment.Credited, $"counted payment {payment.PaymentId} is not allocated in full");
        }
        if (contract.State is ContractState.Completed or ContractState.Cancelled)
            Ensure(contract.Credit.IsZero, $"closed contract still holds credit {contract.Credit}");
        Ensure(contract.UnsavedAuditEntries.Count == contract.AuditCount && contract.UnsavedAuditEntries[^1].Hash == contract.AuditHeadHash,
            "the audit head is not the last entry");
        if (verifyAuditChain)
        {
            var verification = AuditChain.Verify(contract.UnsavedAuditEntries);
            Ensure(verification.IsValid && verification.EntryCount == contract.AuditCount, $"audit chain broken: {verification.Problem}");
            CheckStatement(contract, ledger);
        }
    }

    /// <summary>The statement made from the audit log adds up to the ledger made from the contract's figures.</summary>
    private static void CheckStatement(Contract contract, EscrowLedger ledger)
    {
        var statement = Statement.Of(contract, contract.UnsavedAuditEntries);
        var totals = statement.Totals.SingleOrDefault() ?? new StatementTotals(contract.Currency, Money.Zero(contract.Currency),
            Money.Zero(contract.Currency), Money.Zero(contract.Currency), Money.Zero(contract.Currency));
        Ensure(totals.Received == ledger.Received && totals.Released == ledger.ReleasedToFreelancer && totals.Fees == ledger.FeesRetained
                && totals.Refunded == ledger.RefundedToClient && totals.BalanceChange == ledger.Balance,
            $"statement totals (received {totals.Received}, released {totals.Released}, fees {totals.Fees}, refunded {totals.Refunded}) differ from the ledger: {ledger.Summary()}");
        var payouts = statement.Lines.Where(l => l.Kind is StatementLineKind.Release or StatementLineKind.Refund or StatementLineKind.CreditRefunded or StatementLineKind.LatePaymentRefunded).ToList();
        Ensure(payouts.Count == contract.Payouts.Count, $"the statement lists {payouts.Count} payouts, the contract has {contract.Payouts.Count}");
    }

    /// <summary>
    /// Credit is what the payments' held credit allocations hold, in fiat and BTC together, and none is held between
    /// acts: on an active roll-forward contract whatever no waiting milestone took went back to the client at once (every
    /// other contract refunds it anyway). Every credit refund instruction pays exactly the credit it marked refunded.
    /// </summary>
    private static void CheckCredit(Contract contract)
    {
        var held = contract.Allocations.Where(a => a.IsHeldCredit).ToList();
        Ensure(contract.Credit.Amount >= 0 && contract.CreditBtc.Amount >= 0, $"credit negative: {contract.Credit} / {contract.CreditBtc}");
        Ensure(held.Aggregate(Money.Zero(contract.Currency), (s, a) => s + a.Amount) == contract.Credit
               && held.Aggregate(Money.Zero("BTC"), (s, a) => s + a.Btc) == contract.CreditBtc,
            "the contract's credit is not the sum of its payments' credit");
        Ensure(contract.Credit.IsZero == contract.CreditBtc.IsZero, $"credit of {contract.Credit} holds {contract.CreditBtc}");
        var waiting = contract.Milestones.FirstOrDefault(m => m.State == MilestoneState.Pending);
        Ensure(contract.Credit.IsZero && contract.CreditBtc.IsZero,
            $"credit {contract.Credit} / {contract.CreditBtc} held on a {contract.State} contract ({contract.Overpayment}) " +
            (waiting is null ? "with no milestone waiting: it should have gone back at once" : $"while milestone {waiting.Number} waits for {waiting.Outstanding}"));
        var refunded = contract.Allocations.Where(a => a.IsCredit && a.Refunded).ToList();
        var creditPayouts = contract.Payouts.Where(p => p.MilestoneId is null && p.Key.Contains("/credit/")).ToList();
        Ensure(refunded.Aggregate(Money.Zero(contract.Currency), (s, a) => s + a.Amount) == creditPayouts.Aggregate(Money.Zero(contract.Currency), (s, p) => s + p.Amount),
            "credit refund instructions differ from the credit marked refunded");
        if (contract.Fx == FxPolicy.BtcLocked)
            Ensure(refunded.Aggregate(Money.Zero("BTC"), (s, a) => s + a.Btc) == creditPayouts.Aggregate(Money.Zero("BTC"), (s, p) => s + p.PayoutAmount),
                "a BTC-locked credit refund does not pay the BTC its credit holds");
    }

    /// <summary>BTC-locked: only BTC goes out, and never more than the payments still counted brought (plus what was decided before an invalidation).</summary>
    private static void CheckBtcLockedPayouts(Contract contract)
    {
        if (contract.Fx != FxPolicy.BtcLocked)
            return;
        Ensure(contract.Payouts.All(p => p.PayoutAmount.Currency == "BTC"), "a BTC-locked contract pays a fiat amount");
        var btcZero = Money.Zero("BTC");
        var paid = contract.Payouts.Aggregate(btcZero, (s, p) => s + p.PayoutAmount);
        var valid = contract.Payments.Where(p => p.Status is PaymentStatus.Counted or PaymentStatus.Refunded).Aggregate(btcZero, (s, p) => s + p.Btc);
        // An invalidation cannot take back what was already paid out or put to work: the ledger flags it for the agency.
        var usedBeforeInvalidation = contract.Payments.Where(p => p.Status == PaymentStatus.Invalidated)
            .SelectMany(p => contract.Allocations.Where(a => a.PaymentId == p.PaymentId && !a.Reversed))
            .Aggregate(btcZero, (s, a) => s + a.Btc);
        Ensure(paid <= valid + usedBeforeInvalidation, $"paid out {paid} but valid payments brought {valid} (+ {usedBeforeInvalidation} used before an invalidation)");
    }

    private void CheckClosedFiguresNeverChange(Milestone m)
    {
        if (!m.IsFinal)
            return;
        var figures = $"{m.State}|{m.Amount}|{m.ClientFee}|{m.Funded}|{m.FundedBtc}|{m.ReleasedToFreelancer}|{m.FeesRetained}|{m.RefundedToClient}";
        if (_closedFigures.TryGetValue(m.Id, out var before))
            Ensure(before == figures, $"closed milestone {m.Number} changed: {before} -> {figures}");
        else
            _closedFigures[m.Id] = figures;
    }

    private static void Ensure(bool condition, string rule)
    {
        if (!condition)
            throw new InvalidOperationException("Invariant broken: " + rule);
    }
}
