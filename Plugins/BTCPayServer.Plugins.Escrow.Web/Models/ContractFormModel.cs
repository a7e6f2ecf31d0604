using System.Globalization;
using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Terms;
using BTCPayServer.Plugins.Escrow.Web.Infrastructure;

namespace BTCPayServer.Plugins.Escrow.Web.Models;

public sealed class PartyFormModel
{
    public string? Name { get; set; }
    public string? Email { get; set; }
}

public sealed class FeeFormModel
{
    public string? Percent { get; set; } = "0";
    public string? Fixed { get; set; } = "0";
    public FeePayer ChargedTo { get; set; }
}

public sealed class MilestoneFormModel
{
    public Guid? Id { get; set; }
    public string? Title { get; set; }
    public string? Deliverable { get; set; }
    public string? Amount { get; set; }
    public DateOnly? DueDate { get; set; }
    /// <summary>Days; empty uses the contract's review window.</summary>
    public int? ReviewWindow { get; set; }
}

/// <summary>The agency's contract form. Property names mirror Core's field names so refusals land next to their field.</summary>
public sealed class ContractFormModel
{
    public string? Title { get; set; }
    public string? Scope { get; set; }
    public PartyFormModel Client { get; set; } = new();
    public PartyFormModel Freelancer { get; set; } = new();
    public string? Currency { get; set; } = "BTC";
    public FxPolicy Fx { get; set; } = FxPolicy.FiatProtected;
    public FeeFormModel Fee { get; set; } = new();
    public OverpaymentHandling Overpayment { get; set; }
    /// <summary>Days.</summary>
    public int ReviewWindow { get; set; } = 14;
    /// <summary>Days.</summary>
    public int DisputeResponseWindow { get; set; } = 7;
    public List<MilestoneFormModel> Milestones { get; set; } = [new()];
    /// <summary>Custodial (the store's wallet holds the money) or non-custodial (2-of-3 multisig per milestone, BTC only).</summary>
    public Core.Contracts.CustodyMode Custody { get; set; }

    /// <summary>Builds valid terms or throws the first refusal, naming its field.</summary>
    public ContractTerms ToTerms()
    {
        var currency = Core.Amounts.Currency.FromCode(Currency).Code;
        // An emptied fee field means no fee of that kind.
        var percent = Amounts.ParseNumber(Fee.Percent, "fee.percent", "fee percent", whenEmpty: 0m);
        var fixedFee = Money.Of(Amounts.ParseNumber(Fee.Fixed, "fee.fixed", "fixed fee", whenEmpty: 0m), currency, "fee.fixed");
        var milestones = Milestones.Select((m, i) => new MilestoneTerms(
            m.Id is { } id && id != Guid.Empty ? id : Guid.NewGuid(),
            m.Title ?? "",
            m.Deliverable ?? "",
            Money.Of(Amounts.ParseNumber(m.Amount, $"milestones[{i}].amount", $"amount of milestone {i + 1}"), currency, $"milestones[{i}].amount"),
            m.DueDate,
            m.ReviewWindow is { } days ? Days(days, $"milestones[{i}].reviewWindow") : null)).ToList();
        return ContractTerms.Create(
            Title, Scope,
            Party.Create(Client.Name, Client.Email, "client"),
            Party.Create(Freelancer.Name, Freelancer.Email, "freelancer"),
            currency,
            FeePolicy.Create(percent, fixedFee, Fee.ChargedTo),
            Fx, Overpayment,
            Days(ReviewWindow, "reviewWindow"), Days(DisputeResponseWindow, "disputeResponseWindow"),
            milestones);
    }

    public static ContractFormModel From(ContractTerms terms) => new()
    {
        Title = terms.Title,
        Scope = terms.Scope,
        Client = new PartyFormModel { Name = terms.Client.Name, Email = terms.Client.Email },
        Freelancer = new PartyFormModel { Name = terms.Freelancer.Name, Email = terms.Freelancer.Email },
        Currency = terms.Currency,
        Fx = terms.Fx,
        Fee = new FeeFormModel
        {
            Percent = terms.Fee.Percent.ToString("0.##", CultureInfo.InvariantCulture),
            Fixed = terms.Fee.FixedPerMilestone.FormatAmount(),
            ChargedTo = terms.Fee.ChargedTo,
        },
        Overpayment = terms.Overpayment,
        ReviewWindow = (int)Math.Round(terms.ReviewWindow.TotalDays),
        DisputeResponseWindow = (int)Math.Round(terms.DisputeResponseWindow.TotalDays),
        Milestones = terms.Milestones.Select(m => new MilestoneFormModel
        {
            Id = m.Id,
            Title = m.Title,
            Deliverable = m.Deliverable,
            Amount = m.Amount.FormatAmount(),
            DueDate = m.DueDate,
            ReviewWindow = m.ReviewWindow is { } w ? (int)Math.Round(w.TotalDays) : null,
        }).ToList(),
    };

    private static TimeSpan Days(int days, string field)
    {
        if (days is < 1 or > 365)
            throw new InvalidInputException(field, "Enter a number of days from 1 to 365.");
        return TimeSpan.FromDays(days);
    }
}
