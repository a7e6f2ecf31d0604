using BTCPayServer.Plugins.Escrow.Core.Audit;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>Reads a contract's stored audit chain, oldest first. Entries are only ever appended by <see cref="IContractStore"/>.</summary>
public interface IAuditLog
{
    Task<IReadOnlyList<AuditEntry>> ReadAsync(Guid contractId, CancellationToken cancellationToken);
}
