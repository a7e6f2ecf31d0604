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

    /// <summary>The badge's words: a closed non-custodial contract still paying out on chain says so.</summary>
    public static string State(Contract contract) => Infrastructure.Display.OnChainPayoutState(contract) ?? State(contract.State);

    public static string For(PartyPageModel page)
    {
        var c = page.Contract;
        var client = c.Client.Name;
        var freelancer = c.Freelancer.Name;
        if (c.State == ContractState.Proposed)
            return page.MustAccept ? "Read the terms below and accept them to start." : $"Waiting for {(page.IsClient ? freelancer : client)} to accept the terms.";
        // Non-custodial: a decided payment moves only once two keys sign it, whatever the ledger already says.
        if (c.IsNonCustodial && NonCustodialStep(page) is { } signing)
            return signing;
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

    /// <summary>The escrow transaction this party has to sign, or is waiting for, if any.</summary>
    private static string? NonCustodialStep(PartyPageModel page)
    {
        var c = page.Contract;
        var me = page.IsClient ? Core.NonCustodial.EscrowRole.Client : Core.NonCustodial.EscrowRole.Freelancer;
        string What(Core.NonCustodial.EscrowSpendRecord spend) =>
            $"the {Infrastructure.EscrowFigures.Kind(spend.Round.Kind)} transaction of milestone {c.Milestones.FirstOrDefault(m => m.Id == spend.MilestoneId)?.Number}";
        var open = c.NonCustodial.Spends.Where(s => s.Status == Core.NonCustodial.EscrowSpendStatus.Collecting).OrderBy(s => s.OpenedAt).ToList();
        if (open.FirstOrDefault(s => s.Round.Rule.Allows(me) && !s.Round.SignedBy.Contains(me) && !s.Round.IsComplete) is { } mine)
            return $"Sign {What(mine)} in your wallet and upload it below: nothing is paid until two of the three keys have signed.";
        // Funding a non-custodial milestone is three steps of two parties: the client prepares it, the freelancer (and
        // the agency) sign its refund, the client sends exactly the prepared transaction.
        if (c.State == ContractState.Active && !page.MustAccept && c.Milestones.Where(x => !x.IsFinal).OrderBy(x => x.Number).FirstOrDefault() is { State: MilestoneState.Pending } next)
        {
            var client = c.Client.Name;
            var escrow = c.NonCustodial.EscrowOf(next.Id);
            if (escrow is null)
                return $"Waiting for milestone {next.Number}'s escrow address: it is made once the contract is active and the three keys are known.";
            if (escrow.Refund is null)
                return page.IsClient
                    ? $"Prepare the payment of milestone {next.Number} ({Infrastructure.EscrowFigures.Btc(escrow.AmountSats)}) in your wallet, unsigned, and upload it below."
                    : $"Waiting for {client} to prepare the funding of milestone {next.Number}. Don't start work before it is funded.";
            if (!escrow.RefundReady)
                return !page.IsClient && !escrow.Refund.SignedBy.Contains(me)
                    ? $"Sign the refund of milestone {next.Number} in your wallet and upload it below: {client} cannot fund the milestone without it."
                    : $"Waiting for {escrow.Refund.StillNeeded()} to sign the refund of milestone {next.Number}.{(page.IsClient ? " Don't send the funding yet." : " Don't start work before it is funded.")}";
            return page.IsClient
                ? $"Sign and send, in your wallet, the funding of milestone {next.Number} you prepared (transaction {escrow.FundingTxId}); it counts once a block confirms it."
                : $"Waiting for {client} to send the funding of milestone {next.Number}. Don't start work before it is funded.";
        }
        // Waiting on others is the step only when nothing else is left to this party (an active contract's own next
        // step, such as funding the next milestone, comes first).
        if (c.State == ContractState.Active && c.Milestones.Any(m => !m.IsFinal))
            return null;
        if (open.FirstOrDefault() is { } waiting)
            return $"Waiting for {waiting.Round.StillNeeded()} to sign {What(waiting)}; nothing is paid until then.";
        if (c.NonCustodial.Spends.FirstOrDefault(s => s.Status == Core.NonCustodial.EscrowSpendStatus.Broadcast) is { } sent)
            return $"{char.ToUpperInvariant(What(sent)[0])}{What(sent)[1..]} is signed and sent to the Bitcoin network; it is paid once a block confirms it.";
        return null;
    }
}
