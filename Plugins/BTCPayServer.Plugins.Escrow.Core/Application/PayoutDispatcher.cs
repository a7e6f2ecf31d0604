using BTCPayServer.Plugins.Escrow.Core.Faults;
using BTCPayServer.Plugins.Escrow.Core.Payouts;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>
/// The outbox worker: turns queued payout instructions into pull payments. The instruction's key is passed as the
/// gateway reference, so a crash after the gateway call and before the save makes the retry find the same pull
/// payment instead of creating a second one. Failures are recorded on the instruction and retried with back-off.
/// </summary>
public sealed class PayoutDispatcher(IContractStoreFactory stores, IPaymentGateway gateway, IStoreSettingsStore settings, TimeProvider clock, IEscrowNotifier? notifier = null)
{
    public const int BatchSize = 100;
    private readonly ContractUnitOfWork _work = new(stores, notifier);

    /// <returns>How many instructions became claimable.</returns>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Guid> contractIds;
        await using (var store = stores.Open())
            contractIds = await store.FindWithDuePayoutsAsync(clock.GetUtcNow(), BatchSize, cancellationToken);
        var claimable = 0;
        foreach (var contractId in contractIds)
        {
            List<PayoutInstruction> due;
            string storeId;
            await using (var store = stores.Open())
            {
                var contract = await store.FindAsync(contractId, cancellationToken);
                // A non-custodial contract's payouts are paid by escrow spends its parties sign (EscrowChainWatcher), never by the gateway.
                if (contract is null || contract.IsNonCustodial)
                    continue;
                storeId = contract.StoreId;
                due = contract.Payouts.Where(p => p.IsDue(clock.GetUtcNow())).ToList();
                if (due.Count == 0)
                    continue;
                try
                {
                    await AuditGuard.EnsureVerifiesAsync(store, contract, cancellationToken);
                }
                catch (AuditLogBrokenException e)
                {
                    // Nothing goes to the gateway. Each instruction says why (staff see it), and the contract, now
                    // marked, is no longer picked up until the agency has investigated.
                    await RefuseAsync(due, e.Message, cancellationToken);
                    continue;
                }
            }
            var storeSettings = await settings.GetAsync(storeId, cancellationToken);
            foreach (var instruction in due)
            {
                if (await DispatchAsync(storeId, storeSettings, instruction, cancellationToken))
                    claimable++;
            }
        }
        return claimable;
    }

    private Task RefuseAsync(IReadOnlyList<PayoutInstruction> due, string why, CancellationToken cancellationToken) =>
        _work.RetryAsync((s, ct) => s.FindAsync(due[0].ContractId, ct), c =>
        {
            foreach (var instruction in due)
                c.RecordPayoutFailure(instruction.Id, why, clock.GetUtcNow());
            return true;
        }, cancellationToken);

    private async Task<bool> DispatchAsync(string storeId, Stores.StoreEscrowSettings storeSettings, PayoutInstruction instruction, CancellationToken cancellationToken)
    {
        CreatedPullPayment created;
        CrashPoints.Reach(CrashPoints.OutboxBeforeGateway);
        try
        {
            created = await gateway.CreatePullPaymentAsync(new PullPaymentRequest(
                storeId, instruction.ContractId, instruction.Key, instruction.Recipient, instruction.PayoutAmount, instruction.Description,
                storeSettings.PayoutMethods, storeSettings.AutoApproveClaims, instruction.SourceInvoiceId), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await _work.RetryAsync((s, ct) => s.FindAsync(instruction.ContractId, ct), c =>
            {
                c.RecordPayoutFailure(instruction.Id, ex.Message, clock.GetUtcNow());
                return true;
            }, cancellationToken);
            return false;
        }
        CrashPoints.Reach(CrashPoints.OutboxAfterGatewayBeforeSave);
        var recorded = await _work.RetryAsync((s, ct) => s.FindAsync(instruction.ContractId, ct), c =>
        {
            if (c.Payout(instruction.Id).Status != PayoutStatus.Queued)
                return false;
            c.MarkPayoutClaimable(instruction.Id, created.PullPaymentId, created.ClaimLink, clock.GetUtcNow());
            return true;
        }, cancellationToken) == true;
        CrashPoints.Reach(CrashPoints.OutboxAfterSave);
        return recorded;
    }
}
