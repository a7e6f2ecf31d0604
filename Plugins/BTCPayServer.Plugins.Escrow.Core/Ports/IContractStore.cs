using BTCPayServer.Plugins.Escrow.Core.Contracts;

namespace BTCPayServer.Plugins.Escrow.Core.Ports;

/// <summary>
/// Loads and saves whole contracts. A save writes the contract, its outbox rows, processed event ids and new audit
/// entries in one transaction, and throws <see cref="ConcurrencyConflictException"/> when another writer saved first.
/// </summary>
public interface IContractStore : IAuditLog, IAsyncDisposable
{
    Task<Contract?> FindAsync(Guid contractId, CancellationToken cancellationToken);

    /// <summary>The contract of a store; another store's contract is "not found", never "forbidden".</summary>
    Task<Contract?> FindInStoreAsync(string storeId, Guid contractId, CancellationToken cancellationToken);

    Task<Contract?> FindByInvoiceAsync(string invoiceId, CancellationToken cancellationToken);

    Task<Contract?> FindByPullPaymentAsync(string pullPaymentId, CancellationToken cancellationToken);

    /// <summary>The contract whose live party link has this token hash (see <see cref="Access.CapabilityToken.HashOf"/>).</summary>
    Task<Contract?> FindByPartyTokenHashAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Every contract that owns one of these funding invoices or pull payments, each loaded whole, in one load: how a
    /// batch of gateway events is read. Ids no contract owns are left out.
    /// </summary>
    Task<IReadOnlyList<Contract>> FindByGatewayIdsAsync(IReadOnlyCollection<string> invoiceIds, IReadOnlyCollection<string> pullPaymentIds, CancellationToken cancellationToken);

    Task AddAsync(Contract contract, CancellationToken cancellationToken);

    Task SaveAsync(Contract contract, CancellationToken cancellationToken);

    /// <summary>
    /// Saves contracts this store loaded in one transaction: all of them or none. A conflict on any of them throws
    /// <see cref="ConcurrencyConflictException"/> and nothing is written.
    /// </summary>
    Task SaveManyAsync(IReadOnlyCollection<Contract> contracts, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the contract as failing its audit check (<see cref="Contract.AuditProblem"/>), on its row only: nothing
    /// else of the contract is written and nothing is appended to its chain. The first problem found is kept.
    /// </summary>
    Task RecordAuditProblemAsync(Guid contractId, string problem, CancellationToken cancellationToken);

    /// <summary>Ids of contracts whose <see cref="Contract.NextTimerAt"/> is at or before <paramref name="now"/> (contracts whose audit check failed wait).</summary>
    Task<IReadOnlyList<Guid>> FindDueForTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>Ids of contracts with queued payout instructions due at or before <paramref name="now"/> (contracts whose audit check failed wait).</summary>
    Task<IReadOnlyList<Guid>> FindWithDuePayoutsAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);
}
