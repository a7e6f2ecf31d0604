using BTCPayServer.Plugins.Escrow.Core.Access;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Core.Terms;

namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

/// <summary>
/// The escrow contract: the consistency boundary. Every act on it is a method named for the business act, checked
/// against the state tables, recorded in the hash-chained audit log, and saved as one unit with its outbox.
/// The acts themselves live in the partial files Contract.*.cs, one per feature.
/// </summary>
public sealed partial class Contract
{
    private readonly List<Milestone> _milestones = [];
    private readonly List<TermsVersion> _termsVersions = [];
    private readonly List<FundingInvoice> _invoices = [];
    private readonly List<LedgerPayment> _payments = [];
    private readonly List<Allocation> _allocations = [];
    private readonly List<PayoutInstruction> _payouts = [];
    private readonly List<Dispute> _disputes = [];
    private readonly List<ProcessedEvent> _processedEvents = [];
    private readonly List<PartyAccess> _partyAccess = [];
    private readonly List<AuditEntry> _unsavedAuditEntries = [];

    private Contract() { }

    public Guid Id { get; private set; }
    public string StoreId { get; private set; } = "";
    public ContractState State { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }

    // The terms in force (for a draft: as being written).
    public string Title { get; private set; } = "";
    public string Scope { get; private set; } = "";
    public Party Client { get; private set; } = null!;
    public Party Freelancer { get; private set; } = null!;
    public string Currency { get; private set; } = "";
    public FeePolicy Fee { get; private set; } = null!;
    public FxPolicy Fx { get; private set; }
    public OverpaymentHandling Overpayment { get; private set; }
    public TimeSpan ReviewWindow { get; private set; }
    public TimeSpan DisputeResponseWindow { get; private set; }
    /// <summary>Number of the accepted terms version in force; 0 until both parties accepted one.</summary>
    public int EffectiveTermsVersion { get; private set; }

    /// <summary>Paid beyond what milestones needed, waiting to roll forward or be refunded.</summary>
    public Money Credit { get; private set; }
    public Money CreditBtc { get; private set; }

    public int AuditCount { get; private set; }
    public string AuditHeadHash { get; private set; } = AuditEntry.GenesisHash;
    /// <summary>
    /// Set by storage (never by an act) when a check of the stored audit chain failed: what it found. Staff pages flag
    /// the contract, and no money moves for it while it is set (see <see cref="Application.AuditGuard"/>).
    /// </summary>
    public string? AuditProblem { get; private set; }
    /// <summary>Earliest moment a timer may have something to do; lets the sweep load only contracts that are due.</summary>
    public DateTimeOffset? NextTimerAt { get; private set; }
    /// <summary>Increases with every save; the row always changes, so concurrent writers always conflict.</summary>
    public long Revision { get; private set; }

    public IReadOnlyList<Milestone> Milestones => _milestones;
    public IReadOnlyList<TermsVersion> TermsVersions => _termsVersions;
    public IReadOnlyList<FundingInvoice> Invoices => _invoices;
    public IReadOnlyList<LedgerPayment> Payments => _payments;
    public IReadOnlyList<Allocation> Allocations => _allocations;
    public IReadOnlyList<PayoutInstruction> Payouts => _payouts;
    public IReadOnlyList<Dispute> Disputes => _disputes;
    public IReadOnlyList<ProcessedEvent> ProcessedEvents => _processedEvents;
    public IReadOnlyList<PartyAccess> PartyAccess => _partyAccess;
    /// <summary>Audit entries appended since the contract was loaded; storage appends them on save.</summary>
    public IReadOnlyList<AuditEntry> UnsavedAuditEntries => _unsavedAuditEntries;

    public TermsVersion? LatestTermsVersion => _termsVersions.MaxBy(v => v.Number);
    public EscrowLedger Ledger => EscrowLedger.Of(this);

    public Milestone Milestone(Guid milestoneId) =>
        _milestones.FirstOrDefault(m => m.Id == milestoneId) ?? throw new NotFoundException("That milestone");

    /// <summary>Storage bumps the revision before writing, so the contract row changes with every save.</summary>
    public void PrepareSave() => Revision++;

    /// <summary>Called by storage after a successful save: the new audit entries are stored now.</summary>
    public void MarkSaved() => _unsavedAuditEntries.Clear();

    private void MoveTo(ContractState to, string act, DateTimeOffset at)
    {
        ContractTransitions.Ensure(State, to, act);
        State = to;
        if (ContractTransitions.IsFinal(to))
            ClosedAt = at;
    }

    private void EnsureState(string act, params ContractState[] states)
    {
        if (!states.Contains(State))
            throw new InvalidTransitionException("contract.invalid-state", $"The contract cannot be {act} while it is {ContractTransitions.Describe(State)}.");
    }

    /// <summary>Appends one entry to the hash chain and keeps the head on the contract row.</summary>
    private void Record(DateTimeOffset at, Actor actor, string type, params (string Key, object? Value)[] data)
    {
        var values = data.ToDictionary(d => d.Key, d => d.Value switch
        {
            null => null,
            Money m => m.ToInvariantString(),
            DateTimeOffset t => t.UtcDateTime.ToString("O"),
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            var other => other.ToString(),
        });
        var entry = AuditEntry.Append(Id, AuditCount + 1, AuditHeadHash, at, actor, type, values);
        _unsavedAuditEntries.Add(entry);
        AuditCount = entry.Sequence;
        AuditHeadHash = entry.Hash;
        UpdatedAt = entry.At;
        RefreshNextTimer();
    }

    private static DateTimeOffset Moment(DateTimeOffset now) => AuditEntry.Truncate(now);
}
