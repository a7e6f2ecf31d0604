using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>Checks a stored chain end to end, including that its head is the one the contract row remembers (so a cut tail shows).</summary>
public sealed class AuditReceipt(IContractStoreFactory stores, IAuditLog log)
{
    public async Task<AuditVerification> VerifyAsync(Guid contractId, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        var contract = await store.FindAsync(contractId, cancellationToken) ?? throw new ContractNotFoundException();
        var result = AuditChain.Verify(await log.ReadAsync(contractId, cancellationToken));
        if (result.IsValid && (result.EntryCount != contract.AuditCount || result.HeadHash != contract.AuditHeadHash))
            return result with
            {
                IsValid = false,
                FirstBrokenSequence = result.EntryCount + 1,
                Problem = $"The chain ends at entry {result.EntryCount}, but the contract recorded {contract.AuditCount} entries.",
            };
        return result;
    }
}
