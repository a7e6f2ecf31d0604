using BTCPayServer.Plugins.Escrow.Core.Contracts;
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

/// <summary>
/// The one inbound path for gateway events, shared by every host. Idempotent by event id; safe to call concurrently.
/// <para>
/// Events that arrive while earlier ones are being stored are applied together (group commit): one load for every
/// contract they touch, one transaction for all of them, each caller answered when its event is stored. Alone, an event
/// goes through exactly as before. A batch that meets a conflict with another writer is loaded and applied again; one
/// that fails otherwise (one bad event) is applied again one event at a time, each with its own retries, so one event's
/// trouble is never another's.
/// </para>
/// </summary>
public sealed class PaymentEventHandler(IContractStoreFactory stores, TimeProvider clock, IEscrowNotifier? notifier = null)
{
    /// <summary>At most this many events are stored in one transaction.</summary>
    public const int MaxBatch = 64;

    /// <summary>Batches stored at the same time (one works on the database while the next is being applied).</summary>
    public const int MaxConcurrentBatches = 2;

    private readonly ContractUnitOfWork _work = new(stores, notifier);
    private readonly Lock _gate = new();
    private readonly Queue<Pending> _queue = new();
    private int _drainers;

    public async Task<EventOutcome> HandleAsync(InboundPaymentEvent e, CancellationToken cancellationToken)
    {
        CrashPoints.Reach(CrashPoints.EventBeforeApply);
        var pending = new Pending(e);
        bool startDrainer;
        lock (_gate)
        {
            _queue.Enqueue(pending);
            startDrainer = _drainers < MaxConcurrentBatches;
            if (startDrainer)
                _drainers++;
        }
        if (startDrainer)
            _ = Task.Run(DrainAsync, CancellationToken.None);
        // Waiting can be given up; the event is still applied (it is idempotent, and the caller may send it again).
        var outcome = await pending.Done.Task.WaitAsync(cancellationToken);
        CrashPoints.Reach(CrashPoints.EventAfterApply);
        return outcome;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _drainers--;
                    return;
                }
                batch = new List<Pending>(Math.Min(_queue.Count, MaxBatch));
                while (batch.Count < MaxBatch && _queue.TryDequeue(out var next))
                    batch.Add(next);
            }
            try
            {
                await StoreAsync(batch);
            }
            catch (Exception x)
            {
                // StoreAsync answers every event itself; should it ever fail outside that, no caller is left waiting.
                foreach (var pending in batch)
                    pending.Done.TrySetException(x);
            }
        }
    }

    private async Task StoreAsync(List<Pending> batch)
    {
        // The work belongs to every caller in the batch, not to one of them: no caller's cancellation stops it.
        var cancellationToken = CancellationToken.None;
        if (batch.Count > 1)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var outcomes = await ApplyTogetherAsync(batch.Select(p => p.Event).ToList(), cancellationToken);
                    for (var i = 0; i < batch.Count; i++)
                        batch[i].Done.TrySetResult(outcomes[i]);
                    return;
                }
                catch (ConcurrencyConflictException) when (attempt < ContractUnitOfWork.MaxAttempts)
                {
                    // Another writer (a person acting, the other batch) saved one of these contracts first: nothing of
                    // the batch was stored; load them all again and apply the batch to what is stored now.
                }
                catch (Exception)
                {
                    // One bad event, or conflicts that keep coming: nothing of the batch was stored (one transaction);
                    // each event is applied on its own below, where its own failure, if any, reaches its own caller.
                    break;
                }
            }
        }
        foreach (var pending in batch)
        {
            try
            {
                pending.Done.TrySetResult(await ApplyAloneAsync(pending.Event, cancellationToken));
            }
            catch (Exception x)
            {
                pending.Done.TrySetException(x);
            }
        }
    }

    private async Task<EventOutcome> ApplyAloneAsync(InboundPaymentEvent e, CancellationToken cancellationToken)
    {
        var applied = await _work.RetryAsync((store, ct) => e.Kind == InboundEventKind.PayoutCompleted
                ? string.IsNullOrEmpty(e.PullPaymentId) ? Task.FromResult<Contract?>(null) : store.FindByPullPaymentAsync(e.PullPaymentId, ct)
                : string.IsNullOrEmpty(e.InvoiceId) ? Task.FromResult<Contract?>(null) : store.FindByInvoiceAsync(e.InvoiceId, ct),
            c => c.ApplyPaymentEvent(e, clock.GetUtcNow()), cancellationToken, checkAudit: false);
        return applied switch
        {
            null => EventOutcome.NotOurs,
            true => EventOutcome.Applied,
            false => EventOutcome.Duplicate,
        };
    }

    /// <summary>One load, the events in arrival order (several for one contract apply one after the other), one save.</summary>
    private async Task<EventOutcome[]> ApplyTogetherAsync(IReadOnlyList<InboundPaymentEvent> events, CancellationToken cancellationToken)
    {
        await using var store = stores.Open();
        var invoiceIds = events.Where(e => e.Kind != InboundEventKind.PayoutCompleted && !string.IsNullOrEmpty(e.InvoiceId)).Select(e => e.InvoiceId!).ToList();
        var pullPaymentIds = events.Where(e => e.Kind == InboundEventKind.PayoutCompleted && !string.IsNullOrEmpty(e.PullPaymentId)).Select(e => e.PullPaymentId!).ToList();
        var contracts = await store.FindByGatewayIdsAsync(invoiceIds, pullPaymentIds, cancellationToken);
        var byInvoice = new Dictionary<string, Contract>();
        var byPullPayment = new Dictionary<string, Contract>();
        foreach (var contract in contracts)
        {
            foreach (var invoice in contract.Invoices)
                byInvoice.TryAdd(invoice.InvoiceId, contract);
            foreach (var payout in contract.Payouts)
                if (payout.PullPaymentId is { } id)
                    byPullPayment.TryAdd(id, contract);
        }

        var outcomes = new EventOutcome[events.Count];
        var changed = new List<Contract>();
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var owner = e.Kind == InboundEventKind.PayoutCompleted
                ? e.PullPaymentId is { } pp ? byPullPayment.GetValueOrDefault(pp) : null
                : e.InvoiceId is { } invoice ? byInvoice.GetValueOrDefault(invoice) : null;
            if (owner is null)
            {
                outcomes[i] = EventOutcome.NotOurs;
            }
            else if (owner.ApplyPaymentEvent(e, clock.GetUtcNow()))
            {
                outcomes[i] = EventOutcome.Applied;
                if (!changed.Contains(owner))
                    changed.Add(owner);
            }
            else
            {
                outcomes[i] = EventOutcome.Duplicate;
            }
        }
        if (changed.Count > 0)
            await _work.SaveAllAndNotifyAsync(store, changed, cancellationToken);
        return outcomes;
    }

    private sealed class Pending(InboundPaymentEvent e)
    {
        public InboundPaymentEvent Event { get; } = e;

        public TaskCompletionSource<EventOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
