using System.Globalization;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>One line of a party's timeline: when, what happened in a sentence, and the reason someone gave, if any.</summary>
public sealed record PartyTimelineLine(DateTimeOffset At, string Text, string? Reason);

/// <summary>
/// What happened to a contract, told to the client or the freelancer: sentences with amounts and milestone numbers, never
/// internal event names, payment references or anything about links. Bookkeeping the parties don't act on (invoices
/// created, payouts queued, links issued) is left out; the receipt page keeps the complete audit chain.
/// </summary>
public static class PartyTimeline
{
    public static IReadOnlyList<PartyTimelineLine> For(IEnumerable<AuditEntry> entries, PartyRole you, string agency) =>
        entries.OrderByDescending(e => e.Sequence)
            .Select(e => Line(e, you, agency))
            .OfType<PartyTimelineLine>()
            .ToList();

    /// <summary>The reason given with the latest entry of this type (for a milestone, when <paramref name="milestone"/> is set).</summary>
    public static string? ReasonOf(IEnumerable<AuditEntry> entries, string type, int? milestone = null) =>
        entries.Where(e => e.Type == type)
            .Select(e => e.ReadData())
            .Where(d => milestone is null || d.GetValueOrDefault("milestone") == milestone.Value.ToString(CultureInfo.InvariantCulture))
            .Select(d => d.GetValueOrDefault("reason"))
            .LastOrDefault(r => !string.IsNullOrWhiteSpace(r));

    private static PartyTimelineLine? Line(AuditEntry entry, PartyRole you, string agency)
    {
        var d = entry.ReadData();
        string V(string key) => d.GetValueOrDefault(key) ?? "";
        var m = $"milestone {V("milestone")}";
        var who = Who(entry.ActorRole, you, agency);
        string? reason = null;
        var text = entry.Type switch
        {
            "contract.proposed" => $"{agency} sent the terms to both parties for acceptance.",
            "contract.withdrawn" => $"{agency} took the terms back to change them.",
            "terms.amendment-offered" or "terms.changed" => $"{agency} offered new terms for acceptance.",
            "terms.accepted" => $"{who} accepted the terms, version {V("version")}.",
            "terms.amended" => $"Both parties accepted the amended terms: version {V("version")} is now in force.",
            "contract.activated" => $"Both parties accepted the terms (version {V("version")}): the contract is active.",
            "payment.received" => $"A payment of {V("amount")} arrived.",
            "payment.late" => $"A payment of {V("amount")} arrived after its invoice had closed. It is held until {agency} accepts it or refunds it.",
            "payment.late-accepted" => $"{agency} accepted the late payment of {V("amount")}.",
            "payment.late-refunded" => $"{agency} refunded the late payment of {V("amount")} to the client.",
            "payment.invalidated-after-use" => $"The payment provider reversed a payment of {V("amount")}.",
            "milestone.funding-received" or "credit.applied" => $"{Capital(m)} received {V("amount")}.",
            "milestone.funding-reversed" or "credit.reversed" => $"{V("amount")} of funding was reversed.",
            "milestone.funded" => $"{Capital(m)} is fully funded ({V("funded")}).",
            "milestone.submitted" => $"{who} delivered {m}; the review window ends {When(V("reviewDeadline"))}.",
            "milestone.changes-requested" => $"{who} asked for changes to {m}.",
            "milestone.approved" => $"{who} approved {m}.",
            "milestone.auto-approved" => $"{Capital(m)} was approved automatically: the review window passed without an answer.",
            "milestone.settled" => $"{Capital(m)} settled: {V("release")} to the freelancer, {V("refund")} back to the client, {V("fee")} fee.",
            "milestone.cancelled" or "milestone.refunded" => Reasoned($"{Capital(m)} was cancelled by {Lower(who)}; what it held goes back to the client.", V("reason"), out reason),
            "milestone.overdue" => $"{Capital(m)} passed its due date ({V("dueDate")}) without a delivery.",
            "credit.added" => $"An overpayment of {V("amount")} is kept as credit for the next milestones.",
            "credit.refunded" => $"Credit of {V("amount")} was refunded to the client.",
            "dispute.opened" => $"{who} opened a dispute on {m}; the other party can answer until {When(V("responseDeadline"))}.",
            "dispute.message" => $"{who} wrote in the dispute on {m}.",
            "dispute.split-proposed" => $"{who} proposed a split of {m}: {V("freelancerAmount")} to the freelancer, the rest back to the client.",
            "dispute.split-accepted" => $"{who} accepted the split of {m}: {V("freelancerAmount")} to the freelancer.",
            "dispute.split-rejected" => $"{who} rejected the proposed split of {m}.",
            "dispute.escalated" => V("reason") == "requested"
                ? $"{who} asked {agency} to decide the dispute on {m}."
                : $"The dispute on {m} went to {agency}: the answer window passed.",
            "dispute.ruled" => Reasoned($"{agency} ruled on {m}: {V("freelancerAmount")} to the freelancer, the rest back to the client.", V("reason"), out reason),
            "dispute.settled" => $"The parties settled {m} by agreement: {V("freelancerAmount")} to the freelancer.",
            "payout.claimable" => $"A claim link for {V("amount")} is ready.",
            "payout.completed" => "A payout was paid out.",
            "contract.cancelled" => Reasoned($"{agency} cancelled the contract.", V("reason"), out reason),
            "contract.completed" => "The contract is complete.",
            _ => null,
        };
        return text is null ? null : new PartyTimelineLine(entry.At, text, reason);
    }

    private static string Reasoned(string text, string given, out string? reason)
    {
        reason = string.IsNullOrWhiteSpace(given) ? null : given;
        return text;
    }

    private static string Who(ActorRole actor, PartyRole you, string agency) => actor switch
    {
        ActorRole.Client => you == PartyRole.Client ? "You" : "The client",
        ActorRole.Freelancer => you == PartyRole.Freelancer ? "You" : "The freelancer",
        ActorRole.Agency => agency,
        _ => "The escrow",
    };

    private static string When(string value) =>
        DateTimeOffset.TryParseExact(value, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? Display.Time(at) : value;

    private static string Capital(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private static string Lower(string who) => who is "You" or "The client" or "The freelancer" or "The escrow" ? char.ToLowerInvariant(who[0]) + who[1..] : who;
}
