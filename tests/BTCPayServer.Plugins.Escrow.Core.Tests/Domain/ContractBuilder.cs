using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Terms;

namespace BTCPayServer.Plugins.Escrow.Core.Tests.Domain;

/// <summary>Terms and contracts for tests: sensible defaults, and one method per thing a test wants to vary.</summary>
internal sealed class ContractBuilder
{
    public static readonly DateTimeOffset Start = new(2030, 3, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly DateOnly Today = DateOnly.FromDateTime(Start.UtcDateTime);
    public static readonly Actor Staff = Actor.Agency("staff-1");
    public const string StoreId = "store-1";

    private sealed record MilestoneSpec(Guid Id, decimal Amount, DateOnly? DueDate, TimeSpan? ReviewWindow, string Title, string Deliverable);

    private readonly List<MilestoneSpec> _milestones = [];
    private string _title = "Website redesign";
    private string _scope = "Design and build the new marketing site.";
    private (string Name, string Email) _client = ("Alice Client", "alice@example.com");
    private (string Name, string Email) _freelancer = ("Bob Freelancer", "bob@example.com");
    private string _currency = "BTC";
    private FxPolicy _fx = FxPolicy.NotApplicable;
    private decimal _feePercent;
    private decimal _feeFixed;
    private FeePayer _feePayer = FeePayer.Freelancer;
    private OverpaymentHandling _overpayment = OverpaymentHandling.RollForward;
    private TimeSpan _reviewWindow = TimeSpan.FromDays(14);
    private TimeSpan _disputeWindow = TimeSpan.FromDays(7);

    /// <summary>Milestone ids are fixed by position, so two builders with the same steps make identical terms.</summary>
    public static Guid MilestoneId(int number) => Guid.Parse($"00000000-0000-0000-0000-{number:D12}");

    public ContractBuilder Titled(string title) { _title = title; return this; }
    public ContractBuilder WithScope(string scope) { _scope = scope; return this; }
    public ContractBuilder WithClient(string name, string email) { _client = (name, email); return this; }
    public ContractBuilder WithFreelancer(string name, string email) { _freelancer = (name, email); return this; }

    /// <summary>The contract currency; <paramref name="fx"/> matters only for fiat.</summary>
    public ContractBuilder In(string currency, FxPolicy fx = FxPolicy.FiatProtected)
    {
        _currency = currency;
        _fx = fx;
        return this;
    }

    public ContractBuilder WithFee(decimal percent, decimal fixedPerMilestone = 0m, FeePayer chargedTo = FeePayer.Freelancer)
    {
        _feePercent = percent;
        _feeFixed = fixedPerMilestone;
        _feePayer = chargedTo;
        return this;
    }

    public ContractBuilder RefundingOverpayments() { _overpayment = OverpaymentHandling.Refund; return this; }
    public ContractBuilder WithReviewWindow(TimeSpan window) { _reviewWindow = window; return this; }
    public ContractBuilder WithDisputeWindow(TimeSpan window) { _disputeWindow = window; return this; }

    public ContractBuilder WithMilestone(decimal amount, DateOnly? dueDate = null, TimeSpan? reviewWindow = null, string? title = null, string deliverable = "Working pages")
    {
        var number = _milestones.Count + 1;
        _milestones.Add(new MilestoneSpec(MilestoneId(number), amount, dueDate, reviewWindow, title ?? $"Milestone {number}", deliverable));
        return this;
    }

    /// <summary>Replaces one milestone (by number) with a changed copy, keeping its id.</summary>
    public ContractBuilder ChangeMilestone(int number, decimal? amount = null, DateOnly? dueDate = null, TimeSpan? reviewWindow = null, string? title = null, string? deliverable = null)
    {
        var m = _milestones[number - 1];
        _milestones[number - 1] = m with
        {
            Amount = amount ?? m.Amount,
            DueDate = dueDate ?? m.DueDate,
            ReviewWindow = reviewWindow ?? m.ReviewWindow,
            Title = title ?? m.Title,
            Deliverable = deliverable ?? m.Deliverable,
        };
        return this;
    }

    public ContractBuilder WithoutMilestone(int number) { _milestones.RemoveAt(number - 1); return this; }

    public ContractBuilder SwapMilestones(int a, int b)
    {
        (_milestones[a - 1], _milestones[b - 1]) = (_milestones[b - 1], _milestones[a - 1]);
        return this;
    }

    public ContractTerms Terms()
    {
        if (_milestones.Count == 0)
            WithMilestone(1m).WithMilestone(2m);
        return ContractTerms.Create(
            _title, _scope,
            Party.Create(_client.Name, _client.Email, "client"),
            Party.Create(_freelancer.Name, _freelancer.Email, "freelancer"),
            _currency,
            FeePolicy.Create(_feePercent, Money.Of(_feeFixed, _currency), _feePayer),
            _fx, _overpayment, _reviewWindow, _disputeWindow,
            _milestones.Select(m => new MilestoneTerms(m.Id, m.Title, m.Deliverable, Money.Of(m.Amount, _currency), m.DueDate, m.ReviewWindow)).ToList());
    }

    public Contract Draft() => Contract.CreateDraft(StoreId, Terms(), Staff, Start);

    public Contract Proposed()
    {
        var contract = Draft();
        contract.Propose(Staff, Start);
        return contract;
    }

    /// <summary>Proposed and accepted by both parties.</summary>
    public Contract Active()
    {
        var contract = Proposed();
        contract.AcceptBoth(Start);
        return contract;
    }
}
