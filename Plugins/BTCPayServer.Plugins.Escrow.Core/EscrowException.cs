namespace BTCPayServer.Plugins.Escrow.Core;

/// <summary>A rule of the escrow was broken; the message is written for the person who tried.</summary>
public class EscrowException(string code, string message) : Exception(message)
{
    /// <summary>Stable machine-readable reason, e.g. <c>milestone.invalid-transition</c>.</summary>
    public string Code { get; } = code;
}

/// <summary>A state machine was asked for a move its table does not allow.</summary>
public sealed class InvalidTransitionException(string code, string message) : EscrowException(code, message);

/// <summary>Input that can never be accepted (empty title, negative amount, unknown currency...).</summary>
public sealed class InvalidInputException(string field, string message) : EscrowException("input.invalid", message)
{
    public string Field { get; } = field;
}

/// <summary>Someone else changed the contract between this actor's read and write.</summary>
public sealed class ConcurrencyConflictException(Guid contractId)
    : EscrowException("contract.conflict", "The contract was changed by someone else at the same time. Reload it and try again.")
{
    public Guid ContractId { get; } = contractId;
}

public class NotFoundException(string what) : EscrowException("not-found", $"{what} was not found.");

/// <summary>The contract itself is unknown here (or hidden: another store's, or a dead party link). Hosts answer 404.</summary>
public sealed class ContractNotFoundException() : NotFoundException("The contract");

/// <summary>
/// The contract's stored audit log does not verify (an entry was changed, removed or added outside a save), so no
/// money may leave the escrow for it until the agency has investigated.
/// </summary>
public sealed class AuditLogBrokenException(string? problem = null)
    : EscrowException("audit.broken", Refusal)
{
    public const string Refusal = "This contract's audit log does not verify; no money can move until the agency investigates.";

    /// <summary>What the check found, for staff and logs (the message stays the same for everyone).</summary>
    public string? Problem { get; } = problem;
}
