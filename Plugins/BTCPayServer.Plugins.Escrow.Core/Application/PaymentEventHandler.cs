using BTCPayServer.Plugins.Escrow.Core.Faults;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

public enum EventOutcome
{
    Applied,
    /// <summary>This event id was applied before; nothing changed.</summary>
    Duplicate,
    /// <summary>No contract knows the invoice or pull payment (another plugin's, or an orphan); ignored.</summary>
    NotOurs,
}

/// <summary>The one inbound path for gateway events, shared by every host. Idempotent by event id; safe to call concurrently.</summary>
public sealed class PaymentEventHandler(IContractStoreFactory stores, TimeProvider clock, IEscrowNotifier? notifier = null)
{
    private readonly ContractUnitOfWork _work = new(stores, notifier);

    public async Task<EventOutcome> HandleAsync(InboundPaymentEvent e, CancellationToken cancellationToken)
    {
        CrashPoints.Reach(CrashPoints.EventBeforeApply);
        var applied = await _work.RetryAsync((store, ct) => e.Kind == InboundEventKind.PayoutCompleted
                ? string.IsNullOrEmpty(e.PullPaymentId) ? Task.FromResult<Contracts.Contract?>(null) : store.FindByPullPaymentAsync(e.PullPaymentId, ct)
                : string.IsNullOrEmpty(e.InvoiceId) ? Task.FromResult<Contracts.Contract?>(null) : store.FindByInvoiceAsync(e.InvoiceId, ct),
            c => c.ApplyPaymentEvent(e, clock.GetUtcNow()), cancellationToken);
        CrashPoints.Reach(CrashPoints.EventAfterApply);
        return applied switch
        {
            null => EventOutcome.NotOurs,
            true => EventOutcome.Applied,
            false => EventOutcome.Duplicate,
        };
    }
}
