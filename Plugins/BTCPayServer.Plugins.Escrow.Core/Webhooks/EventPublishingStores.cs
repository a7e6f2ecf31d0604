using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Contracts;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Webhooks;

/// <summary>
/// Contract storage that, after each successful save, hands the events of the audit entries it saved to the sink.
/// Every act is saved through a store, so wrapping the factory covers them all; a sink that fails is ignored: the act
/// is saved and stays saved.
/// </summary>
public sealed class EventPublishingStores(IContractStoreFactory inner, IEscrowEventSink sink) : IContractStoreFactory
{
    public IContractStore Open() => new Store(inner.Open(), sink);

    private sealed class Store(IContractStore inner, IEscrowEventSink sink) : IContractStore
    {
        public async Task AddAsync(Contract contract, CancellationToken cancellationToken)
        {
            var events = EventsOf(contract);
            await inner.AddAsync(contract, cancellationToken);
            await PublishAsync(events, cancellationToken);
        }

        public async Task SaveAsync(Contract contract, CancellationToken cancellationToken)
        {
            var events = EventsOf(contract);
            await inner.SaveAsync(contract, cancellationToken);
            await PublishAsync(events, cancellationToken);
        }

        public async Task SaveManyAsync(IReadOnlyCollection<Contract> contracts, CancellationToken cancellationToken)
        {
            var events = contracts.SelectMany(EventsOf).ToList();
            await inner.SaveManyAsync(contracts, cancellationToken);
            await PublishAsync(events, cancellationToken);
        }

        private static List<EscrowEvent> EventsOf(Contract contract) =>
            contract.UnsavedAuditEntries.Select(e => EscrowEvent.From(contract, e)).OfType<EscrowEvent>().ToList();

        private async Task PublishAsync(IReadOnlyList<EscrowEvent> events, CancellationToken cancellationToken)
        {
            if (events.Count == 0)
                return;
            try
            {
                await sink.PublishAsync(events, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The act is saved; a webhook outbox that cannot be written must not turn it into an error for the person acting.
            }
        }

        public Task<Contract?> FindAsync(Guid contractId, CancellationToken cancellationToken) => inner.FindAsync(contractId, cancellationToken);
        public Task<Contract?> FindInStoreAsync(string storeId, Guid contractId, CancellationToken cancellationToken) => inner.FindInStoreAsync(storeId, contractId, cancellationToken);
        public Task<Contract?> FindByInvoiceAsync(string invoiceId, CancellationToken cancellationToken) => inner.FindByInvoiceAsync(invoiceId, cancellationToken);
        public Task<Contract?> FindByPullPaymentAsync(string pullPaymentId, CancellationToken cancellationToken) => inner.FindByPullPaymentAsync(pullPaymentId, cancellationToken);
        public Task<Contract?> FindByPartyTokenHashAsync(string tokenHash, CancellationToken cancellationToken) => inner.FindByPartyTokenHashAsync(tokenHash, cancellationToken);
        public Task<IReadOnlyList<Contract>> FindByGatewayIdsAsync(IReadOnlyCollection<string> invoiceIds, IReadOnlyCollection<string> pullPaymentIds, CancellationToken cancellationToken) =>
            inner.FindByGatewayIdsAsync(invoiceIds, pullPaymentIds, cancellationToken);
        public Task RecordAuditProblemAsync(Guid contractId, string problem, CancellationToken cancellationToken) => inner.RecordAuditProblemAsync(contractId, problem, cancellationToken);
        public Task<IReadOnlyList<Guid>> FindDueForTimersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) => inner.FindDueForTimersAsync(now, max, cancellationToken);
        public Task<IReadOnlyList<Guid>> FindWithDuePayoutsAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) => inner.FindWithDuePayoutsAsync(now, max, cancellationToken);
        public Task<IReadOnlyList<AuditEntry>> ReadAsync(Guid contractId, CancellationToken cancellationToken) => inner.ReadAsync(contractId, cancellationToken);
        public Task<RecordedAuditHead?> ReadRecordedHeadAsync(Guid contractId, CancellationToken cancellationToken) => inner.ReadRecordedHeadAsync(contractId, cancellationToken);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
