using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Terms;

namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

// Drafting, offering, accepting and amending the terms; cancelling the whole contract.
public sealed partial class Contract
{
    public const int MaxStoreIdLength = 100;

    public static Contract CreateDraft(string storeId, ContractTerms terms, Actor by, DateTimeOffset now)
    {
        var at = Moment(now);
        terms.EnsureDueDatesFrom(DateOnly.FromDateTime(at.UtcDateTime));
        var contract = new Contract
        {
            Id = Guid.NewGuid(),
            StoreId = Text.Required(storeId, "storeId", "store id", MaxStoreIdLength),
            State = ContractState.Draft,
            CreatedAt = at,
            UpdatedAt = at,
            Credit = Money.Zero(terms.Currency),
            CreditBtc = Money.Zero("BTC"),
        };
        contract.ReplaceTerms(terms);
        contract.Record(at, by, "contract.created", ("title", terms.Title), ("total", terms.Total), ("milestones", terms.Milestones.Count));
        return contract;
    }

    /// <summary>The terms in force as one value (for a draft, as they stand).</summary>
    public ContractTerms CurrentTerms() => ContractTerms.Create(
        Title, Scope, Client, Freelancer, Currency, Fee, Fx, Overpayment, ReviewWindow, DisputeResponseWindow,
        _milestones.OrderBy(m => m.Number).Select(m => m.ToTerms()).ToList());

    /// <summary>
    /// Draft: the terms are simply replaced. Proposed: replaced, and a new version must be accepted by both.
    /// Active: a new version is offered as an amendment; the old terms stay in force until both accept it.
    /// </summary>
    public TermsVersion? ChangeTerms(ContractTerms terms, Actor by, DateTimeOffset now)
    {
        var at = Moment(now);
        EnsureState("changed", ContractState.Draft, ContractState.Proposed, ContractState.Active);
        EnsureCustodyFits(Custody, terms.Currency);
        var unchanged = _milestones.Where(m => terms.Milestones.Any(t => t.Id == m.Id && t.DueDate == m.DueDate)).Select(m => m.Id).ToHashSet();
        terms.EnsureDueDatesFrom(DateOnly.FromDateTime(at.UtcDateTime), unchanged);
        switch (State)
        {
            case ContractState.Draft:
                if (terms.Currency != Currency)
                    Credit = Money.Zero(terms.Currency);
                ReplaceTerms(terms);
                Record(at, by, "terms.drafted", ("total", terms.Total), ("milestones", terms.Milestones.Count));
                return null;
            case ContractState.Proposed:
                ReplaceTerms(terms);
                return OfferVersion(terms, by, at, "terms.changed");
            default:
                EnsureAmendable(terms);
                return OfferVersion(terms, by, at, "terms.amendment-offered");
        }
    }

    /// <summary>Offers the draft to both parties as version 1 (or the next version after a withdrawal).</summary>
    public TermsVersion Propose(Actor by, DateTimeOffset now)
    {
        var at = Moment(now);
        EnsureState("sent for acceptance", ContractState.Draft);
        var terms = CurrentTerms();
        terms.EnsureDueDatesFrom(DateOnly.FromDateTime(at.UtcDateTime));
        MoveTo(ContractState.Proposed, "sent for acceptance", at);
        return OfferVersion(terms, by, at, "contract.proposed");
    }

    /// <summary>Takes a proposed contract back to draft, e.g. to rework it; acceptances of earlier versions lapse.</summary>
    public void Withdraw(Actor by, DateTimeOffset now)
    {
        var at = Moment(now);
        MoveTo(ContractState.Draft, "withdrawn", at);
        Record(at, by, "contract.withdrawn");
    }

