using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Core.Disputes;

public enum ProposalStatus
{
    Open,
    Accepted,
    Rejected,
    /// <summary>Replaced by a newer proposal, or closed by escalation.</summary>
    Superseded,
}

/// <summary>"The freelancer gets X of the milestone amount, the client the rest", offered by one party to the other.</summary>
public sealed class SplitProposal
{
    private SplitProposal() { }

    internal SplitProposal(Guid disputeId, PartyRole by, Money freelancerAmount, string note, DateTimeOffset at)
    {
        Id = Guid.NewGuid();
        DisputeId = disputeId;
        ProposedBy = by;
        FreelancerAmount = freelancerAmount;
        Note = note;
        ProposedAt = at;
    }

    public Guid Id { get; private set; }
    public Guid DisputeId { get; private set; }
    public PartyRole ProposedBy { get; private set; }
    public Money FreelancerAmount { get; private set; }
    public string Note { get; private set; } = "";
    public DateTimeOffset ProposedAt { get; private set; }
    public ProposalStatus Status { get; private set; }

    internal void Close(ProposalStatus status) => Status = status;
}
