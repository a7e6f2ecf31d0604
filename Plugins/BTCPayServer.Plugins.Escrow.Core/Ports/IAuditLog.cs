using BTCPayServer.Plugins.Escrow.Core.Audit;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>Reads a contract's stored audit chain, oldest first. Entries are only ever appended by <see cref="IContractStore"/>.</summary>
public interface IAuditLog
{
    Task<IReadOnlyList<AuditEntry>> ReadAsync(Guid contractId, CancellationToken cancellationToken);

    /// <summary>What the contract row records of its chain (entry count and head hash), or null when there is no such contract.</summary>
    Task<RecordedAuditHead?> ReadRecordedHeadAsync(Guid contractId, CancellationToken cancellationToken);
}

/// <summary>The chain's length and last hash as the contract row remembers them, saved with every act.</summary>
public sealed record RecordedAuditHead(int Count, string Head);
