using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;

namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

// The approval loop: submit, request changes, approve (or auto-approve), and the refunds of missed milestones.
public sealed partial class Contract
{
    public void SubmitDeliverable(Guid milestoneId, string? message, IEnumerable<string>? links, IEnumerable<string>? fileHashes, DateTimeOffset now)
    {
        var at = Moment(now);
        EnsureState("worked on", ContractState.Active);
        var milestone = Milestone(milestoneId);
        milestone.EnsureState("submitted", MilestoneState.Funded, MilestoneState.ChangesRequested);
        var submission = ReviewEntry.Submission(milestone.Id, message, links, fileHashes, at);
        milestone.Submit(submission, ReviewWindow);
        Record(at, Actor.Freelancer, "milestone.submitted", ("milestone", milestone.Number), ("reviewDeadline", milestone.ReviewDeadline),
            ("links", submission.Links.Count), ("fileHashes", string.Join(",", submission.FileHashes)));
    }

    public void RequestChanges(Guid milestoneId, string? message, DateTimeOffset now)
    {
        var at = Moment(now);
        EnsureState("reviewed", ContractState.Active);
        var milestone = Milestone(milestoneId);
        milestone.RequestChanges(ReviewEntry.ChangeRequest(milestone.Id, message, at));
        Record(at, Actor.Client, "milestone.changes-requested", ("milestone", milestone.Number));
    }

    /// <summary>The client approves: one release to the freelancer goes into the outbox.</summary>
    public void Approve(Guid milestoneId, DateTimeOffset now) => Approve(Milestone(milestoneId), Actor.Client, "milestone.approved", Moment(now));

    /// <summary>
    /// The client cancels a milestone whose due date passed without a delivery, and gets back what it holds.
    /// </summary>
    public void CancelMissedMilestone(Guid milestoneId, DateTimeOffset now)
    {
        var at = Moment(now);
        EnsureState("changed", ContractState.Active);
        var milestone = Milestone(milestoneId);
        milestone.EnsureState("cancelled for a missed due date", MilestoneState.Pending, MilestoneState.Funded);
        if (milestone.DeliveryDeadline is not { } deadline || at < deadline)
            throw new InvalidTransitionException("milestone.not-overdue",
                milestone.DueDate is { } due
                    ? $"Milestone {milestone.Number} is due on {due:yyyy-MM-dd}; it can be cancelled for a missed delivery only after that day."
                    : $"Milestone {milestone.Number} has no due date, so it cannot be cancelled for a missed delivery.");
        RefundMilestone(milestone, milestone.State == MilestoneState.Funded ? MilestoneState.Refunded : MilestoneState.Cancelled, Actor.Client, "due date missed", at);
        CompleteIfDone(at);
    }

    /// <summary>The outbox worker created the pull payment for an instruction.</summary>
    public void MarkPayoutClaimable(Guid instructionId, string pullPaymentId, string claimLink, DateTimeOffset now)
    {
        var at = Moment(now);
        var instruction = Payout(instructionId);
        if (instruction.Status != PayoutStatus.Queued)
            return;
        if (string.IsNullOrWhiteSpace(pullPaymentId) || string.IsNullOrWhiteSpace(claimLink))
            throw new EscrowException("payout.gateway-reply", "The payment gateway returned no pull payment id or claim link.");
        instruction.MarkClaimable(pullPaymentId, claimLink, at);
        Record(at, Actor.PayoutWorker, "payout.claimable", ("payout", instruction.Key), ("pullPaymentId", pullPaymentId), ("amount", instruction.PayoutAmount));
        if (instruction is { Kind: PayoutKind.Release, MilestoneId: { } milestoneId } && Milestone(milestoneId).State == MilestoneState.Approved)
            Release(Milestone(milestoneId), at);
    }

    public void RecordPayoutFailure(Guid instructionId, string error, DateTimeOffset now) =>
        Payout(instructionId).RecordFailure(error, Moment(now));

    public PayoutInstruction Payout(Guid instructionId) =>
        _payouts.FirstOrDefault(p => p.Id == instructionId) ?? throw new NotFoundException("That payout");

    private void CompletePayout(Funding.InboundPaymentEvent e, DateTimeOffset at)
    {
        // Without an id the lookup would match any instruction that has no pull payment yet, i.e. one never paid.
        if (string.IsNullOrWhiteSpace(e.PullPaymentId))
            throw new InvalidInputException("pullPaymentId", "A payout event needs the id of its pull payment.");
        var instruction = _payouts.FirstOrDefault(p => p.PullPaymentId == e.PullPaymentId)
            ?? throw new NotFoundException($"Pull payment {e.PullPaymentId} of this contract");
        if (instruction.MarkCompleted(at))
            Record(at, Actor.PaymentProvider, "payout.completed", ("payout", instruction.Key), ("pullPaymentId", e.PullPaymentId), ("payoutId", e.PayoutId));
    }

    private void Approve(Milestone milestone, Actor by, string auditType, DateTimeOffset at)
    {
        EnsureState("reviewed", ContractState.Active);
        milestone.MoveTo(MilestoneState.Approved, "approved", at);
        milestone.StopReviewClock();
        Record(at, by, auditType, ("milestone", milestone.Number));
        Decide(milestone, milestone.Amount, by, at);
        if (!_payouts.Any(p => p.MilestoneId == milestone.Id && p.Kind == PayoutKind.Release && p.Status == PayoutStatus.Queued))
            Release(milestone, at); // nothing to pay out (the fee took it all, or no BTC came for it): released at once
        CompleteIfDone(at);
    }

