using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Notifications;

/// <summary>
/// Decides who hears about what: each audit entry that asks something of a party (or tells them money moved) becomes
/// a short message to that party's email, with the amounts in the contract's currency; the two that need the agency
/// (a dispute escalated to it, a late payment waiting for its decision) also go to the agency's addresses. Kinds the
/// store switched off are not planned at all. The link to the party's page is not part of these words: the unit of
/// work issues a fresh one per email (see <see cref="Ports.EscrowNotification.Link"/>).
/// </summary>
public static class NotificationPlanner
{
    public static IReadOnlyList<EscrowNotification> For(Contract contract, AuditEntry entry, EmailPreferences? preferences = null)
    {
        preferences ??= EmailPreferences.Default;
        var data = entry.ReadData();
        var number = data.TryGetValue("milestone", out var n) && n is not null ? n : null;
        var milestone = number is not null ? $"milestone {number}" : "a milestone";
        var amount = contract.Milestones.FirstOrDefault(m => m.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) == number)?.Amount;
        var ofAmount = amount is null ? "" : $" ({amount})";
        var title = contract.Title;
        var messages = new List<(PartyRole? To, EmailKind Kind, string Subject, string Body)>();
        var kind = EmailKind.TermsToReview;
        void Both(string subject, string body)
        {
            messages.Add((PartyRole.Client, kind, subject, body));
            messages.Add((PartyRole.Freelancer, kind, subject, body));
        }
        void To(PartyRole role, string subject, string body) => messages.Add((role, kind, subject, body));
        void Agency(string subject, string body) => messages.Add((null, kind, subject, body));

