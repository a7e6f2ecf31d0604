using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Gateway;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>Result of one reconciliation pass, for the host's log.</summary>
public sealed record ReconciliationReport(int InvoicesChecked, int PullPaymentsChecked, int EventsApplied);

/// <summary>
/// Brings the escrow up to date with the gateway after a restart: asks for the current state of everything it still
/// waits on and feeds it through the same idempotent path as live events, so nothing is counted twice.
/// <para>
/// It scales with what changed, not with what is watched: the gateway is read <see cref="BatchSize"/> invoices (or pull
/// payments) at a time, the events their states stand for are checked against the applied ones in one query per batch,
/// and only events not applied yet reach the handler, which is the only step that loads a contract.
/// </para>
/// </summary>
public sealed class GatewayReconciliation(IGatewayWatchList watchList, IGatewayStateReader gateway, PaymentEventHandler events, TimeProvider clock)
{
    public const int BatchSize = 100;

    public async Task<ReconciliationReport> RunAsync(CancellationToken cancellationToken)
    {
        var applied = 0;
        var invoices = await watchList.ListWatchedInvoicesAsync(cancellationToken);
        foreach (var batch in invoices.Chunk(BatchSize))
        {
            var states = await gateway.GetInvoicesAsync(batch, cancellationToken);
            var now = clock.GetUtcNow();
            applied += await ApplyNewAsync([.. states.SelectMany(state => GatewayEventMapping.Reconcile(state, now))], cancellationToken);
        }
        var pullPayments = await watchList.ListWatchedPullPaymentsAsync(cancellationToken);
        foreach (var batch in pullPayments.Chunk(BatchSize))
        {
            var payouts = await gateway.GetPayoutsAsync(batch, cancellationToken);
            applied += await ApplyNewAsync([.. PayoutEvents(payouts)], cancellationToken);
        }
        return new ReconciliationReport(invoices.Count, pullPayments.Count, applied);
    }

    /// <summary>One invoice brought up to the gateway's current state (also what a host does when told it changed); answers the events applied.</summary>
    public async Task<int> ReconcileInvoiceAsync(string invoiceId, CancellationToken cancellationToken) =>
        await gateway.GetInvoiceAsync(invoiceId, cancellationToken) is { } state
            ? await ApplyNewAsync(GatewayEventMapping.Reconcile(state, clock.GetUtcNow()), cancellationToken)
            : 0;

    /// <summary>One pull payment's payouts brought up to the gateway's current state; answers the events applied.</summary>
    public async Task<int> ReconcilePullPaymentAsync(string pullPaymentId, CancellationToken cancellationToken) =>
        await ApplyNewAsync([.. PayoutEvents(new Dictionary<string, IReadOnlyList<GatewayPayoutStatus>>
        {
            [pullPaymentId] = await gateway.GetPayoutsAsync(pullPaymentId, cancellationToken),
        })], cancellationToken);

    private IEnumerable<InboundPaymentEvent> PayoutEvents(IReadOnlyDictionary<string, IReadOnlyList<GatewayPayoutStatus>> payouts)
    {
        var now = clock.GetUtcNow();
        foreach (var (pullPaymentId, statuses) in payouts)
            foreach (var payout in statuses)
                if (GatewayEventMapping.ReconcilePayout(pullPaymentId, payout.PayoutId, payout.State, now) is { } e)
                    yield return e;
    }

    /// <summary>The events not applied yet, in their order; the handler would find the others duplicates, after loading their contracts.</summary>
    private async Task<int> ApplyNewAsync(IReadOnlyList<InboundPaymentEvent> candidates, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
            return 0;
        var done = await watchList.FindAppliedEventsAsync([.. candidates.Select(e => e.EventId)], cancellationToken);
        return await ApplyAsync([.. candidates.Where(e => !done.Contains(e.EventId))], cancellationToken);
    }

    private async Task<int> ApplyAsync(IReadOnlyList<InboundPaymentEvent> toApply, CancellationToken cancellationToken)
    {
        var applied = 0;
        foreach (var e in toApply)
            applied += await events.HandleAsync(e, cancellationToken) == EventOutcome.Applied ? 1 : 0;
        return applied;
    }
}