    private void Release(Milestone milestone, DateTimeOffset at)
    {
        milestone.MoveTo(MilestoneState.Released, "released", at);
        Record(at, Actor.PayoutWorker, "milestone.released", ("milestone", milestone.Number));
        CompleteIfDone(at);
    }

    /// <summary>One decision on a milestone: divide what it holds and queue at most one payout per recipient.</summary>
    private Settlement Decide(Milestone milestone, Money freelancerShare, Actor by, DateTimeOffset at)
    {
        var settlement = SettlementCalculator.Settle(milestone, freelancerShare, Fee, Fx);
        milestone.RecordPaidOut(settlement.ReleaseNet, settlement.Fee, settlement.Refund);
        if (settlement.ReleaseNet.IsPositive)
            Queue($"{Id:N}/milestone/{milestone.Id:N}/release", milestone.Id, PayoutKind.Release, PartyRole.Freelancer,
                settlement.ReleaseNet, settlement.ReleasePayout, PayoutTitle(milestone, "release"), at);
        if (settlement.Refund.IsPositive)
            Queue($"{Id:N}/milestone/{milestone.Id:N}/refund", milestone.Id, PayoutKind.Refund, PartyRole.Client,
                settlement.Refund, settlement.RefundPayout, PayoutTitle(milestone, "refund"), at);
        Record(at, by, "milestone.settled", ("milestone", milestone.Number), ("release", settlement.ReleaseNet), ("fee", settlement.Fee),
            ("refund", settlement.Refund), ("releasePayout", settlement.ReleasePayout), ("refundPayout", settlement.RefundPayout), ("feeKept", settlement.FeeKept));
        return settlement;
    }

    private void RefundMilestone(Milestone milestone, MilestoneState end, Actor by, string why, DateTimeOffset at)
    {
        milestone.MoveTo(end, end == MilestoneState.Refunded ? "refunded" : "cancelled", at);
        Record(at, by, end == MilestoneState.Refunded ? "milestone.refunded" : "milestone.cancelled", ("milestone", milestone.Number), ("reason", why));
        if (!milestone.Held.IsPositive)
            return;
        var settlement = SettlementCalculator.RefundAll(milestone, Fx);
        milestone.RecordPaidOut(settlement.ReleaseNet, settlement.Fee, settlement.Refund);
        Queue($"{Id:N}/milestone/{milestone.Id:N}/refund", milestone.Id, PayoutKind.Refund, PartyRole.Client,
            settlement.Refund, settlement.RefundPayout, PayoutTitle(milestone, "refund"), at);
    }

    /// <summary>What the recipient reads on the claim page: "Website redesign — milestone 1: Wireframes (release)".</summary>
    private string PayoutTitle(Milestone milestone, string what) => $"{Title} — milestone {milestone.Number}: {milestone.Title} ({what})";

    private PayoutInstruction Queue(string key, Guid? milestoneId, PayoutKind kind, PartyRole recipient, Money amount, Money payoutAmount, string description, DateTimeOffset at, string? sourceInvoiceId = null)
    {
        if (_payouts.Any(p => p.Key == key))
            throw new EscrowException("payout.duplicate", "This decision was already paid out; it cannot pay twice.");
        if (kind == PayoutKind.Refund)
            sourceInvoiceId ??= LastFundingInvoice(milestoneId);
        var instruction = new PayoutInstruction(Id, key, milestoneId, kind, recipient, amount, payoutAmount,
            description.Length > 200 ? description[..200] : description, sourceInvoiceId, at);
        _payouts.Add(instruction);
        Record(at, Actor.PayoutWorker with { Id = "outbox" }, "payout.queued", ("payout", key), ("recipient", recipient), ("amount", amount), ("payoutAmount", payoutAmount));
        if (!payoutAmount.IsPositive)
        {
            // A BTC-locked share worth no satoshi (or paid in a coin that is not BTC): there is nothing a pull payment
            // could send, so the instruction is done at once and the audit log says so, instead of failing at the gateway forever.
            instruction.MarkCompleted(at);
            Record(at, Actor.PayoutWorker with { Id = "outbox" }, "payout.nothing-to-send", ("payout", key), ("amount", amount), ("payoutAmount", payoutAmount));
        }
        return instruction;
    }

    /// <summary>The invoice that last brought money to a milestone (or, for null, to the credit).</summary>
    private string? LastFundingInvoice(Guid? milestoneId)
    {
        var allocation = _allocations.LastOrDefault(a => a.MilestoneId == milestoneId && !a.Reversed);
        return allocation is null ? null : _payments.FirstOrDefault(p => p.PaymentId == allocation.PaymentId)?.InvoiceId;
    }

    private void CompleteIfDone(DateTimeOffset at)
    {
        if (State != ContractState.Active || _milestones.Any(m => !m.IsFinal))
            return;
        MoveTo(ContractState.Completed, "completed", at);
        Record(at, Actor.Timer with { Id = "completion" }, "contract.completed", ("ledger", Ledger.Summary()));
        RefundCredit(Actor.Timer with { Id = "completion" }, at);
    }
}
