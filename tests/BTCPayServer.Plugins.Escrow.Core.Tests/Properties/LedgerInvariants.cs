using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Payouts;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Properties;

/// <summary>The money rules of DESIGN.md, checked after every step of a simulation. Throws with the rule that broke.</summary>
public static class LedgerInvariants
{
    public static void Check(Contract contract)
    {
        var zero = Money.Zero(contract.Currency);
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
            if (contract.Fx == FxPolicy.BtcLocked)
            {
                var btcOut = releases.Concat(refunds).Where(p => p.PayoutAmount.Currency == "BTC").Aggregate(Money.Zero("BTC"), (s, p) => s + p.PayoutAmount);
                Ensure(btcOut <= m.FundedBtc, $"milestone {m.Number}: pays {btcOut} but received {m.FundedBtc}");
            }
            if (m.IsFinal && m.State != Milestones.MilestoneState.Cancelled)
                Ensure(m.Held.IsZero, $"milestone {m.Number} is {m.State} but still holds {m.Held}");
        }
        var ledger = contract.Ledger;
        Ensure(ledger.Balance.Amount >= 0, $"ledger balance negative: {ledger.Summary()}");
        Ensure(contract.Credit.Amount >= 0, $"credit negative: {contract.Credit}");
        Ensure(ledger.Balance == EscrowLedger.HeldByParts(contract), $"ledger balance {ledger.Balance} != held by milestones and credit {EscrowLedger.HeldByParts(contract)}");
        Ensure(contract.Payouts.Select(p => p.Key).Distinct().Count() == contract.Payouts.Count, "two payout instructions share a key");
        Ensure(contract.Payouts.All(p => p.Amount.IsPositive), "a payout instruction of zero");
        var counted = contract.Payments.Where(p => p.Status == PaymentStatus.Counted).Aggregate(zero, (s, p) => s + p.Credited);
        Ensure(ledger.Received <= counted + contract.Payments.Where(p => p.Status == PaymentStatus.Invalidated).Aggregate(zero, (s, p) => s + p.Credited),
            "the ledger received more than the gateway reported");
        if (contract.State is ContractState.Completed or ContractState.Cancelled)
            Ensure(contract.Credit.IsZero, $"closed contract still holds credit {contract.Credit}");
        var verification = AuditChain.Verify(contract.UnsavedAuditEntries);
        Ensure(verification.IsValid && verification.EntryCount == contract.AuditCount, $"audit chain broken: {verification.Problem}");
    }

    private static void Ensure(bool condition, string rule)
    {
        if (!condition)
            throw new InvalidOperationException("Invariant broken: " + rule);
    }
}
