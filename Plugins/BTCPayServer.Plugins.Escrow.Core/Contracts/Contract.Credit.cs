using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;

namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

// Credit: what payments brought beyond their milestones. Each payment's credit is its own allocation (fiat and BTC
// together), so rolling it forward, refunding it or taking it back after an invalidation moves exact figures.
public sealed partial class Contract
{
    /// <summary>Overpayment: kept as this payment's credit, then rolled forward or refunded per the terms.</summary>
    private void AddCredit(string paymentId, Money amount, Money btc, DateTimeOffset at)
    {
        _allocations.Add(new Allocation(Id, paymentId, null, amount, btc));
        RefreshCredit();
        Record(at, Actor.PaymentProvider, "credit.added", ("source", paymentId), ("amount", amount), ("btc", btc), ("credit", Credit));
        SettleCredit(Actor.PaymentProvider, at);
    }

    /// <summary>
    /// Puts held credit where the terms say, whenever that may have changed: into milestones waiting for funding
    /// (roll forward, active contract), and whatever no milestone waits for goes back to the client at once. So no
    /// credit is ever held between acts: overpaying the last milestone (or any milestone with nothing left to roll
    /// into) refunds the excess now rather than at completion; a milestone an amendment adds later is funded anew.
    /// </summary>
    private void SettleCredit(Actor by, DateTimeOffset at)
    {
        if (State == ContractState.Active && Overpayment == OverpaymentHandling.RollForward)
            ApplyCredit(by, at);
        RefundCredit(by, at);
    }

    /// <summary>Rolls held credit into waiting milestones, oldest credit first; each part keeps its payment and its BTC.</summary>
    private void ApplyCredit(Actor by, DateTimeOffset at)
    {
        foreach (var milestone in _milestones.Where(m => m.State == MilestoneState.Pending).OrderBy(m => m.Number))
        {
            foreach (var credit in _allocations.Where(a => a.IsHeldCredit && a.Amount.IsPositive).ToList())
            {
                var part = Money.Min(milestone.Outstanding, credit.Amount);
                if (!part.IsPositive)
                    break;
                var btc = credit.TakeCredit(part);
                RefreshCredit();
                Allocate(credit.PaymentId, milestone, part, btc, by, "credit.applied", at);
            }
        }
    }

    /// <summary>Sends all held credit back to the client: a BTC-locked contract pays exactly the BTC that credit holds.</summary>
    private void RefundCredit(Actor by, DateTimeOffset at)
    {
        var held = _allocations.Where(a => a.IsHeldCredit && a.Amount.IsPositive).ToList();
        if (held.Count == 0)
            return;
        var amount = held.Aggregate(Money.Zero(Currency), (sum, a) => sum + a.Amount);
        var btc = held.Aggregate(Money.Zero("BTC"), (sum, a) => sum + a.Btc);
        var value = Fx == FxPolicy.BtcLocked ? btc : amount;
        var source = _payments.FirstOrDefault(p => p.PaymentId == held[^1].PaymentId)?.InvoiceId;
        foreach (var credit in held)
            credit.MarkRefunded();
        RefreshCredit();
        var sequence = _payouts.Count(p => p.MilestoneId is null && p.Key.Contains("/credit/")) + 1;
        Queue($"{Id:N}/credit/{sequence}/refund", null, PayoutKind.Refund, PartyRole.Client, amount, value, $"{Title}: refund of credit", at, source);
        Record(at, by, "credit.refunded", ("amount", amount), ("btc", btc), ("payout", value));
    }

    /// <summary>The contract's credit figures are the sum of the credit each payment still has held.</summary>
    private void RefreshCredit()
    {
        var held = _allocations.Where(a => a.IsHeldCredit).ToList();
        Credit = held.Aggregate(Money.Zero(Currency), (sum, a) => sum + a.Amount);
        CreditBtc = held.Aggregate(Money.Zero("BTC"), (sum, a) => sum + a.Btc);
    }
}