    /// <summary>A party accepts exactly the version whose hash they were shown.</summary>
    public void AcceptTerms(PartyRole role, string? termsHash, DateTimeOffset now)
    {
        var at = Moment(now);
        EnsureState("accepted", ContractState.Proposed, ContractState.Active);
        EnsureKeyGivenBeforeAcceptance(role);
        var version = LatestTermsVersion!;
        if (!string.Equals(version.Hash, termsHash?.Trim(), StringComparison.OrdinalIgnoreCase))
            throw new EscrowException("terms.hash-mismatch", $"These terms are not the current ones. Review version {version.Number} and accept that.");
        if (version.IsAcceptedBy(role) || version.Number == EffectiveTermsVersion)
            return;
        // An amendment is checked again before the acceptance that would apply it is recorded, so a refusal changes nothing.
        var other = role == PartyRole.Client ? PartyRole.Freelancer : PartyRole.Client;
        var amended = State == ContractState.Active && version.IsAcceptedBy(other) ? TermsCanonicalForm.Parse(version.Canonical) : null;
        if (amended is not null)
            EnsureAmendable(amended);
        version.Accept(role, at);
        Record(at, Actor.Party(role), "terms.accepted", ("version", version.Number), ("hash", version.Hash));
        if (!version.AcceptedByBoth)
            return;
        if (State == ContractState.Proposed)
        {
            EffectiveTermsVersion = version.Number;
            MoveTo(ContractState.Active, "activated", at);
            Record(at, Actor.Timer with { Id = "acceptance" }, "contract.activated", ("version", version.Number), ("hash", version.Hash));
            return;
        }
        ApplyAmendment(amended!, at);
        EffectiveTermsVersion = version.Number;
        Record(at, Actor.Timer with { Id = "acceptance" }, "terms.amended", ("version", version.Number), ("hash", version.Hash));
        CompleteIfDone(at);
    }

    /// <summary>
    /// The agency ends the contract. Unfunded milestones are cancelled and everything held is refunded; milestones
    /// under review or in dispute must be settled first, and approved releases still go out.
    /// </summary>
    public void Cancel(Actor by, string? reason, DateTimeOffset now)
    {
        var at = Moment(now);
        var why = Text.Required(reason, "reason", "reason for cancelling", 2_000);
        var blocking = _milestones.Where(m => m.State is MilestoneState.Submitted or MilestoneState.ChangesRequested or MilestoneState.Disputed).ToList();
        if (blocking.Count > 0)
            throw new InvalidTransitionException("contract.cancel-blocked",
                $"Milestone {string.Join(", ", blocking.Select(m => m.Number))} is under review or in dispute; settle it before cancelling the contract.");
        MoveTo(ContractState.Cancelled, "cancelled", at);
        Record(at, by, "contract.cancelled", ("reason", why));
        foreach (var milestone in _milestones.Where(m => m.State is MilestoneState.Pending or MilestoneState.Funded))
            RefundMilestone(milestone, milestone.State == MilestoneState.Funded ? MilestoneState.Refunded : MilestoneState.Cancelled, by, "contract cancelled", at);
        RefundCredit(by, at);
    }

    private TermsVersion OfferVersion(ContractTerms terms, Actor by, DateTimeOffset at, string auditType)
    {
        var version = new TermsVersion((LatestTermsVersion?.Number ?? 0) + 1, TermsCanonicalForm.Serialize(terms, Custody), at);
        _termsVersions.Add(version);
        Record(at, by, auditType, ("version", version.Number), ("hash", version.Hash), ("total", terms.Total));
        return version;
    }

    private void ReplaceTerms(ContractTerms terms)
    {
        ApplyContractLevelTerms(terms);
        _milestones.RemoveAll(m => terms.Milestones.All(t => t.Id != m.Id));
        SyncMilestones(terms);
    }

    private void ApplyContractLevelTerms(ContractTerms terms)
    {
        Title = terms.Title;
        Scope = terms.Scope;
        Client = terms.Client;
        Freelancer = terms.Freelancer;
        Currency = terms.Currency;
        Fee = terms.Fee;
        Fx = terms.Fx;
        Overpayment = terms.Overpayment;
        ReviewWindow = terms.ReviewWindow;
        DisputeResponseWindow = terms.DisputeResponseWindow;
    }

