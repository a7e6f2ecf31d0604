using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>Checks a stored chain end to end, including that its head is the one the contract row remembers (so a cut tail shows).</summary>
public sealed class AuditReceipt(IContractStoreFactory stores, IAuditLog log)
{
    private const int MaxAttempts = 5;

    public async Task<AuditVerification> VerifyAsync(Guid contractId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var before = await RecordedHeadAsync(contractId, cancellationToken);
            var result = AuditChain.Verify(await log.ReadAsync(contractId, cancellationToken));
            var after = await RecordedHeadAsync(contractId, cancellationToken);
            // A save between the reads appends entries that one read saw and the other did not: that is a busy
            // contract, not a broken chain, so read again. Unchanged around the log read, the row and the log must agree.
            if (before != after && attempt < MaxAttempts)
                continue;
            if (result.IsValid && (result.EntryCount != after.Count || result.HeadHash != after.Head))
                return result with
                {
                    IsValid = false,
                    FirstBrokenSequence = result.EntryCount + 1,
                    Problem = $"The chain ends at entry {result.EntryCount}, but the contract recorded {after.Count} entries.",
                };
            return result;
        }
    }

    private async Task<(int Count, string Head)> RecordedHeadAsync(Guid contractId, CancellationToken cancellationToken)
    {
        // A store of its own each time: a store that already tracks the contract would return it as first read.
        await using var store = stores.Open();
        var contract = await store.FindAsync(contractId, cancellationToken) ?? throw new ContractNotFoundException();
        return (contract.AuditCount, contract.AuditHeadHash);
    }
}
