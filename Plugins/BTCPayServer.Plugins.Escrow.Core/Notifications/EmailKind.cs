using System.Collections.Frozen;

namespace BTCPayServer.Plugins.Escrow.Core.Notifications;

/// <summary>The kinds of email the escrow sends; an agency switches kinds off per store (<see cref="EmailPreferences"/>).</summary>
public enum EmailKind
{
    TermsToReview,
    ContractActive,
    MilestoneFunded,
    DeliverySubmitted,
    ChangesRequested,
    MilestoneApproved,
    PayoutClaimable,
    DueDateMissed,
    LatePaymentHeld,
    DisputeOpened,
    SplitProposed,
    DisputeEscalated,
    DisputeResolved,
    ContractCancelled,
    ContractCompleted,
    /// <summary>The answer to a party's own request on the "Email me my link" page; never switched off.</summary>
    LinkRequested,
}

/// <summary>Who gets a kind of email, and how the settings page names it.</summary>
public sealed record EmailKindInfo(EmailKind Kind, string Label, string Recipients);

public static class EmailKinds
{
    /// <summary>Every kind an agency may switch off, in the order the settings page lists them.</summary>
    public static readonly IReadOnlyList<EmailKindInfo> Switchable =
    [
        new(EmailKind.TermsToReview, "Terms to review (new contract or amendment)", "client and freelancer"),
        new(EmailKind.ContractActive, "Contract active (both parties accepted)", "client and freelancer"),
        new(EmailKind.MilestoneFunded, "Milestone funded", "freelancer"),
        new(EmailKind.DeliverySubmitted, "Delivery submitted", "client"),
        new(EmailKind.ChangesRequested, "Changes requested", "freelancer"),
        new(EmailKind.MilestoneApproved, "Milestone approved or auto-approved", "freelancer"),
        new(EmailKind.PayoutClaimable, "Payment or refund ready to claim", "its recipient"),
        new(EmailKind.DueDateMissed, "Due date missed", "client"),
        new(EmailKind.LatePaymentHeld, "Late payment held", "client and the agency's addresses"),
        new(EmailKind.DisputeOpened, "Dispute opened", "client and freelancer"),
        new(EmailKind.SplitProposed, "Split proposed", "client and freelancer"),
        new(EmailKind.DisputeEscalated, "Dispute escalated to the agency", "client, freelancer and the agency's addresses"),
        new(EmailKind.DisputeResolved, "Dispute resolved (ruling or agreed split)", "client and freelancer"),
        new(EmailKind.ContractCancelled, "Contract cancelled", "client and freelancer"),
        new(EmailKind.ContractCompleted, "Contract complete", "client and freelancer"),
    ];

    public static bool IsSwitchable(EmailKind kind) => kind != EmailKind.LinkRequested && Enum.IsDefined(kind);
}

/// <summary>
/// A store's choices about email: kinds switched off, and the agency's own addresses (they hear about escalated
/// disputes and late payments; the parties' addresses come from each contract).
/// </summary>
public sealed record EmailPreferences(IReadOnlyCollection<EmailKind> Off, IReadOnlyList<string> AgencyAddresses)
{
    public static readonly EmailPreferences Default = new([], []);

    private FrozenSet<EmailKind>? _off;

    public bool Sends(EmailKind kind) => !EmailKinds.IsSwitchable(kind) || !(_off ??= Off.ToFrozenSet()).Contains(kind);
}