    private void SyncMilestones(ContractTerms terms)
    {
        foreach (var (t, i) in terms.Milestones.Select((t, i) => (t, i)))
        {
            var existing = _milestones.FirstOrDefault(m => m.Id == t.Id);
            // A closed milestone's figures are history: a new fee policy applies only to milestones still open.
            var fee = existing is { IsFinal: true } ? existing.ClientFee : terms.Fee.ClientSurcharge(t.Amount);
            if (existing is null)
                _milestones.Add(new Milestone(Id, i + 1, t, fee));
            else
                existing.ApplyTerms(i + 1, t, fee);
        }
    }

    /// <summary>An amendment may not shrink what was funded, change money already decided, or drop funded work.</summary>
    private void EnsureAmendable(ContractTerms terms)
    {
        if (terms.Currency != Currency)
            throw new InvalidInputException("currency", "The currency of an active contract cannot change.");
        if (terms.Fx != Fx && _milestones.Any(m => m.Funded.IsPositive))
            throw new InvalidInputException("fx", "The FX policy cannot change once money was received.");
        foreach (var m in _milestones)
        {
            var next = terms.Milestones.FirstOrDefault(t => t.Id == m.Id);
            if (next is null)
            {
                if (m.State == MilestoneState.Cancelled && !m.Funded.IsPositive)
                    continue; // removed by an earlier amendment; it stays cancelled
                if (m.State != MilestoneState.Pending || m.Funded.IsPositive)
                    throw new InvalidInputException("milestones", $"Milestone {m.Number} has money or work in it and cannot be removed.");
                continue;
            }
            var requiredNext = next.Amount + terms.Fee.ClientSurcharge(next.Amount);
            // A non-custodial milestone's escrow is made for its amount: the funding pays exactly that, and the refund
            // and every spend are signed against it.
            if (IsNonCustodial && !m.IsFinal && NonCustodial.EscrowOf(m.Id) is not null && requiredNext != m.Required)
                throw new InvalidInputException("milestones",
                    $"Milestone {m.Number} has its escrow address for {m.Required} already (non-custodial): what the client pays for it cannot change. Add a milestone for the difference instead.");
            if (m.IsFinal || m.State is not (MilestoneState.Pending or MilestoneState.Funded))
            {
                if (next.Amount != m.Amount || (terms.Fee != Fee && !m.IsFinal))
                    throw new InvalidInputException("milestones", $"Milestone {m.Number} is {MilestoneTransitions.Describe(m.State)}; its amount and fee can no longer change.");
            }
            else if (requiredNext < m.Funded)
            {
                throw new InvalidInputException("milestones", $"Milestone {m.Number} already holds {m.Funded}; its amount cannot go below that.");
            }
        }
    }

    private void ApplyAmendment(ContractTerms terms, DateTimeOffset at)
    {
        foreach (var removed in _milestones.Where(m => m.State != MilestoneState.Cancelled && terms.Milestones.All(t => t.Id != m.Id)).ToList())
        {
            removed.MoveTo(MilestoneState.Cancelled, "cancelled", at);
        }
        ApplyContractLevelTerms(terms);
        SyncMilestones(terms);
        // Cancelled milestones keep their place after the ones in force.
        var number = terms.Milestones.Count;
        foreach (var cancelled in _milestones.Where(m => terms.Milestones.All(t => t.Id != m.Id)))
            cancelled.ApplyTerms(++number, cancelled.ToTerms(), cancelled.ClientFee);
        foreach (var m in _milestones.Where(m => m.State == MilestoneState.Funded && m.Funded < m.Required))
            m.MoveTo(MilestoneState.Pending, "reopened for funding", at);
        foreach (var m in _milestones.Where(m => m.State == MilestoneState.Pending && m.Funded >= m.Required))
            m.MoveTo(MilestoneState.Funded, "funded", at);
        SettleCredit(Actor.Timer with { Id = "acceptance" }, at);
    }
}
