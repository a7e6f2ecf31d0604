using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Terms;

namespace BTCPayServer.Plugins.Escrow.Core.Milestones;

/// <summary>A milestone of a contract: its agreed terms, where it stands, and its line of the escrow ledger.</summary>
public sealed class Milestone
{
    private readonly List<ReviewEntry> _reviewEntries = [];

    private Milestone() { }

    internal Milestone(Guid contractId, int number, MilestoneTerms terms, Money clientFee)
    {
        Id = terms.Id;
        ContractId = contractId;
        var zero = Money.Zero(terms.Amount.Currency);
        Funded = ReleasedToFreelancer = FeesRetained = RefundedToClient = zero;
        FundedBtc = Money.Zero("BTC");
        ApplyTerms(number, terms, clientFee);
    }

    public Guid Id { get; private set; }
    public Guid ContractId { get; private set; }
    public int Number { get; private set; }
    public string Title { get; private set; } = "";
    public string Deliverable { get; private set; } = "";
    public Money Amount { get; private set; }
    /// <summary>Fee added to the client's invoice when the contract's fee is charged to the client; else zero.</summary>
    public Money ClientFee { get; private set; }
    public DateOnly? DueDate { get; private set; }
    public TimeSpan? ReviewWindow { get; private set; }
    public MilestoneState State { get; private set; }

    public Money Funded { get; private set; }
    /// <summary>BTC actually received for this milestone (what a BTC-locked contract pays out).</summary>
    public Money FundedBtc { get; private set; }
    public Money ReleasedToFreelancer { get; private set; }
    public Money FeesRetained { get; private set; }
    public Money RefundedToClient { get; private set; }

    public DateTimeOffset? SubmittedAt { get; private set; }
    public DateTimeOffset? ReviewDeadline { get; private set; }
    /// <summary>When the timer noticed that the due date passed without a delivery.</summary>
    public DateTimeOffset? OverdueSince { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }

    public IReadOnlyList<ReviewEntry> ReviewEntries => _reviewEntries;

    /// <summary>What the client must pay for this milestone: its amount plus any client-side fee.</summary>
    public Money Required => Amount + ClientFee;
    public Money Outstanding => Money.Max(Required - Funded, Money.Zero(Amount.Currency));
    /// <summary>Funded and not yet paid out or kept as fees: what the escrow still holds for this milestone.</summary>
    public Money Held => Funded - ReleasedToFreelancer - FeesRetained - RefundedToClient;
    public bool IsFinal => MilestoneTransitions.IsFinal(State);

    /// <summary>The moment a Funded milestone counts as missed: the end of its due date (UTC).</summary>
    public DateTimeOffset? DeliveryDeadline => DueDate is { } d ? new DateTimeOffset(d.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;

    public MilestoneTerms ToTerms() => new(Id, Title, Deliverable, Amount, DueDate, ReviewWindow);

    internal void ApplyTerms(int number, MilestoneTerms terms, Money clientFee)
    {
        Number = number;
        Title = terms.Title;
        Deliverable = terms.Deliverable;
        Amount = terms.Amount;
        ClientFee = clientFee;
        DueDate = terms.DueDate;
        ReviewWindow = terms.ReviewWindow;
    }

    internal void MoveTo(MilestoneState to, string act, DateTimeOffset at)
    {
        MilestoneTransitions.Ensure(State, to, Number, act);
        State = to;
        if (IsFinal)
            ClosedAt = at;
    }

    internal void EnsureState(string act, params MilestoneState[] states)
    {
        if (!states.Contains(State))
            throw new InvalidTransitionException("milestone.invalid-transition",
                $"Milestone {Number} cannot be {act} while it is {MilestoneTransitions.Describe(State)}.");
    }

    internal void AddFunding(Money amount, Money btc)
    {
        Funded += amount;
        FundedBtc += btc;
    }

    internal void RemoveFunding(Money amount, Money btc)
    {
        Funded -= amount;
        FundedBtc -= btc;
    }

    internal void RecordPaidOut(Money releasedNet, Money fees, Money refunded)
    {
        if (releasedNet + fees + refunded > Held)
            throw new EscrowException("ledger.overdraw", $"Milestone {Number} holds {Held}; it cannot pay out more.");
        ReleasedToFreelancer += releasedNet;
        FeesRetained += fees;
        RefundedToClient += refunded;
    }

    internal void Submit(ReviewEntry submission, TimeSpan contractReviewWindow)
    {
        MoveTo(MilestoneState.Submitted, "submitted", submission.At);
        _reviewEntries.Add(submission);
        SubmittedAt = submission.At;
        // Each delivery starts a full review window; none runs while changes are requested.
        ReviewDeadline = submission.At + (ReviewWindow ?? contractReviewWindow);
        OverdueSince = null;
    }

    internal void RequestChanges(ReviewEntry request)
    {
        MoveTo(MilestoneState.ChangesRequested, "sent back for changes", request.At);
        _reviewEntries.Add(request);
        ReviewDeadline = null;
    }

    internal void StopReviewClock() => ReviewDeadline = null;

    internal void MarkOverdue(DateTimeOffset at) => OverdueSince ??= at;
}
