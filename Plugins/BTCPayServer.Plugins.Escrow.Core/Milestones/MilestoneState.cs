namespace BTCPayServer.Plugins.Escrow.Core.Milestones;

public enum MilestoneState
{
    /// <summary>Not (fully) funded yet.</summary>
    Pending,
    Funded,
    Submitted,
    ChangesRequested,
    /// <summary>Approved; its release is queued in the outbox.</summary>
    Approved,
    /// <summary>The freelancer's claim link exists.</summary>
    Released,
    Disputed,
    /// <summary>A dispute ended in a split, agreed or ruled.</summary>
    Resolved,
    /// <summary>Ended before it was funded.</summary>
    Cancelled,
    /// <summary>Ended with what was funded going back to the client.</summary>
    Refunded,
}

/// <summary>The milestone's only table of allowed moves. Everything else throws.</summary>
public static class MilestoneTransitions
{
    private static readonly Dictionary<MilestoneState, MilestoneState[]> Allowed = new()
    {
        [MilestoneState.Pending] = [MilestoneState.Funded, MilestoneState.Cancelled],
        [MilestoneState.Funded] = [MilestoneState.Submitted, MilestoneState.Disputed, MilestoneState.Refunded, MilestoneState.Pending],
        [MilestoneState.Submitted] = [MilestoneState.ChangesRequested, MilestoneState.Approved, MilestoneState.Disputed],
        [MilestoneState.ChangesRequested] = [MilestoneState.Submitted, MilestoneState.Disputed],
        [MilestoneState.Approved] = [MilestoneState.Released],
        [MilestoneState.Disputed] = [MilestoneState.Resolved],
        [MilestoneState.Released] = [],
        [MilestoneState.Resolved] = [],
        [MilestoneState.Cancelled] = [],
        [MilestoneState.Refunded] = [],
    };

    public static bool IsAllowed(MilestoneState from, MilestoneState to) => Allowed[from].Contains(to);

    public static IReadOnlyList<MilestoneState> From(MilestoneState state) => Allowed[state];

    public static bool IsFinal(MilestoneState state) => Allowed[state].Length == 0;

    /// <summary>Funded states a dispute may be opened from.</summary>
    public static bool IsDisputable(MilestoneState state) => IsAllowed(state, MilestoneState.Disputed);

    internal static void Ensure(MilestoneState from, MilestoneState to, int number, string act)
    {
        if (!IsAllowed(from, to))
            throw new InvalidTransitionException("milestone.invalid-transition",
                $"Milestone {number} cannot be {act} while it is {Describe(from)}.");
    }

    public static string Describe(MilestoneState state) => state switch
    {
        MilestoneState.Pending => "waiting for funding",
        MilestoneState.Funded => "funded and waiting for a delivery",
        MilestoneState.Submitted => "submitted for review",
        MilestoneState.ChangesRequested => "waiting for requested changes",
        MilestoneState.Approved => "approved and being released",
        MilestoneState.Released => "released",
        MilestoneState.Disputed => "in dispute",
        MilestoneState.Resolved => "resolved",
        MilestoneState.Cancelled => "cancelled",
        MilestoneState.Refunded => "refunded",
        _ => state.ToString(),
    };
}
