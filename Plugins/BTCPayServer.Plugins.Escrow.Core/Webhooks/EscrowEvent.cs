using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Core.Webhooks;

/// <summary>
/// Something that happened on a contract, as told to the agency's other systems. Its key (contract and audit sequence)
/// is unique, so an event planned twice is delivered once. It carries ids, amounts and roles only: never a party's
/// link, token, email or a pull payment id (whose page is a claim link).
/// </summary>
public sealed record EscrowEvent(
    string Type,
    DateTimeOffset Timestamp,
    string StoreId,
    Guid ContractId,
    int AuditSequence,
    Guid? MilestoneId,
    int? MilestoneNumber,
    Money? Amount,
    IReadOnlyDictionary<string, string> Details)
{
    public string Key => $"{ContractId:N}:{AuditSequence}";

    /// <summary>The event an audit entry of a saved act stands for, or null when the entry is bookkeeping.</summary>
    public static EscrowEvent? From(Contract contract, AuditEntry entry)
    {
        var type = EscrowEventTypes.ForAuditType(entry.Type);
        if (type is null)
            return null;
        var data = entry.ReadData();
        var number = int.TryParse(data.GetValueOrDefault("milestone"), out var n) ? n : (int?)null;
        var milestone = number is null ? null : contract.Milestones.FirstOrDefault(m => m.Number == number);
        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        Money? amount = null;
        switch (entry.Type)
        {
            case "milestone.funded":
                amount = MoneyOf(data.GetValueOrDefault("funded"));
                break;
            case "payment.received" or "payment.late" or "payment.late-accepted" or "payment.late-refunded":
                amount = MoneyOf(data.GetValueOrDefault("amount"));
                break;
            case "dispute.ruled" or "dispute.settled" or "dispute.split-proposed":
                amount = MoneyOf(data.GetValueOrDefault("freelancerAmount"));
                details["amountTo"] = "freelancer";
                break;
            case "milestone.approved" or "milestone.auto-approved":
                details["autoApproved"] = entry.Type == "milestone.auto-approved" ? "true" : "false";
                break;
            case "terms.accepted" or "terms.changed" or "terms.amendment-offered" or "contract.proposed" or "contract.activated":
                if (data.GetValueOrDefault("version") is { } version)
                    details["termsVersion"] = version;
                break;
            case "payout.claimable" or "payout.completed":
                if (contract.Payouts.FirstOrDefault(p => p.Key == data.GetValueOrDefault("payout")) is { } payout)
                {
                    amount = payout.PayoutAmount;
                    details["payoutKind"] = payout.Kind.ToString();
                    details["recipient"] = payout.Recipient.ToString();
                    milestone ??= contract.Milestones.FirstOrDefault(m => m.Id == payout.MilestoneId);
                }
                break;
        }
        if (entry.ActorRole is ActorRole.Client or ActorRole.Freelancer or ActorRole.Agency)
            details["by"] = entry.ActorRole.ToString();
        return new EscrowEvent(type, entry.At, contract.StoreId, contract.Id, entry.Sequence, milestone?.Id, milestone?.Number ?? number, amount, details);
    }

    /// <summary>Amounts in audit entries are written "12.50 USD" (Money's invariant form).</summary>
    private static Money? MoneyOf(string? text)
    {
        var parts = text?.Split(' ', 2);
        return parts is [var amount, var currency] && Money.TryParse(amount, currency, out var money) ? money : null;
    }
}
