using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Web.Api.Models;

/// <summary>One active dispute of the store (open or escalated).</summary>
public sealed record DisputeSummaryData(
    Guid ContractId, string ContractTitle, Guid MilestoneId, int MilestoneNumber, string MilestoneTitle, string Amount, string Currency,
    PartyRole OpenedBy, string Reason, DisputeStatus Status, long OpenedTime, long ResponseDeadline)
{
    public static DisputeSummaryData Of(DisputeQueueRow r) => new(
        r.ContractId, r.ContractTitle, r.MilestoneId, r.MilestoneNumber, r.MilestoneTitle, r.Amount.FormatAmount(), r.Amount.Currency,
        r.OpenedBy, r.Reason, r.Status, UnixTime.Of(r.OpenedAt), UnixTime.Of(r.ResponseDeadline));
}

public sealed record SplitProposalData(Guid Id, PartyRole ProposedBy, string FreelancerAmount, string Note, ProposalStatus Status, long ProposedTime);

public sealed record DisputeMessageData(ActorRole Author, string Text, long Time);

/// <summary>A milestone's latest dispute with its proposals and messages; amounts in <see cref="Currency"/>.</summary>
public sealed record DisputeData(
    Guid Id, Guid ContractId, long ContractVersion, Guid MilestoneId, int MilestoneNumber, string MilestoneTitle, string Amount, string Currency,
    PartyRole OpenedBy, string Reason, DisputeStatus Status, long OpenedTime, long ResponseDeadline, long? EscalatedTime,
    string? FreelancerShare, string? RulingReason, long? ResolvedTime, IReadOnlyList<SplitProposalData> Proposals, IReadOnlyList<DisputeMessageData> Messages)
{
    public static DisputeData Of(Contract c, Dispute d)
    {
        var m = c.Milestone(d.MilestoneId);
        return new DisputeData(
            d.Id, c.Id, c.Revision, m.Id, m.Number, m.Title, m.Amount.FormatAmount(), c.Currency, d.OpenedBy, d.Reason, d.Status,
            UnixTime.Of(d.OpenedAt), UnixTime.Of(d.ResponseDeadline), UnixTime.Of(d.EscalatedAt), d.FreelancerShare?.FormatAmount(),
            d.RulingReason, UnixTime.Of(d.ResolvedAt),
            d.Proposals.Select(p => new SplitProposalData(p.Id, p.ProposedBy, p.FreelancerAmount.FormatAmount(), p.Note, p.Status, UnixTime.Of(p.ProposedAt))).ToList(),
            d.Messages.Select(x => new DisputeMessageData(x.Author, x.Text, UnixTime.Of(x.At))).ToList());
    }
}

/// <summary>
/// The agency's final ruling on an escalated dispute: what the freelancer gets of the milestone amount (the rest is
/// refunded to the client), and why (shown to both parties).
/// </summary>
public sealed record RulingRequest(string? FreelancerAmount = null, string? Reason = null, long? Version = null);
