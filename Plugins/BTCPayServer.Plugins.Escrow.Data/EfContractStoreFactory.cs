using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Data;

/// <summary>
/// Opens a store over a fresh context for each unit of work (see <see cref="IContractStoreFactory"/>), and reads audit
/// chains the same way, so a host can register one instance for both ports.
/// </summary>
public sealed class EfContractStoreFactory(Func<EscrowDbContext> createContext) : IContractStoreFactory, IAuditLog
{
    public IContractStore Open() => new EfContractStore(createContext());

    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(Guid contractId, CancellationToken cancellationToken)
    {
        await using var store = new EfContractStore(createContext());
        return await store.ReadAsync(contractId, cancellationToken);
    }

    public async Task<RecordedAuditHead?> ReadRecordedHeadAsync(Guid contractId, CancellationToken cancellationToken)
    {
        await using var store = new EfContractStore(createContext());
        return await store.ReadRecordedHeadAsync(contractId, cancellationToken);
    }
}
