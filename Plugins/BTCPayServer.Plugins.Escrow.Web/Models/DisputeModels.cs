using BTCPayServer.Plugins.Escrow.Core;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Disputes;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Web.Models;

public sealed record DisputeQueueModel(string StoreId, IReadOnlyList<DisputeQueueRow> Rows);

/// <param name="Thread">Page of the dispute's messages shown (1: the latest).</param>
public sealed record RulingPageModel(string StoreId, Contract Contract, Milestone Milestone, Dispute Dispute, RulingForm Form, string? Error, int Thread = 1);

public enum SplitUnit
{
    Amount,
    Percent,
}

/// <summary>The agency's ruling: the freelancer's share as an amount or a percent of the milestone, and the reason.</summary>
public sealed class RulingForm
{
    public SplitUnit Unit { get; set; } = SplitUnit.Percent;
    public string? FreelancerShare { get; set; }
    public string? Reason { get; set; }

    public decimal ToFreelancerAmount(Money milestoneAmount)
    {
        var value = Infrastructure.Amounts.ParseAmount(FreelancerShare, "freelancerShare");
        if (Unit == SplitUnit.Amount)
            return value;
        if (value is < 0 or > 100)
            throw new InvalidInputException("freelancerShare", "A percent must be between 0 and 100.");
        // Rounded down to the currency's precision: the freelancer's share never exceeds the percent awarded.
        return milestoneAmount.MultiplyDown(value / 100m).Amount;
    }
}
