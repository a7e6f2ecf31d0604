using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Core.Terms;

/// <summary>One milestone as the parties agree to it.</summary>
public sealed record MilestoneTerms(Guid Id, string Title, string Deliverable, Money Amount, DateOnly? DueDate, TimeSpan? ReviewWindow);

/// <summary>Everything both parties agree to. Built only through <see cref="Create"/>, so it is always valid.</summary>
public sealed record ContractTerms
{
    public const int MaxTitleLength = 200;
    public const int MaxScopeLength = 20_000;
    public const int MaxDeliverableLength = 5_000;
    public const int MaxMilestones = 100;
    /// <summary>How far ahead a due date may lie: far enough for any piece of work, near enough that deadline arithmetic stays in range.</summary>
    public const int MaxDueDateYearsAhead = 10;
    public static readonly TimeSpan DefaultReviewWindow = TimeSpan.FromDays(14);
    public static readonly TimeSpan DefaultDisputeResponseWindow = TimeSpan.FromDays(7);
    private static readonly TimeSpan MinWindow = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(365);

    private ContractTerms() { }

    public string Title { get; private init; } = "";
    public string Scope { get; private init; } = "";
    public Party Client { get; private init; } = null!;
    public Party Freelancer { get; private init; } = null!;
    public string Currency { get; private init; } = "";
    public FeePolicy Fee { get; private init; } = null!;
    public FxPolicy Fx { get; private init; }
    public OverpaymentHandling Overpayment { get; private init; }
    public TimeSpan ReviewWindow { get; private init; }
    public TimeSpan DisputeResponseWindow { get; private init; }
    public IReadOnlyList<MilestoneTerms> Milestones { get; private init; } = [];

    public Money Total => Milestones.Aggregate(Money.Zero(Currency), (sum, m) => sum + m.Amount);

    /// <summary>What the client is invoiced in all: the milestones plus any fee charged to the client.</summary>
    public Money ClientTotal => Milestones.Aggregate(Total, (sum, m) => sum + Fee.ClientSurcharge(m.Amount));

    /// <summary>Validates and normalises terms. Due dates are not checked here (see <see cref="EnsureDueDatesFrom"/>).</summary>
    public static ContractTerms Create(
        string? title, string? scope, Party client, Party freelancer, string? currency,
        FeePolicy fee, FxPolicy fx, OverpaymentHandling overpayment,
        TimeSpan reviewWindow, TimeSpan disputeResponseWindow,
        IReadOnlyList<MilestoneTerms> milestones)
    {
        var code = Amounts.Currency.FromCode(currency);
        if (fee.FixedPerMilestone.Currency != code.Code)
            throw new InvalidInputException("fee.fixed", $"The fixed fee must be in the contract currency ({code.Code}).");
        if (!Enum.IsDefined(fx) || !Enum.IsDefined(overpayment))
            throw new InvalidInputException("fx", "Unknown FX or overpayment policy.");
        if (code.IsBitcoin)
            fx = FxPolicy.NotApplicable;
        else if (fx == FxPolicy.NotApplicable)
            throw new InvalidInputException("fx", $"A {code.Code} contract needs an FX policy: fiat-protected or BTC-locked.");
        CheckWindow(reviewWindow, "reviewWindow", "review window");
        CheckWindow(disputeResponseWindow, "disputeResponseWindow", "dispute response window");
        if (milestones.Count == 0)
            throw new InvalidInputException("milestones", "A contract needs at least one milestone.");
        if (milestones.Count > MaxMilestones)
            throw new InvalidInputException("milestones", $"A contract may have at most {MaxMilestones} milestones.");
        if (milestones.Select(m => m.Id).Distinct().Count() != milestones.Count || milestones.Any(m => m.Id == Guid.Empty))
            throw new InvalidInputException("milestones", "Each milestone needs its own id.");

        var checkedMilestones = milestones.Select((m, i) => CheckMilestone(m, i + 1, code)).ToList();
        var terms = new ContractTerms
        {
            Title = Text.Required(title, "title", "title", MaxTitleLength),
            Scope = Text.Optional(scope, "scope", "scope", MaxScopeLength),
            Client = client,
            Freelancer = freelancer,
            Currency = code.Code,
            Fee = fee,
            Fx = fx,
            Overpayment = overpayment,
            ReviewWindow = reviewWindow,
            DisputeResponseWindow = disputeResponseWindow,
            Milestones = checkedMilestones,
        };
        // The client's invoices carry the client-side fee too, so that is what must stay within the currency's range.
        if (terms.ClientTotal.Amount > code.Maximum)
            throw new InvalidInputException("milestones", fee.ChargedTo == FeePayer.Client && terms.Total.Amount <= code.Maximum
                ? $"The milestones plus the fee charged to the client add up to more than the largest amount allowed in {code.Code}."
                : $"The milestones add up to more than the largest amount allowed in {code.Code}.");
        return terms;
    }

    /// <summary>
    /// Refuses due dates before <paramref name="today"/> (except unchanged ones) or more than
    /// <see cref="MaxDueDateYearsAhead"/> years after it; used when terms are first offered or changed.
    /// </summary>
    public void EnsureDueDatesFrom(DateOnly today, IReadOnlySet<Guid>? unchangedMilestones = null)
    {
        var latest = today.AddYears(MaxDueDateYearsAhead);
        foreach (var (m, i) in Milestones.Select((m, i) => (m, i)))
        {
            if (m.DueDate is { } due && due < today && unchangedMilestones?.Contains(m.Id) != true)
                throw new InvalidInputException($"milestones[{i}].dueDate", $"Milestone {i + 1} ('{m.Title}') is due on {due:yyyy-MM-dd}, which is in the past.");
            // 9999-12-31 once passed, then overflowed the deadline arithmetic when the terms were accepted.
            if (m.DueDate is { } far && far > latest)
                throw new InvalidInputException($"milestones[{i}].dueDate", $"Milestone {i + 1} ('{m.Title}') is due on {far:yyyy-MM-dd}; a due date can be at most {MaxDueDateYearsAhead} years ahead ({latest:yyyy-MM-dd}).");
        }
    }

    private static MilestoneTerms CheckMilestone(MilestoneTerms m, int number, Currency currency)
    {
        var field = $"milestones[{number - 1}]";
        if (m.Amount.Currency != currency.Code)
            throw new InvalidInputException($"{field}.amount", $"Milestone {number} must be priced in {currency.Code}.");
        var amount = Money.Of(m.Amount.Amount, currency.Code, $"{field}.amount");
        if (!amount.IsPositive)
            throw new InvalidInputException($"{field}.amount", $"Milestone {number} needs an amount above zero.");
        if (m.ReviewWindow is { } window)
            CheckWindow(window, $"{field}.reviewWindow", "review window");
        return m with
        {
            Title = Text.Required(m.Title, $"{field}.title", $"title of milestone {number}", MaxTitleLength),
            Deliverable = Text.Optional(m.Deliverable, $"{field}.deliverable", $"deliverable of milestone {number}", MaxDeliverableLength),
            Amount = amount,
        };
    }

    private static void CheckWindow(TimeSpan window, string field, string label)
    {
        if (window < MinWindow || window > MaxWindow)
            throw new InvalidInputException(field, $"The {label} must be between 1 hour and 365 days.");
        // The canonical form keeps whole seconds; anything finer would not be part of what the parties sign.
        if (window.Ticks % TimeSpan.TicksPerSecond != 0)
            throw new InvalidInputException(field, $"The {label} must be a whole number of seconds.");
    }
}
