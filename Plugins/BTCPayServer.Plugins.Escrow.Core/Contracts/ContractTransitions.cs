namespace BTCPayServer.Plugins.Escrow.Core.Contracts;

/// <summary>The contract's only table of allowed moves.</summary>
public static class ContractTransitions
{
    private static readonly Dictionary<ContractState, ContractState[]> Allowed = new()
    {
        [ContractState.Draft] = [ContractState.Proposed, ContractState.Cancelled],
        [ContractState.Proposed] = [ContractState.Active, ContractState.Draft, ContractState.Cancelled],
        [ContractState.Active] = [ContractState.Completed, ContractState.Cancelled],
        [ContractState.Completed] = [],
        [ContractState.Cancelled] = [],
    };

    public static bool IsAllowed(ContractState from, ContractState to) => Allowed[from].Contains(to);

    public static bool IsFinal(ContractState state) => Allowed[state].Length == 0;

    internal static void Ensure(ContractState from, ContractState to, string act)
    {
        if (!IsAllowed(from, to))
            throw new InvalidTransitionException("contract.invalid-transition", $"The contract cannot be {act} while it is {Describe(from)}.");
    }

    public static string Describe(ContractState state) => state switch
    {
        ContractState.Draft => "a draft",
        ContractState.Proposed => "waiting for both parties to accept",
        ContractState.Active => "active",
        ContractState.Completed => "completed",
        ContractState.Cancelled => "cancelled",
        _ => state.ToString(),
    };
}
