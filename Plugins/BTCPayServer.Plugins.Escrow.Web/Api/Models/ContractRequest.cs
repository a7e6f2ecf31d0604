using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Web.Models;

namespace BTCPayServer.Plugins.Escrow.Web.Api.Models;

public sealed record PartyRequest(string? Name, string? Email);

/// <summary>The agency fee: percent (0–50, at most 2 decimals) and/or a fixed amount per milestone in the contract currency.</summary>
public sealed record FeeRequest(string? Percent, string? Fixed, FeePayer? ChargedTo);

/// <summary>One milestone. Give the <c>id</c> of an existing milestone to change it; leave it out for a new one.</summary>
public sealed record MilestoneRequest(Guid? Id, string? Title, string? Deliverable, string? Amount, DateOnly? DueDate, int? ReviewWindow);

/// <summary>
/// Contract terms. Creating: fields left out take the store's escrow settings (currency, FX, fee, overpayment,
/// windows). Changing: fields left out keep the contract's current value; <c>milestones</c>, when given, is the whole
/// new list. Amounts are strings in the contract currency ("250.00"); windows are whole days (1–365). <c>custody</c>:
/// <c>NonCustodial</c> (a 2-of-3 multisig escrow per milestone, BTC contracts only, chosen while a draft) or
/// <c>Custodial</c>; left out, a new draft is custodial and a changed one keeps its mode.
/// </summary>
public record ContractRequest
{
    public string? Title { get; init; }
    public string? Scope { get; init; }
    public PartyRequest? Client { get; init; }
    public PartyRequest? Freelancer { get; init; }
    public string? Currency { get; init; }
    public FxPolicy? Fx { get; init; }
    public FeeRequest? Fee { get; init; }
    public OverpaymentHandling? Overpayment { get; init; }
    public int? ReviewWindow { get; init; }
    public int? DisputeResponseWindow { get; init; }
    public IReadOnlyList<MilestoneRequest>? Milestones { get; init; }
    public CustodyMode? Custody { get; init; }

    /// <summary>The request laid over <paramref name="form"/> (the defaults or the current terms), checked by the form's own rules.</summary>
    public ContractFormModel Over(ContractFormModel form)
    {
        form.Title = Title ?? form.Title;
        form.Scope = Scope ?? form.Scope;
        form.Client = Client is null ? form.Client : new PartyFormModel { Name = Client.Name, Email = Client.Email };
        form.Freelancer = Freelancer is null ? form.Freelancer : new PartyFormModel { Name = Freelancer.Name, Email = Freelancer.Email };
        form.Currency = Currency ?? form.Currency;
        form.Fx = Fx ?? form.Fx;
        if (Fee is not null)
            form.Fee = new FeeFormModel { Percent = Fee.Percent ?? "0", Fixed = Fee.Fixed ?? "0", ChargedTo = Fee.ChargedTo ?? form.Fee.ChargedTo };
        form.Overpayment = Overpayment ?? form.Overpayment;
        form.ReviewWindow = ReviewWindow ?? form.ReviewWindow;
        form.DisputeResponseWindow = DisputeResponseWindow ?? form.DisputeResponseWindow;
        form.Custody = Custody ?? form.Custody;
        if (Milestones is not null)
            form.Milestones = Milestones.Select((m, i) => m is null
                ? throw new Core.InvalidInputException($"milestones[{i}]", $"Milestone {i + 1} must be an object with a title and an amount.")
                : new MilestoneFormModel
            {
                Id = m.Id, Title = m.Title, Deliverable = m.Deliverable, Amount = m.Amount, DueDate = m.DueDate, ReviewWindow = m.ReviewWindow,
            }).ToList();
        return form;
    }
}

/// <summary>A change of terms: the new terms, and the contract version they were written against (required).</summary>
public sealed record ContractUpdateRequest : ContractRequest
{
    public long? Version { get; init; }
}

/// <summary>An act on a contract; <c>version</c>, when given, must be the contract's current version (else 409).</summary>
public sealed record ContractActRequest(long? Version = null);

public sealed record CancelRequest(string? Reason = null, long? Version = null);
