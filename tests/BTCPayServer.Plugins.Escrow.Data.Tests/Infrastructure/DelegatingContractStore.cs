using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Data.Tests.Infrastructure;

/// <summary>A store that hands every call to a real one; a test overrides only what it watches or stages.</summary>
internal abstract class DelegatingContractStore(IContractStore inner) : IContractStore
{
    public virtual Task<Contract?> FindAsync(Guid contractId, CancellationToken ct) => inner.FindAsync(contractId, ct);
    public virtual Task<Contract?> FindInStoreAsync(string storeId, Guid contractId, CancellationToken ct) => inner.FindInStoreAsync(storeId, contractId, ct);
    public virtual Task<Contract?> FindByInvoiceAsync(string invoiceId, CancellationToken ct) => inner.FindByInvoiceAsync(invoiceId, ct);
    public virtual Task<Contract?> FindByPullPaymentAsync(string pullPaymentId, CancellationToken ct) => inner.FindByPullPaymentAsync(pullPaymentId, ct);
    public virtual Task<Contract?> FindByPartyTokenHashAsync(string tokenHash, CancellationToken ct) => inner.FindByPartyTokenHashAsync(tokenHash, ct);
    public virtual Task<IReadOnlyList<Contract>> FindByGatewayIdsAsync(IReadOnlyCollection<string> invoiceIds, IReadOnlyCollection<string> pullPaymentIds, CancellationToken ct) =>
        inner.FindByGatewayIdsAsync(invoiceIds, pullPaymentIds, ct);
    public virtual Task<IReadOnlyList<Guid>> FindDueForTimersAsync(DateTimeOffset now, int max, CancellationToken ct) => inner.FindDueForTimersAsync(now, max, ct);
    public virtual Task<IReadOnlyList<Guid>> FindWithDuePayoutsAsync(DateTimeOffset now, int max, CancellationToken ct) => inner.FindWithDuePayoutsAsync(now, max, ct);
    public virtual Task AddAsync(Contract contract, CancellationToken ct) => inner.AddAsync(contract, ct);
    public virtual Task SaveAsync(Contract contract, CancellationToken ct) => inner.SaveAsync(contract, ct);
    public virtual Task SaveManyAsync(IReadOnlyCollection<Contract> contracts, CancellationToken ct) => inner.SaveManyAsync(contracts, ct);
    public virtual Task RecordAuditProblemAsync(Guid contractId, string problem, CancellationToken ct) => inner.RecordAuditProblemAsync(contractId, problem, ct);
    public virtual Task<IReadOnlyList<Core.Audit.AuditEntry>> ReadAsync(Guid contractId, CancellationToken ct) => inner.ReadAsync(contractId, ct);
    public virtual Task<RecordedAuditHead?> ReadRecordedHeadAsync(Guid contractId, CancellationToken ct) => inner.ReadRecordedHeadAsync(contractId, ct);
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
