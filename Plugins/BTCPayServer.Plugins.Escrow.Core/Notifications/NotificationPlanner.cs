using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Notifications;

/// <summary>
/// Decides who hears about what: each audit entry that asks something of a party (or tells them money moved) becomes
/// a short message to that party's email. Links are never included: only their hash is stored, and the parties keep
/// the links the agency sent them.
/// </summary>
public static class NotificationPlanner
{
    private const string Footer = "\n\nOpen your private escrow link to see the details.";

    public static IReadOnlyList<EscrowNotification> For(Contract contract, AuditEntry entry)
    {
        var data = entry.ReadData();
        var milestone = data.TryGetValue("milestone", out var n) && n is not null ? $"milestone {n}" : "a milestone";
        var title = contract.Title;
        var messages = new List<(PartyRole To, string Subject, string Body)>();
        void Both(string subject, string body)
        {
            messages.Add((PartyRole.Client, subject, body));
            messages.Add((PartyRole.Freelancer, subject, body));
        }
        void To(PartyRole role, string subject, string body) => messages.Add((role, subject, body));
        var other = entry.ActorRole == ActorRole.Client ? PartyRole.Freelancer : PartyRole.Client;

        switch (entry.Type)
        {
            case "contract.proposed" or "terms.changed" or "terms.amendment-offered":
                Both($"{title}: terms to review", $"Version {data.GetValueOrDefault("version")} of the terms of \"{title}\" waits for your acceptance.");
                break;
            case "contract.activated":
                Both($"{title}: the contract is active", $"Both parties accepted the terms of \"{title}\". The client can now fund milestones.");
                break;
            case "milestone.funded":
                To(PartyRole.Freelancer, $"{title}: {milestone} is funded", $"The escrow holds the money for {milestone} of \"{title}\". You can deliver.");
                break;
            case "milestone.submitted":
                To(PartyRole.Client, $"{title}: {milestone} was delivered", $"The freelancer delivered {milestone} of \"{title}\". Approve it, ask for changes or open a dispute before the review window ends; silence approves it.");
                break;
            case "milestone.changes-requested":
                To(PartyRole.Freelancer, $"{title}: changes requested on {milestone}", $"The client asked for changes to {milestone} of \"{title}\".");
                break;
            case "milestone.approved" or "milestone.auto-approved":
                To(PartyRole.Freelancer, $"{title}: {milestone} approved", $"{char.ToUpperInvariant(milestone[0])}{milestone[1..]} of \"{title}\" was approved. Your payment is being prepared.");
                break;
            case "payout.claimable" when contract.Payouts.FirstOrDefault(p => p.Key == data.GetValueOrDefault("payout")) is { } payout:
                To(payout.Recipient, $"{title}: {payout.PayoutAmount} ready to claim", $"A {(payout.Kind == Payouts.PayoutKind.Release ? "payment" : "refund")} of {payout.PayoutAmount} from \"{title}\" is ready. Claim it from your escrow page.");
                break;
            case "milestone.overdue":
                To(PartyRole.Client, $"{title}: {milestone} is past its due date", $"{char.ToUpperInvariant(milestone[0])}{milestone[1..]} of \"{title}\" was not delivered by its due date. You may cancel it for a refund.");
                break;
            case "dispute.opened":
                To(other, $"{title}: dispute on {milestone}", $"The {entry.ActorRole.ToString().ToLowerInvariant()} opened a dispute on {milestone} of \"{title}\". You can answer, propose a split, or let the agency decide.");
                break;
            case "dispute.split-proposed":
                To(other, $"{title}: a split was proposed", $"The {entry.ActorRole.ToString().ToLowerInvariant()} proposed {data.GetValueOrDefault("freelancerAmount")} to the freelancer for {milestone} of \"{title}\".");
                break;
            case "dispute.escalated":
                Both($"{title}: the agency will decide", $"The dispute on {milestone} of \"{title}\" went to the agency, whose ruling is final.");
                break;
            case "dispute.ruled" or "dispute.settled":
                Both($"{title}: dispute resolved", $"The dispute on {milestone} of \"{title}\" ended: {data.GetValueOrDefault("freelancerAmount")} to the freelancer, the rest to the client.");
                break;
            case "contract.cancelled":
                Both($"{title}: the contract was cancelled", $"The agency cancelled \"{title}\": {data.GetValueOrDefault("reason")}. Whatever the escrow held goes back to the client.");
                break;
            case "contract.completed":
                Both($"{title}: the contract is complete", $"Every milestone of \"{title}\" is settled.");
                break;
        }
        return messages.Select(m => new EscrowNotification(contract.Id, contract.StoreId,
            m.To == PartyRole.Client ? contract.Client.Email : contract.Freelancer.Email, m.Subject, m.Body + Footer, entry)).ToList();
    }
}