        switch (entry.Type)
        {
            case "contract.proposed" or "terms.changed" or "terms.amendment-offered":
                kind = EmailKind.TermsToReview;
                Both($"{title}: terms to review", $"Version {data.GetValueOrDefault("version")} of the terms of \"{title}\" waits for your acceptance.");
                break;
            case "contract.activated":
                kind = EmailKind.ContractActive;
                Both($"{title}: the contract is active", $"Both parties accepted the terms of \"{title}\". The client can now fund milestones.");
                break;
            case "milestone.funded":
                kind = EmailKind.MilestoneFunded;
                To(PartyRole.Freelancer, $"{title}: {milestone} is funded", $"The escrow holds the money for {milestone}{ofAmount} of \"{title}\". You can deliver.");
                break;
            case "milestone.submitted":
                kind = EmailKind.DeliverySubmitted;
                To(PartyRole.Client, $"{title}: {milestone} was delivered", $"The freelancer delivered {milestone}{ofAmount} of \"{title}\". Approve it, ask for changes or open a dispute before the review window ends; silence approves it.");
                break;
            case "milestone.changes-requested":
                kind = EmailKind.ChangesRequested;
                To(PartyRole.Freelancer, $"{title}: changes requested on {milestone}", $"The client asked for changes to {milestone} of \"{title}\".");
                break;
            case "milestone.approved":
                kind = EmailKind.MilestoneApproved;
                To(PartyRole.Freelancer, $"{title}: {milestone} approved", $"The client approved {milestone}{ofAmount} of \"{title}\". Your payment is being prepared.");
                break;
            case "milestone.auto-approved":
                kind = EmailKind.MilestoneApproved;
                To(PartyRole.Freelancer, $"{title}: {milestone} approved", $"The review window of {milestone}{ofAmount} of \"{title}\" ended without an answer, so it is approved. Your payment is being prepared.");
                break;
            case "payout.claimable" when contract.Payouts.FirstOrDefault(p => p.Key == data.GetValueOrDefault("payout")) is { } payout:
                kind = EmailKind.PayoutClaimable;
                To(payout.Recipient, $"{title}: {payout.PayoutAmount} ready to claim", $"A {(payout.Kind == Payouts.PayoutKind.Release ? "payment" : "refund")} of {payout.PayoutAmount} from \"{title}\" is ready. Claim it from your escrow page.");
                break;
            case "payment.late":
                kind = EmailKind.LatePaymentHeld;
                To(PartyRole.Client, $"{title}: a late payment is held", $"A payment of {data.GetValueOrDefault("amount")} to \"{title}\" arrived after its invoice expired. The escrow holds it until the agency accepts it or refunds it to you.");
                Agency($"{title}: a late payment waits for your decision", $"A payment of {data.GetValueOrDefault("amount")} to \"{title}\" arrived after its invoice expired and is held. Accept it into the escrow or refund it to the client from the contract's page.");
                break;
            case "escrow.unexpected-coin":
                kind = EmailKind.LatePaymentHeld;
                To(PartyRole.Client, $"{title}: a payment that does not fund the milestone", $"A payment of {data.GetValueOrDefault("amount")} reached an escrow address of \"{title}\" from another transaction than the funding the refund was signed for. It does not count towards the milestone; the agency will return it to you (you and the agency sign the return). To fund the milestone, send the transaction you prepared.");
                Agency($"{title}: an unexpected payment to return", $"A payment of {data.GetValueOrDefault("amount")} reached an escrow address of \"{title}\" from another transaction than the prepared funding. It does not count as funding. Prepare its return to the client from the contract's page once it is confirmed.");
                break;
            case "milestone.overdue":
                kind = EmailKind.DueDateMissed;
                To(PartyRole.Client, $"{title}: {milestone} is past its due date", $"{char.ToUpperInvariant(milestone[0])}{milestone[1..]} of \"{title}\" was not delivered by its due date. You may cancel it for a refund.");
                break;
            case "dispute.opened":
                kind = EmailKind.DisputeOpened;
                Both($"{title}: dispute on {milestone}", $"The {entry.ActorRole.ToString().ToLowerInvariant()} opened a dispute on {milestone}{ofAmount} of \"{title}\". Both parties can write, propose a split, or let the agency decide.");
                break;
            case "dispute.split-proposed":
                kind = EmailKind.SplitProposed;
                Both($"{title}: a split was proposed", $"The {entry.ActorRole.ToString().ToLowerInvariant()} proposed {data.GetValueOrDefault("freelancerAmount")} to the freelancer for {milestone}{ofAmount} of \"{title}\"; the other party may accept or refuse it.");
                break;
            case "dispute.escalated":
                kind = EmailKind.DisputeEscalated;
                Both($"{title}: the agency will decide", $"The dispute on {milestone} of \"{title}\" went to the agency, whose ruling is final.");
                Agency($"{title}: a dispute waits for your ruling", $"The {entry.ActorRole.ToString().ToLowerInvariant()} escalated the dispute on {milestone}{ofAmount} of \"{title}\". Read both sides and rule from the dispute queue.");
                break;
            case "dispute.ruled" or "dispute.settled":
                kind = EmailKind.DisputeResolved;
                Both($"{title}: dispute resolved", $"The dispute on {milestone} of \"{title}\" ended: {data.GetValueOrDefault("freelancerAmount")} to the freelancer, the rest to the client.");
                break;
            case "contract.cancelled":
                kind = EmailKind.ContractCancelled;
                Both($"{title}: the contract was cancelled", $"The agency cancelled \"{title}\": {data.GetValueOrDefault("reason")}. Whatever the escrow held goes back to the client.");
                break;
            case "contract.completed":
                kind = EmailKind.ContractCompleted;
                Both($"{title}: the contract is complete", $"Every milestone of \"{title}\" is settled.");
                break;
            case "access.requested" when data.GetValueOrDefault("party") is { } party && Enum.TryParse<PartyRole>(party, out var requester):
                kind = EmailKind.LinkRequested;
                To(requester, $"{title}: your escrow link", $"You asked for a link to your escrow page for \"{title}\". Here it is; if you did not ask for it, you can ignore this email.");
                break;
        }
        var notifications = new List<EscrowNotification>();
        foreach (var (to, kindOf, subject, body) in messages.Where(m => preferences.Sends(m.Kind)))
        {
            var recipients = to switch
            {
                PartyRole.Client => [contract.Client.Email],
                PartyRole.Freelancer => [contract.Freelancer.Email],
                _ => preferences.AgencyAddresses,
            };
            notifications.AddRange(recipients.Select(address =>
                new EscrowNotification(contract.Id, contract.StoreId, to, kindOf, address, subject, body, entry)));
        }
        return notifications;
    }
}
