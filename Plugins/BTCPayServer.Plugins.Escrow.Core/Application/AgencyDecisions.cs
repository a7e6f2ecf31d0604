using BTCPayServer.Plugins.Escrow.Core.Audit;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>What only the agency decides: dispute rulings and what to do with late payments.</summary>
public sealed class AgencyDecisions(IContractStoreFactory stores, TimeProvider clock, IEscrowNotifier? notifier = null)
{
    private readonly ContractUnitOfWork _work = new(stores, notifier);

    public Task EscalateDisputeAsync(string storeId, Guid contractId, Guid milestoneId, Actor agency, CancellationToken cancellationToken, long? expectedRevision = null) =>
        _work.ActAsync(ContractDrafting.InStore(storeId, contractId, expectedRevision), c => { c.EscalateDispute(milestoneId, agency, clock.GetUtcNow()); return true; }, cancellationToken);

    public Task RuleOnDisputeAsync(string storeId, Guid contractId, Guid milestoneId, decimal freelancerAmount, string? reason, Actor agency, CancellationToken cancellationToken, long? expectedRevision = null) =>
        _work.ActAsync(ContractDrafting.InStore(storeId, contractId, expectedRevision), c => { c.RuleOnDispute(milestoneId, freelancerAmount, reason, agency, clock.GetUtcNow()); return true; }, cancellationToken);

    public Task AcceptLatePaymentAsync(string storeId, Guid contractId, string paymentId, Actor agency, CancellationToken cancellationToken, long? expectedRevision = null) =>
        _work.ActAsync(ContractDrafting.InStore(storeId, contractId, expectedRevision), c => { c.AcceptLatePayment(paymentId, agency, clock.GetUtcNow()); return true; }, cancellationToken);

    public Task RefundLatePaymentAsync(string storeId, Guid contractId, string paymentId, Actor agency, CancellationToken cancellationToken, long? expectedRevision = null) =>
        _work.ActAsync(ContractDrafting.InStore(storeId, contractId, expectedRevision), c => { c.RefundLatePayment(paymentId, agency, clock.GetUtcNow()); return true; }, cancellationToken);
}
