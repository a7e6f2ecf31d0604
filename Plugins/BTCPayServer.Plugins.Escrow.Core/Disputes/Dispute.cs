using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Core.Disputes;

public enum DisputeStatus
{
    /// <summary>The parties may still agree on a split.</summary>
    Open,
    /// <summary>Handed to the agency, whose ruling is final.</summary>
    Escalated,
    /// <summary>The parties agreed on a split.</summary>
    Settled,
    /// <summary>The agency ruled.</summary>
    Ruled,
}

/// <summary>A disagreement about one milestone: messages, split proposals, and finally one split.</summary>
public sealed class Dispute
{
    public const int MaxTextLength = 10_000;
    /// <summary>Messages a dispute holds at most: every act on the contract loads them, and every page shows some.</summary>
    public const int MaxMessages = 100;
    /// <summary>Messages one author may post to a dispute within an hour.</summary>
    public const int MaxMessagesPerHour = 10;
    /// <summary>Messages a page shows at once (see <see cref="MessagePage"/>).</summary>
    public const int MessagesPerPage = 20;
    private readonly List<DisputeMessage> _messages = [];
    private readonly List<SplitProposal> _proposals = [];

    private Dispute() { }

    internal Dispute(Guid contractId, Guid milestoneId, PartyRole openedBy, string? reason, DateTimeOffset at, TimeSpan responseWindow)
    {
        Id = Guid.NewGuid();
        ContractId = contractId;
        MilestoneId = milestoneId;
        OpenedBy = openedBy;
        Reason = Text.Required(reason, "reason", "reason for the dispute", MaxTextLength);
        OpenedAt = at;
        ResponseDeadline = at + responseWindow;
    }

    public Guid Id { get; private set; }
    public Guid ContractId { get; private set; }
    public Guid MilestoneId { get; private set; }
    public PartyRole OpenedBy { get; private set; }
    public string Reason { get; private set; } = "";
    public DateTimeOffset OpenedAt { get; private set; }
    /// <summary>Without an agreed split by then, the dispute goes to the agency.</summary>
    public DateTimeOffset ResponseDeadline { get; private set; }
    public DisputeStatus Status { get; private set; }
    public DateTimeOffset? EscalatedAt { get; private set; }
    public string? EscalationReason { get; private set; }
    public Money? FreelancerShare { get; private set; }
    public string? RulingReason { get; private set; }
    public string? RuledBy { get; private set; }
    public DateTimeOffset? ResolvedAt { get; private set; }

    public IReadOnlyList<DisputeMessage> Messages => _messages;
    public IReadOnlyList<SplitProposal> Proposals => _proposals;
    public SplitProposal? OpenProposal => _proposals.LastOrDefault(p => p.Status == ProposalStatus.Open);
    public bool IsActive => Status is DisputeStatus.Open or DisputeStatus.Escalated;

    internal void AddMessage(ActorRole author, string? text, DateTimeOffset at)
    {
        EnsureActive();
        // One party must not be able to bury the thread (or make every later act load megabytes).
        if (_messages.Count >= MaxMessages)
            throw new InvalidTransitionException("dispute.too-many-messages",
                $"This dispute already holds {MaxMessages} messages, the most it can hold. Propose a split or escalate it to the agency.");
        if (_messages.Count(m => m.Author == author && m.At > at - TimeSpan.FromHours(1)) >= MaxMessagesPerHour)
            throw new InvalidTransitionException("dispute.messages-too-fast",
                $"You posted {MaxMessagesPerHour} messages within the last hour, the most allowed. Try again later.");
        _messages.Add(new DisputeMessage(Id, author, Text.Required(text, "message", "message", MaxTextLength), at));
    }

    internal SplitProposal Propose(PartyRole by, Money freelancerAmount, string? note, DateTimeOffset at)
    {
        if (Status != DisputeStatus.Open)
            throw new InvalidTransitionException("dispute.not-open", "The dispute is with the agency now; proposals are closed.");
        OpenProposal?.Close(ProposalStatus.Superseded);
        var proposal = new SplitProposal(Id, by, freelancerAmount, Text.Optional(note, "note", "note", MaxTextLength), at);
        _proposals.Add(proposal);
        return proposal;
    }

    internal SplitProposal Answer(Guid proposalId, PartyRole by, bool accept)
    {
        if (Status != DisputeStatus.Open)
            throw new InvalidTransitionException("dispute.not-open", "The dispute is with the agency now; proposals are closed.");
        var proposal = _proposals.FirstOrDefault(p => p.Id == proposalId) ?? throw new NotFoundException("That proposal");
        if (proposal.Status != ProposalStatus.Open)
            throw new InvalidTransitionException("dispute.proposal-closed", "That proposal is no longer open.");
        if (proposal.ProposedBy == by)
            throw new InvalidTransitionException("dispute.own-proposal", "Only the other party can answer a proposal.");
        proposal.Close(accept ? ProposalStatus.Accepted : ProposalStatus.Rejected);
        return proposal;
    }

    internal bool Escalate(string reason, DateTimeOffset at)
    {
        if (Status == DisputeStatus.Escalated)
            return false;
        if (Status != DisputeStatus.Open)
            throw new InvalidTransitionException("dispute.closed", "The dispute is already resolved.");
        OpenProposal?.Close(ProposalStatus.Superseded);
        Status = DisputeStatus.Escalated;
        EscalatedAt = at;
        EscalationReason = reason;
        return true;
    }

    internal void Resolve(DisputeStatus how, Money freelancerShare, string? reason, string? ruledBy, DateTimeOffset at)
    {
        Status = how;
        FreelancerShare = freelancerShare;
        RulingReason = reason;
        RuledBy = ruledBy;
        ResolvedAt = at;
    }

    /// <summary>
    /// One page of the thread: page 1 holds the latest <paramref name="size"/> messages, page 2 the ones before, and so on;
    /// each page lists its messages oldest first. A page beyond the last is the last.
    /// </summary>
    public MessagePage MessagePage(int page, int size = MessagesPerPage)
    {
        var pages = Math.Max(1, (_messages.Count + size - 1) / size);
        var number = Math.Clamp(page, 1, pages);
        var end = _messages.Count - (number - 1) * size;
        var start = Math.Max(0, end - size);
        return new MessagePage(_messages.Skip(start).Take(end - start).ToList(), number, pages, _messages.Count);
    }

    private void EnsureActive()
    {
        if (!IsActive)
            throw new InvalidTransitionException("dispute.closed", "The dispute is already resolved.");
    }
}

/// <summary>One page of a dispute's messages, oldest first; <see cref="Page"/> 1 is the latest.</summary>
public sealed record MessagePage(IReadOnlyList<DisputeMessage> Messages, int Page, int PageCount, int Total)
{
    public bool HasEarlier => Page < PageCount;
    public bool HasLater => Page > 1;
}

public sealed class DisputeMessage
{
    private DisputeMessage() { }

    internal DisputeMessage(Guid disputeId, ActorRole author, string text, DateTimeOffset at)
    {
        Id = Guid.NewGuid();
        DisputeId = disputeId;
        Author = author;
        Text = text;
        At = at;
    }

    public Guid Id { get; private set; }
    public Guid DisputeId { get; private set; }
    public ActorRole Author { get; private set; }
    public string Text { get; private set; } = "";
    public DateTimeOffset At { get; private set; }
}
