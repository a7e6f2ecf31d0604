using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;

namespace BTCPayServer.Plugins.Escrow.Web.Models;

/// <summary>The contract's state and this party's next step, in words.</summary>
public static class PartyNextStep
{
    public static string State(ContractState state) => state switch
    {
        ContractState.Draft => "Draft",
        ContractState.Proposed => "Waiting for both parties to accept the terms",
        ContractState.Active => "In progress",
        ContractState.Completed => "Completed",
        ContractState.Cancelled => "Cancelled",
        _ => state.ToString(),
    };

    public static string For(PartyPageModel page)
    {
        var c = page.Contract;
        var client = c.Client.Name;
        var freelancer = c.Freelancer.Name;
        if (c.State == ContractState.Proposed)
            return page.MustAccept ? "Read the terms below and accept them to start." : $"Waiting for {(page.IsClient ? freelancer : client)} to accept the terms.";
        if (c.State == ContractState.Completed)
            return "Nothing left to do: every milestone is closed.";
        if (c.State == ContractState.Cancelled)
            return "The contract was cancelled.";
        if (c.State != ContractState.Active)
            return "";
        if (page.MustAccept)
            return "The terms were changed: read what changed below and accept them to go on.";
        var m = c.Milestones.Where(x => !x.IsFinal).OrderBy(x => x.Number).FirstOrDefault();
        if (m is null)
            return "Waiting for the last payments to go out.";
        var money = MilestoneMoney.Of(c, m);
        var due = m.DueDate is { } d ? $", due {d:yyyy-MM-dd}" : "";
        return m.State switch
        {
            MilestoneState.Pending when money.HeldLate.IsPositive => page.IsClient
                ? $"Your late payment of {money.HeldLate} for milestone {m.Number} is held for the agency's decision; you don't need to pay again."
                : $"A late payment for milestone {m.Number} is held for the agency's decision. Don't start work before it is funded.",
            MilestoneState.Pending => page.IsClient
                ? $"Fund milestone {m.Number} ({money.StillToPay}{(money.FeePaidBy == FeePayer.Client && money.HasFee ? $" incl. {money.Fee} fee" : "")})."
                : $"Waiting for {client} to fund milestone {m.Number}. Don't start work before it is funded.",
            MilestoneState.Funded or MilestoneState.ChangesRequested => page.IsClient
                ? $"Waiting for {freelancer} to deliver milestone {m.Number}{due}."
                : $"Deliver milestone {m.Number}{due}.",
            MilestoneState.Submitted => page.IsClient
                ? $"Review milestone {m.Number}: approve or request changes by {Infrastructure.Display.Time(m.ReviewDeadline)}, or it is approved automatically."
                : $"Waiting for {client} to review milestone {m.Number}; without an answer it is approved on {Infrastructure.Display.Time(m.ReviewDeadline)}.",
            MilestoneState.Disputed => $"Milestone {m.Number} is in dispute: agree on a split below, or the agency decides.",
            _ => $"Milestone {m.Number} is {Infrastructure.Display.Words(m.State)}.",
        };
    }
}
