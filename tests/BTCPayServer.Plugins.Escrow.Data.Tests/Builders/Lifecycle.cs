using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using Microsoft.Extensions.Time.Testing;

namespace BTCPayServer.Plugins.Escrow.Data.Tests.Builders;

/// <summary>
/// One contract's life touching every table: acceptance, an invoice for two milestones paid in one payment, a delivery
/// sent back and approved, a dispute with proposals and a ruling, payouts claimable, completed and failing.
/// Each step is one act (one unit of work), so the scenario can be saved step by step or all at once.
/// </summary>
internal sealed class Lifecycle(FakeTimeProvider clock)
{
    public string InvoiceId { get; } = Build.Unique("inv");
    public string PaymentId { get; } = Build.Unique("pay");
    public string PullPaymentId { get; } = Build.Unique("pp");
    private readonly string _events = Build.Unique("evt");

    public IReadOnlyList<Action<Contract>> Steps =>
    [
        c => Build.Activate(c, clock),
        c => Build.Invoice(c, clock, InvoiceId, 1, 2),
        c => c.ApplyPaymentEvent(Build.Received(c.Invoices[0], clock, $"{_events}-1", PaymentId, c.Invoices[0].Amount), clock.GetUtcNow()),
        c => c.ApplyPaymentEvent(Build.Settled(c.Invoices[0], clock, $"{_events}-2", PaymentId), clock.GetUtcNow()),
        c => c.SubmitDeliverable(M(c, 1), "First draft", ["https://files.example.com/draft-1", "https://figma.example.com/x"], [Build.FileHash('a')], clock.GetUtcNow()),
        // Same moment as the submission on purpose: the stored order must not depend on timestamps.
        c => c.RequestChanges(M(c, 1), "Please fix the header.", clock.GetUtcNow()),
        c => c.SubmitDeliverable(M(c, 1), "Second draft", ["https://files.example.com/draft-2"], [Build.FileHash('b'), Build.FileHash('c')], clock.GetUtcNow()),
        c => c.Approve(M(c, 1), clock.GetUtcNow()),
        c => c.OpenDispute(M(c, 2), PartyRole.Client, "The work is incomplete.", clock.GetUtcNow()),
        c => c.PostDisputeMessage(M(c, 2), Actor.Freelancer, "Most of it is there.", clock.GetUtcNow()),
        c => c.ProposeSplit(M(c, 2), PartyRole.Freelancer, 150m, "Three quarters", clock.GetUtcNow()),
        c => c.AnswerSplit(M(c, 2), c.Disputes[0].Proposals[0].Id, PartyRole.Client, accept: false, clock.GetUtcNow()),
        c => c.ProposeSplit(M(c, 2), PartyRole.Freelancer, 140m, "", clock.GetUtcNow()),
        c => c.EscalateDispute(M(c, 2), Build.Agency, clock.GetUtcNow()),
        c => c.RuleOnDispute(M(c, 2), 120.25m, "Partly delivered.", Build.Agency, clock.GetUtcNow()),
        c => c.MarkPayoutClaimable(Payout(c, 1, PayoutKind.Release).Id, PullPaymentId, $"https://pay.example.com/pp/{PullPaymentId}", clock.GetUtcNow()),
        c => c.ApplyPaymentEvent(new InboundPaymentEvent($"{_events}-3", InboundEventKind.PayoutCompleted, clock.GetUtcNow(), PullPaymentId: PullPaymentId, PayoutId: "payout-1"), clock.GetUtcNow()),
        c => c.RecordPayoutFailure(Payout(c, 2, PayoutKind.Refund).Id, "Gateway unavailable", clock.GetUtcNow()),
    ];

    /// <summary>Runs every step on one contract, advancing the clock between them (except where a step says not to).</summary>
    public void RunAll(Contract contract)
    {
        foreach (var (step, i) in Steps.Select((s, i) => (s, i)))
        {
            Tick(i);
            step(contract);
        }
    }

    public void Tick(int step)
    {
        if (step != 5)
            clock.Advance(TimeSpan.FromMinutes(7) + TimeSpan.FromMilliseconds(step));
    }

    public static Guid M(Contract c, int number) => c.Milestones.Single(m => m.Number == number).Id;

    public static PayoutInstruction Payout(Contract c, int milestone, PayoutKind kind) =>
        c.Payouts.Single(p => p.MilestoneId == M(c, milestone) && p.Kind == kind);
}
