using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Terms;

namespace BTCPayServer.Plugins.Escrow.Web.Models;

/// <summary>What an amendment changes against the terms a party accepted, in sentences a party can check before accepting again.</summary>
public static class TermsChanges
{
    public static IReadOnlyList<string> Between(ContractTerms accepted, ContractTerms offered)
    {
        var changes = new List<string>();
        if (accepted.Title != offered.Title)
            changes.Add($"Title: \"{accepted.Title}\" becomes \"{offered.Title}\".");
        if (accepted.Scope != offered.Scope)
            changes.Add("The scope text was changed.");
        if (FeeWords(accepted.Fee) != FeeWords(offered.Fee))
            changes.Add($"Agency fee: {FeeWords(accepted.Fee)} becomes {FeeWords(offered.Fee)}.");
        if (accepted.Fx != offered.Fx)
            changes.Add($"Exchange-rate policy: {FxWords(accepted.Fx)} becomes {FxWords(offered.Fx)}.");
        if (accepted.Overpayment != offered.Overpayment)
            changes.Add($"Overpayments: {OverpaymentWords(accepted.Overpayment)} becomes {OverpaymentWords(offered.Overpayment)}.");
        if (accepted.ReviewWindow != offered.ReviewWindow)
            changes.Add($"Review window: {accepted.ReviewWindow.TotalDays:0.##} days becomes {offered.ReviewWindow.TotalDays:0.##} days.");
        if (accepted.DisputeResponseWindow != offered.DisputeResponseWindow)
            changes.Add($"Time to agree on a split: {accepted.DisputeResponseWindow.TotalDays:0.##} days becomes {offered.DisputeResponseWindow.TotalDays:0.##} days.");

        var before = accepted.Milestones.Select((m, i) => (m, n: i + 1)).ToDictionary(x => x.m.Id);
        var after = offered.Milestones.Select((m, i) => (m, n: i + 1)).ToDictionary(x => x.m.Id);
        foreach (var (m, n) in accepted.Milestones.Select((m, i) => (m, i + 1)).Where(x => !after.ContainsKey(x.m.Id)))
            changes.Add($"Milestone {n} \"{m.Title}\" ({m.Amount}) was removed.");
        foreach (var (m, n) in offered.Milestones.Select((m, i) => (m, i + 1)))
        {
            if (!before.TryGetValue(m.Id, out var old))
            {
                changes.Add($"Milestone {n} \"{m.Title}\" ({m.Amount}{Due(m.DueDate, ", due ")}) was added.");
                continue;
            }
            var what = new List<string>();
            if (old.m.Title != m.Title) what.Add($"title \"{old.m.Title}\" becomes \"{m.Title}\"");
            if (old.m.Amount != m.Amount) what.Add($"amount {old.m.Amount} becomes {m.Amount}");
            if (old.m.DueDate != m.DueDate) what.Add($"due date {Due(old.m.DueDate, "")} becomes {Due(m.DueDate, "")}");
            if (old.m.Deliverable != m.Deliverable) what.Add("deliverable text changed");
            if (old.m.ReviewWindow != m.ReviewWindow) what.Add("review window changed");
            if (what.Count > 0)
                changes.Add($"Milestone {n} \"{m.Title}\": {string.Join("; ", what)}.");
        }
        if (accepted.Total != offered.Total)
            changes.Add($"Contract total: {accepted.Total} becomes {offered.Total}.");
        return changes;
    }

    public static string FeeWords(FeePolicy fee) => fee.IsFree
        ? "none"
        : $"{fee.Percent:0.##}% + {fee.FixedPerMilestone} per milestone, paid by the {(fee.ChargedTo == FeePayer.Client ? "client on top of each milestone" : "freelancer out of each payment")}";

    public static string FxWords(FxPolicy fx) => fx switch
    {
        FxPolicy.BtcLocked => "BTC-locked (payouts are the BTC received)",
        FxPolicy.FiatProtected => "fiat-protected (payouts are the contract amount; the agency carries the exchange-rate risk)",
        _ => "not applicable",
    };

    public static string OverpaymentWords(OverpaymentHandling o) =>
        o == OverpaymentHandling.RollForward ? "rolled forward to the next milestone" : "refunded";

    private static string Due(DateOnly? d, string prefix) => d is { } date ? $"{prefix}{date:yyyy-MM-dd}" : prefix.Length > 0 ? "" : "none";
}
