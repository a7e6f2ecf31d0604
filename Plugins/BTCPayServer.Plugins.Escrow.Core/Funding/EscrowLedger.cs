using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Payouts;

namespace BTCPayServer.Plugins.Escrow.Core.Funding;

/// <summary>
/// The contract's money in one view. BTCPay pull payments reserve nothing, so this is the only record of what the
/// escrow owes. <see cref="Balance"/> = received − released − fees − refunded, and must never be negative.
/// </summary>
public sealed record EscrowLedger(
    Money Received,
    Money Funded,
    Money ReleasedToFreelancer,
    Money FeesRetained,
    Money RefundedToClient,
    Money Credit,
    Money AwaitingAcceptance,
    Money Balance)
{
    public static EscrowLedger Of(Contract contract)
    {
        var zero = Money.Zero(contract.Currency);
        Money Sum(IEnumerable<Money> values) => values.Aggregate(zero, (a, b) => a + b);
        var received = Sum(contract.Allocations.Where(a => !a.Reversed).Select(a => a.Amount));
        var released = Sum(contract.Milestones.Select(m => m.ReleasedToFreelancer));
        var fees = Sum(contract.Milestones.Select(m => m.FeesRetained));
        var creditRefunds = Sum(contract.Payouts.Where(p => p.MilestoneId is null && p.Key.Contains("/credit/")).Select(p => p.Amount));
        var refunded = Sum(contract.Milestones.Select(m => m.RefundedToClient)) + creditRefunds;
        return new EscrowLedger(
            received,
            Sum(contract.Milestones.Select(m => m.Funded)),
            released,
            fees,
            refunded,
            contract.Credit,
            Sum(contract.Payments.Where(p => p.Status == PaymentStatus.AwaitingAcceptance).Select(p => p.Credited)),
            received - released - fees - refunded);
    }

    /// <summary>What the escrow should hold by its parts: every milestone's unpaid funding plus the credit.</summary>
    public static Money HeldByParts(Contract contract) =>
        contract.Milestones.Aggregate(contract.Credit, (sum, m) => sum + m.Held);

    public string Summary() =>
        $"received {Received}, released {ReleasedToFreelancer}, fees {FeesRetained}, refunded {RefundedToClient}, balance {Balance}";
}
