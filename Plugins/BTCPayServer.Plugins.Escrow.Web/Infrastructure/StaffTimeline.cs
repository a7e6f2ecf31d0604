using System.Globalization;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Funding;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>One detail of a timeline entry in words; <see cref="Full"/> is set when <see cref="Text"/> shortens a reference.</summary>
public sealed record TimelineDetail(string Label, string Text, string? Full = null);

/// <summary>
/// The staff timeline in words: what happened ("Payment received for milestone 1") and its details formatted
/// (amounts with currency, milestone numbers, short references, ISO dates). The raw entry stays available on the page.
/// </summary>
public static class StaffTimeline
{
    private static readonly Dictionary<string, string> Events = new(StringComparer.Ordinal)
    {
        ["contract.created"] = "Contract created",
        ["contract.proposed"] = "Sent to the parties for acceptance",
        ["contract.withdrawn"] = "Withdrawn to draft",
        ["contract.activated"] = "Contract active: both parties accepted",
        ["contract.cancelled"] = "Contract cancelled",
        ["contract.completed"] = "Contract completed",
        ["terms.drafted"] = "Terms drafted",
        ["terms.changed"] = "Terms changed",
        ["terms.amendment-offered"] = "Amended terms offered",
        ["terms.accepted"] = "Terms accepted",
        ["terms.amended"] = "Amended terms in force",
        ["access.issued"] = "Party link issued",
        ["access.rotated"] = "Party link replaced",
        ["access.emailed"] = "Party link emailed",
        ["access.requested"] = "New link asked for on the \"Email me my link\" page",
        ["access.revoked"] = "Party links revoked",
        ["access.closed"] = "Party link closed",
        ["invoice.created"] = "Invoice created",
        ["invoice.settled"] = "Invoice paid",
        ["invoice.expired"] = "Invoice expired",
        ["invoice.expired-after-invalid"] = "Invoice expired after being invalid",
        ["invoice.invalid"] = "Invoice invalid",
        ["payment.received"] = "Payment received",
        ["payment.late"] = "Late payment received, waiting for your decision",
        ["payment.late-accepted"] = "Late payment accepted",
        ["payment.late-refunded"] = "Late payment refunded",
        ["payment.invalidated-after-use"] = "Payment invalidated after it was counted",
        ["milestone.funding-received"] = "Funding received",
        ["milestone.funding-reversed"] = "Funding reversed",
        ["milestone.funded"] = "Milestone fully funded",
        ["milestone.submitted"] = "Delivery submitted",
        ["milestone.changes-requested"] = "Changes requested",
        ["milestone.approved"] = "Delivery approved",
        ["milestone.auto-approved"] = "Approved automatically: review window passed",
        ["milestone.released"] = "Payment released",
        ["milestone.settled"] = "Milestone settled",
        ["milestone.refunded"] = "Milestone refunded",
        ["milestone.cancelled"] = "Milestone cancelled",
        ["milestone.overdue"] = "Due date missed",
        ["credit.added"] = "Overpayment kept as credit",
        ["credit.applied"] = "Credit applied to a milestone",
        ["credit.refunded"] = "Credit refunded",
        ["credit.reversed"] = "Credit reversed",
        ["dispute.opened"] = "Dispute opened",
        ["dispute.message"] = "Dispute message",
        ["dispute.split-proposed"] = "Split proposed",
        ["dispute.split-accepted"] = "Split accepted",
        ["dispute.split-rejected"] = "Split rejected",
        ["dispute.escalated"] = "Dispute escalated to the agency",
        ["dispute.ruled"] = "Agency ruled",
        ["dispute.settled"] = "Dispute settled by agreement",
        ["payout.queued"] = "Payout prepared",
        ["payout.nothing-to-send"] = "Payout too small to send",
        ["payout.claimable"] = "Claim link ready",
        ["payout.completed"] = "Payout completed",
    };

    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        ["milestone"] = "milestone", ["amount"] = "amount", ["btc"] = "BTC", ["funded"] = "funded", ["credit"] = "credit now",
        ["freelancerAmount"] = "to the freelancer", ["release"] = "released", ["fee"] = "fee", ["refund"] = "refunded",
        ["payoutAmount"] = "paid as", ["recipient"] = "to", ["party"] = "party", ["version"] = "version", ["total"] = "total",
        ["milestones"] = "milestones", ["reason"] = "reason", ["dueDate"] = "due", ["responseDeadline"] = "answer due by",
        ["reviewDeadline"] = "review due by", ["paymentId"] = "payment", ["invoiceId"] = "invoice", ["payout"] = "payout",
        ["pullPaymentId"] = "pull payment", ["payoutId"] = "payout id", ["hash"] = "terms hash", ["source"] = "payment",
        ["title"] = "title", ["ledger"] = "ledger", ["feeKept"] = "fee kept", ["releasePayout"] = "release paid as",
        ["refundPayout"] = "refund paid as", ["crypto"] = "received", ["rate"] = "rate", ["required"] = "required", ["links"] = "links",
    };

    private static readonly HashSet<string> References = ["paymentId", "invoiceId", "payout", "pullPaymentId", "payoutId", "hash", "source"];

    public static string What(AuditEntry entry) =>
        Events.TryGetValue(entry.Type, out var words) ? words : Sentence(entry.Type.Replace('.', ' ').Replace('-', ' '));

    public static string Who(ActorRole role) => role switch
    {
        ActorRole.Agency => "agency",
        ActorRole.Client => "client",
        ActorRole.Freelancer => "freelancer",
        ActorRole.PaymentProvider => "payment provider",
        _ => "escrow (automatic)",
    };

    public static IReadOnlyList<TimelineDetail> Details(AuditEntry entry) =>
        entry.ReadData().Where(kv => !string.IsNullOrEmpty(kv.Value)).Select(kv => Detail(kv.Key, kv.Value!)).ToList();

    private static TimelineDetail Detail(string key, string value)
    {
        var label = Labels.TryGetValue(key, out var l) ? l : key;
        if (key == "milestone" && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return new("milestone", $"#{number}");
        if (References.Contains(key))
            return new(label, Short(value), value.Length > Short(value).Length ? value : null);
        if (DateTimeOffset.TryParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return new(label, Display.Time(at));
        return new(label, value);
    }

    /// <summary>A reference short enough to read and compare: its start and end ("sbx_pay_…3f2a").</summary>
    public static string Short(string reference) =>
        reference.Length <= 16 ? reference : $"{reference[..8]}…{reference[^6..]}";

    /// <summary>A payment's state in words.</summary>
    public static string Words(PaymentStatus status) => status switch
    {
        PaymentStatus.Received => "seen, not yet confirmed",
        PaymentStatus.Counted => "counted",
        PaymentStatus.AwaitingAcceptance => "late: waiting for your decision",
        PaymentStatus.Refunded => "late: refunded",
        PaymentStatus.Invalidated => "invalidated",
        _ => status.ToString(),
    };

    private static string Sentence(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
