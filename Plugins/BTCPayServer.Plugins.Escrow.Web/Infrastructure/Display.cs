using System.Globalization;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Milestones;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Web.Infrastructure;

/// <summary>Words and badge colours for states, shared by every page.</summary>
public static class Display
{
    public static string Badge(ContractState state) => state switch
    {
        ContractState.Draft => "bg-secondary",
        ContractState.Proposed => "bg-info text-dark",
        ContractState.Active => "bg-primary",
        ContractState.Completed => "bg-success",
        _ => "bg-dark",
    };

    /// <summary>
    /// A closed non-custodial contract whose escrow transactions are not all confirmed, in words ("Paying out —
    /// signatures pending"); null otherwise. The ledger closes a contract at the decision, but the money moves only once
    /// two keys sign and a block confirms it.
    /// </summary>
    public static string? OnChainPayoutState(Contract contract) =>
        contract.IsNonCustodial ? OnChainPayoutState(contract.State, contract.NonCustodial.UnconfirmedPayoutStatus()) : null;

    /// <summary>The same from a contract's state and where its payout spends stand (a row of the staff list).</summary>
    public static string? OnChainPayoutState(ContractState state, Core.NonCustodial.EscrowSpendStatus? unconfirmedPayout)
    {
        if (state is not (ContractState.Completed or ContractState.Cancelled) || unconfirmedPayout is not { } status)
            return null;
        return state == ContractState.Cancelled ? $"Cancelled — refund {Pending(status)}" : $"Paying out — {Pending(status)}";
    }

    private static string Pending(Core.NonCustodial.EscrowSpendStatus status) =>
        status == Core.NonCustodial.EscrowSpendStatus.Collecting ? "signatures pending" : "waiting for a confirmation";

    public static string Badge(Contract contract) => OnChainPayoutState(contract) is null ? Badge(contract.State) : "bg-warning text-dark";

    public static string Badge(ContractListRow row) =>
        OnChainPayoutState(row.State, row.UnconfirmedPayout) is null ? Badge(row.State) : "bg-warning text-dark";

    /// <summary>
    /// A decided non-custodial milestone whose escrow transaction is not confirmed yet, in words ("released — signatures
    /// pending"); null otherwise: the ledger says "released" at the decision, the money moves at the confirmation.
    /// </summary>
    public static string? OnChainPayoutState(Contract contract, Milestone milestone) =>
        contract.IsNonCustodial && contract.NonCustodial.UnconfirmedPayoutStatus(milestone.Id) is { } status
            ? $"{Words(milestone.State)} — {Pending(status)}"
            : null;

    public static string Badge(Contract contract, Milestone milestone) => OnChainPayoutState(contract, milestone) is null ? Badge(milestone.State) : "bg-warning text-dark";

    public static string Badge(MilestoneState state) => state switch
    {
        MilestoneState.Pending => "bg-secondary",
        MilestoneState.Funded => "bg-info text-dark",
        MilestoneState.Submitted or MilestoneState.ChangesRequested => "bg-warning text-dark",
        MilestoneState.Approved or MilestoneState.Released or MilestoneState.Resolved => "bg-success",
        MilestoneState.Disputed => "bg-danger",
        _ => "bg-dark",
    };

    public static string Words(MilestoneState state) => MilestoneTransitions.Describe(state);

    /// <summary>The one date format of every page and form (ISO 8601), whatever the browser's locale.</summary>
    public const string DateFormat = "yyyy-MM-dd";

    public static string Date(DateOnly? date) => date?.ToString(DateFormat, CultureInfo.InvariantCulture) ?? "—";

    public static string Time(DateTimeOffset? at) => at?.UtcDateTime.ToString(DateFormat + " HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "—";
}
