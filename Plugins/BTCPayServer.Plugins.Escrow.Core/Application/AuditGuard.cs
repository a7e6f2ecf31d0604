using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>
/// No money leaves the escrow for a contract whose audit log does not verify. The check reads what is stored (every
/// entry, and the head the contract row recorded; see <see cref="AuditReceipt"/>), not the chain in memory, which
/// was rebuilt from the row and would look fine after an entry was changed in the database. A failed check is kept on
/// the contract row (<see cref="Contract.AuditProblem"/>) so the staff pages flag it and later acts refuse at once.
/// Only acts that decide a payout and the outbox pay this read; messages, submissions and incoming payments (which
/// only add money, and whose refunds wait in the outbox) do not.
/// </summary>
public static class AuditGuard
{
    public const int MaxProblemLength = 500;

    /// <summary>Throws <see cref="AuditLogBrokenException"/> unless the stored chain verifies; records a new failure first.</summary>
    public static async Task EnsureVerifiesAsync(IContractStore store, Contract contract, CancellationToken cancellationToken)
    {
        if (contract.AuditProblem is { } known)
            throw new AuditLogBrokenException(known);
        var verification = await new AuditReceipt(store).VerifyAsync(contract.Id, cancellationToken);
        if (verification.IsValid)
            return;
        var problem = Describe(verification);
        await RecordAsync(store, contract.Id, verification, cancellationToken);
        throw new AuditLogBrokenException(problem);
    }

    /// <summary>Keeps a failed check on the contract row (the first problem found stays).</summary>
    public static Task RecordAsync(IContractStore store, Guid contractId, AuditVerification verification, CancellationToken cancellationToken) =>
        verification.IsValid ? Task.CompletedTask : store.RecordAuditProblemAsync(contractId, Describe(verification), cancellationToken);

    private static string Describe(AuditVerification verification)
    {
        var problem = verification.Problem ?? $"Entry {verification.FirstBrokenSequence} does not verify.";
        return problem.Length > MaxProblemLength ? problem[..MaxProblemLength] : problem;
    }
}
