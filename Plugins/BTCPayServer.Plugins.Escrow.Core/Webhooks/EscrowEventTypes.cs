namespace BTCPayServer.Plugins.Escrow.Core.Webhooks;

/// <summary>
/// The escrow's webhook event types, each named after the audit entries that cause it. Bookkeeping entries (invoice
/// created, payout queued, refused attempts) are not events: a receiver learns what changed, not how it was recorded.
/// </summary>
public static class EscrowEventTypes
{
    private static readonly (string Type, string Description, string[] AuditTypes)[] Table =
    [
        ("EscrowContractProposed", "Terms sent to both parties for acceptance", ["contract.proposed"]),
        ("EscrowTermsChanged", "A new version of the terms waits for acceptance", ["terms.changed", "terms.amendment-offered"]),
        ("EscrowTermsAccepted", "A party accepted the terms", ["terms.accepted"]),
        ("EscrowContractActivated", "Both parties accepted; the contract is active", ["contract.activated"]),
        ("EscrowContractWithdrawn", "The agency withdrew the proposal", ["contract.withdrawn"]),
        ("EscrowPaymentReceived", "A funding payment was received", ["payment.received"]),
        ("EscrowMilestoneFunded", "A milestone is fully funded", ["milestone.funded"]),
        ("EscrowMilestoneSubmitted", "The freelancer delivered a milestone", ["milestone.submitted"]),
        ("EscrowMilestoneChangesRequested", "The client asked for changes", ["milestone.changes-requested"]),
        ("EscrowMilestoneApproved", "A milestone was approved (by the client or by the review window ending)", ["milestone.approved", "milestone.auto-approved"]),
        ("EscrowMilestoneOverdue", "A milestone passed its due date undelivered", ["milestone.overdue"]),
        ("EscrowMilestoneReleased", "A milestone's release was decided", ["milestone.released"]),
        ("EscrowMilestoneRefunded", "A funded milestone is refunded to the client", ["milestone.refunded"]),
        ("EscrowMilestoneCancelled", "An unfunded milestone was cancelled", ["milestone.cancelled"]),
        ("EscrowDisputeOpened", "A party opened a dispute", ["dispute.opened"]),
        ("EscrowDisputeSplitProposed", "A party proposed a split", ["dispute.split-proposed"]),
        ("EscrowDisputeEscalated", "The dispute went to the agency", ["dispute.escalated"]),
        ("EscrowDisputeSettled", "The parties agreed on a split", ["dispute.settled"]),
        ("EscrowDisputeRuled", "The agency ruled on a dispute", ["dispute.ruled"]),
        ("EscrowLatePaymentHeld", "A payment arrived for a milestone that no longer takes money; it is held", ["payment.late"]),
        ("EscrowLatePaymentAccepted", "The agency accepted a held payment", ["payment.late-accepted"]),
        ("EscrowLatePaymentRefunded", "The agency refunded a held payment", ["payment.late-refunded"]),
        ("EscrowPayoutClaimable", "A release or refund can be claimed by its recipient", ["payout.claimable"]),
        ("EscrowPayoutCompleted", "A payout was paid", ["payout.completed"]),
        ("EscrowContractCompleted", "Every milestone is settled", ["contract.completed"]),
        ("EscrowContractCancelled", "The agency cancelled the contract", ["contract.cancelled"]),
    ];

    private static readonly Dictionary<string, string> ByAuditType =
        Table.SelectMany(t => t.AuditTypes.Select(a => (a, t.Type))).ToDictionary(p => p.a, p => p.Type, StringComparer.Ordinal);

    /// <summary>Every event type, in the order of a contract's life.</summary>
    public static IReadOnlyList<string> All { get; } = Table.Select(t => t.Type).ToList();

    public static string Describe(string type) => Table.FirstOrDefault(t => t.Type == type).Description ?? type;

    public static bool IsKnown(string type) => All.Contains(type, StringComparer.Ordinal);

    /// <summary>The event an audit entry type stands for, or null when it is bookkeeping.</summary>
    public static string? ForAuditType(string auditType) => ByAuditType.GetValueOrDefault(auditType);
}
