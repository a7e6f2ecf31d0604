using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Notifications;

/// <summary>
/// Decides who hears about what: each audit entry that asks something of a party (or tells them money moved) becomes
/// a short message to that party's email, with the amounts in the contract's currency. The link to the party's page is
/// not part of these words: the unit of work issues a fresh one per email (see <see cref="Ports.EscrowNotification.Link"/>).
/// </summary>
public static class NotificationPlanner
{
    public static IReadOnlyList<EscrowNotification> For(Contract contract, AuditEntry entry)
    {
        var data = entry.ReadData();
        var number = data.TryGetValue("milestone", out var n) && n is not null ? n : null;
        var milestone = number is not null ? $"milestone {number}" : "a milestone";
        var amount = contract.Milestones.FirstOrDefault(m => m.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) == number)?.Amount;
        var ofAmount = amount is null ? "" : $" ({amount})";
        var title = contract.Title;
        var messages = new List<(PartyRole To, string Subject, string Body)>();
        void Both(string subject, string body)
        {
            messages.Add((PartyRole.Client, subject, body));
            messages.Add((PartyRole.Freelancer, subject, body));
        }
        void To(PartyRole role, string subject, string body) => messages.Add((role, subject, body));

        switch (entry.Type)
        {
            case "contract.proposed" or "terms.changed" or "terms.amendment-offered":
                Both($"{title}: terms to review", $"Version {data.GetValueOrDefault("version")} of the terms of \"{title}\" waits for your acceptance.");
                break;
            case "contract.activated":
                Both($"{title}: the contract is active", $"Both parties accepted the terms of \"{title}\". The client can now fund milestones.");
                break;
            case "milestone.funded":
                To(PartyRole.Freelancer, $"{title}: {milestone} is funded", $"The escrow holds the money for {milestone}{ofAmount} of \"{title}\". You can deliver.");
                break;
            case "milestone.submitted":
                To(PartyRole.Client, $"{title}: {milestone} was delivered", $"The freelancer delivered {milestone}{ofAmount} of \"{title}\". Approve it, ask for changes or open a dispute before the review window ends; silence approves it.");
                break;
            case "milestone.changes-requested":
                To(PartyRole.Freelancer, $"{title}: changes requested on {milestone}", $"The client asked for changes to {milestone} of \"{title}\".");
                break;
            case "milestone.approved":
                To(PartyRole.Freelancer, $"{title}: {milestone} approved", $"The client approved {milestone}{ofAmount} of \"{title}\". Your payment is being prepared.");
                break;
            case "milestone.auto-approved":
                To(PartyRole.Freelancer, $"{title}: {milestone} approved", $"The review window of {milestone}{ofAmount} of \"{title}\" ended without an answer, so it is approved. Your payment is being prepared.");
                break;
            case "payout.claimable" when contract.Payouts.FirstOrDefault(p => p.Key == data.GetValueOrDefault("payout")) is { } payout:
                To(payout.Recipient, $"{title}: {payout.PayoutAmount} ready to claim", $"A {(payout.Kind == Payouts.PayoutKind.Release ? "payment" : "refund")} of {payout.PayoutAmount} from \"{title}\" is ready. Claim it from your escrow page.");
                break;
            case "payment.late":
                To(PartyRole.Client, $"{title}: a late payment is held", $"A payment of {data.GetValueOrDefault("amount")} to \"{title}\" arrived after its invoice expired. The escrow holds it until the agency accepts it or refunds it to you.");
                break;
            case "milestone.overdue":
                To(PartyRole.Client, $"{title}: {milestone} is past its due date", $"{char.ToUpperInvariant(milestone[0])}{milestone[1..]} of \"{title}\" was not delivered by its due date. You may cancel it for a refund.");
                break;
            case "dispute.opened":
                Both($"{title}: dispute on {milestone}", $"The {entry.ActorRole.ToString().ToLowerInvariant()} opened a dispute on {milestone}{ofAmount} of \"{title}\". Both parties can write, propose a split, or let the agency decide.");
                break;
            case "dispute.split-proposed":
                Both($"{title}: a split was proposed", $"The {entry.ActorRole.ToString().ToLowerInvariant()} proposed {data.GetValueOrDefault("freelancerAmount")} to the freelancer for {milestone}{ofAmount} of \"{title}\"; the other party may accept or refuse it.");
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
        return messages.Select(m => new EscrowNotification(contract.Id, contract.StoreId, m.To,
            m.To == PartyRole.Client ? contract.Client.Email : contract.Freelancer.Email, m.Subject, m.Body, entry)).ToList();
    }
}
