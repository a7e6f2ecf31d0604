using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.NonCustodial;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Models;

/// <summary>
/// One milestone's money as a party reads it. The client's fee is paid on top of the amount and is never counted as
/// funding of the amount; a freelancer-side fee comes out of what the freelancer receives.
/// </summary>
public sealed record MilestoneMoney(
    Money Amount,
    Money Fee,
    FeePayer FeePaidBy,
    Money ClientPays,
    Money FreelancerReceives,
    Money FundedAmount,
    Money FundedFee,
    Money StillToPay,
    Money HeldLate,
    Money ReleasedToFreelancer,
    Money RefundedToClient,
    Money InEscrow)
{
    public bool HasFee => Fee.IsPositive;

    public static MilestoneMoney Of(Contract contract, Milestone m)
    {
        var zero = Money.Zero(m.Amount.Currency);
        var freelancerFee = contract.Fee.ChargedTo == FeePayer.Freelancer ? contract.Fee.FeeOn(m.Amount) : zero;
        var fee = m.ClientFee + freelancerFee;
        // The amount is funded first: a partial payment covers the freelancer's money before the agency's fee.
        var fundedAmount = Money.Min(m.Funded, m.Amount);
        var fundedFee = Money.Min(m.Funded - fundedAmount, m.ClientFee);
        var late = HeldLateFor(contract, m);
        // Money held for the agency's decision is not asked for again.
        var stillToPay = Money.Max(m.Outstanding - late, zero);
        return new MilestoneMoney(
            m.Amount, fee, contract.Fee.ChargedTo, m.Required, m.Amount - freelancerFee, fundedAmount, fundedFee,
            stillToPay, late, m.ReleasedToFreelancer, m.RefundedToClient, m.Held);
    }

    /// <summary>Payments that arrived after their invoice expired and wait for the agency; shared by the milestones of that invoice.</summary>
    public static IReadOnlyList<(LedgerPayment Payment, IReadOnlyList<int> Milestones)> LatePayments(Contract contract) =>
        contract.Payments.Where(p => p.Status == PaymentStatus.AwaitingAcceptance)
            .Select(p => (p, (IReadOnlyList<int>)(contract.Invoices.FirstOrDefault(i => i.InvoiceId == p.InvoiceId)?.MilestoneIds ?? [])
                .Select(id => contract.Milestones.FirstOrDefault(m => m.Id == id)?.Number ?? 0).Where(n => n > 0).Order().ToList()))
            .ToList();

    /// <summary>Late money waiting for the agency on the invoice(s) this milestone was part of.</summary>
    public static Money HeldLateFor(Contract contract, Milestone m)
    {
        var invoices = contract.Invoices.Where(i => i.MilestoneIds.Contains(m.Id)).Select(i => i.InvoiceId).ToHashSet();
        return contract.Payments.Where(p => p.Status == PaymentStatus.AwaitingAcceptance && invoices.Contains(p.InvoiceId))
            .Aggregate(Money.Zero(m.Amount.Currency), (sum, p) => sum + p.Credited);
    }
}

/// <summary>
/// The contract's money for one party: what the escrow holds now, what it paid out to this party, and what this party
/// paid in. <see cref="BeingPaidOut"/> is non-custodial money decided but still at the escrow address (its transaction
/// not yet signed, sent or confirmed): the ledger no longer counts it as held, yet it has not left the escrow.
/// </summary>
public sealed record PartyTotals(Money InEscrow, Money PaidToYou, Money RefundedToYou, Money YouPaid, Money HeldLate)
{
    public Money BeingPaidOut { get; init; } = Money.Zero(InEscrow.Currency);
    public IReadOnlyList<(EscrowSpendRecord Spend, Money AtEscrow)> Unconfirmed { get; init; } = [];
    /// <summary>What the escrow addresses (or, custodial, the store's wallet) still hold for this contract.</summary>
    public Money StillInEscrow => InEscrow + BeingPaidOut;

    public static PartyTotals Of(Contract contract, PartyRole role)
    {
        var zero = Money.Zero(contract.Currency);
        Money Sum(IEnumerable<Money> amounts) => amounts.Aggregate(zero, (s, a) => s + a);
        var unconfirmed = contract.Currency == "BTC"
            ? EscrowFigures.Unconfirmed(contract).Select(s => (Spend: s, AtEscrow: EscrowFigures.Money(EscrowSpendBreakdown.Of(contract, s).InputSats))).ToList()
            : [];
        // A non-custodial payout is paid once its transaction confirms, not when it is decided.
        var notYetPaid = unconfirmed.SelectMany(u => u.Spend.PayoutIds).ToHashSet();
        var mine = contract.Payouts.Where(p => p.Recipient == role && !notYetPaid.Contains(p.Id)).ToList();
        return new PartyTotals(
            EscrowLedger.HeldByParts(contract),
            Sum(mine.Where(p => p.Kind == PayoutKind.Release).Select(p => p.Amount)),
            Sum(mine.Where(p => p.Kind == PayoutKind.Refund).Select(p => p.Amount)),
            Sum(contract.Payments.Where(p => p.Status is PaymentStatus.Counted or PaymentStatus.Refunded).Select(p => p.Credited)),
            Sum(contract.Payments.Where(p => p.Status == PaymentStatus.AwaitingAcceptance).Select(p => p.Credited)))
        {
            Unconfirmed = unconfirmed,
            BeingPaidOut = Sum(unconfirmed.Select(u => u.AtEscrow)),
        };
    }
}
