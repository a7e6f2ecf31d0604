using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>
/// One milestone's money as the staff pages explain it. A client-paid fee is funded with the amount but is never
/// counted as funding the amount: <see cref="FundedAmount"/> stops at the amount, the rest is <see cref="FundedFee"/>.
/// </summary>
/// <param name="Fee">The agency's fee on this milestone; paid by <see cref="FeePayer"/> (on top for the client, deducted for the freelancer).</param>
/// <param name="FreelancerReceives">What the freelancer is paid when the milestone is released in full.</param>
/// <param name="LateHeld">Late payments on an invoice for this milestone, held until the agency accepts or refunds them.</param>
/// <param name="LateSharedWith">Other milestones the late payments' invoices were for (their amount is not split).</param>
public sealed record MilestoneFigures(
    Money Amount, Money Fee, FeePayer FeePayer, Money FreelancerReceives, Money FundedAmount, Money FundedFee,
    Money LateHeld, IReadOnlyList<int> LateSharedWith, Money Released, Money FeesRetained, Money Refunded, Money Held)
{
    public static MilestoneFigures Of(Contract contract, Milestone milestone)
    {
        var currency = milestone.Amount.Currency;
        var zero = Money.Zero(currency);
        var byClient = contract.Fee.ChargedTo == FeePayer.Client;
        var fee = byClient ? milestone.ClientFee : contract.Fee.FeeOn(milestone.Amount);
        var fundedAmount = Money.Min(milestone.Funded, milestone.Amount);
        var lateInvoices = contract.Invoices.Where(i => i.MilestoneIds.Contains(milestone.Id)).GroupBy(i => i.InvoiceId).ToDictionary(g => g.Key, g => g.First());
        var late = contract.Payments.Where(p => p.Status == PaymentStatus.AwaitingAcceptance && lateInvoices.ContainsKey(p.InvoiceId)).ToList();
        var shared = late.SelectMany(p => lateInvoices[p.InvoiceId].MilestoneIds).Where(id => id != milestone.Id).Distinct()
            .Select(id => contract.Milestones.FirstOrDefault(m => m.Id == id)?.Number).OfType<int>().Order().ToList();
        return new MilestoneFigures(
            milestone.Amount, fee, contract.Fee.ChargedTo, byClient ? milestone.Amount : milestone.Amount - fee,
            fundedAmount, milestone.Funded - fundedAmount,
            late.Aggregate(zero, (sum, p) => sum + p.Credited), shared,
            milestone.ReleasedToFreelancer, milestone.FeesRetained, milestone.RefundedToClient, milestone.Held);
    }

    /// <summary>Who pays the fee, in words: "paid by the client on top" or "deducted from the freelancer's payment".</summary>
    public string FeeWords => FeePayer == FeePayer.Client ? "paid by the client on top" : "deducted from the freelancer's payment";
}
