using BTCPayServer.Plugins.Escrow.Core.Gateway;
using BTCPayServer.Plugins.Escrow.Core.Ports;

namespace BTCPayServer.Plugins.Escrow.Core.Application;

/// <summary>Result of one reconciliation pass, for the host's log.</summary>
public sealed record ReconciliationReport(int InvoicesChecked, int PullPaymentsChecked, int EventsApplied);

/// <summary>
/// Brings the escrow up to date with the gateway after a restart: asks for the current state of everything it still
/// waits on and feeds it through the same idempotent path as live events, so nothing is counted twice.
/// </summary>
public sealed class GatewayReconciliation(IGatewayWatchList watchList, IGatewayStateReader gateway, PaymentEventHandler events, TimeProvider clock)
{
    public async Task<ReconciliationReport> RunAsync(CancellationToken cancellationToken)
    {
        var applied = 0;
        var invoices = await watchList.ListWatchedInvoicesAsync(cancellationToken);
        foreach (var invoiceId in invoices)
            applied += await ReconcileInvoiceAsync(invoiceId, cancellationToken);
        var pullPayments = await watchList.ListWatchedPullPaymentsAsync(cancellationToken);
        foreach (var pullPaymentId in pullPayments)
            applied += await ReconcilePullPaymentAsync(pullPaymentId, cancellationToken);
        return new ReconciliationReport(invoices.Count, pullPayments.Count, applied);
    }

    /// <summary>One invoice brought up to the gateway's current state (also what a host does when told it changed); answers the events applied.</summary>
    public async Task<int> ReconcileInvoiceAsync(string invoiceId, CancellationToken cancellationToken)
    {
        if (await gateway.GetInvoiceAsync(invoiceId, cancellationToken) is not { } state)
            return 0;
        var applied = 0;
        foreach (var e in GatewayEventMapping.Reconcile(state, clock.GetUtcNow()))
            applied += await events.HandleAsync(e, cancellationToken) == EventOutcome.Applied ? 1 : 0;
        return applied;
    }

    /// <summary>One pull payment's payouts brought up to the gateway's current state; answers the events applied.</summary>
    public async Task<int> ReconcilePullPaymentAsync(string pullPaymentId, CancellationToken cancellationToken)
    {
        var applied = 0;
        foreach (var payout in await gateway.GetPayoutsAsync(pullPaymentId, cancellationToken))
        {
            if (GatewayEventMapping.ReconcilePayout(pullPaymentId, payout.PayoutId, payout.State, clock.GetUtcNow()) is { } e)
                applied += await events.HandleAsync(e, cancellationToken) == EventOutcome.Applied ? 1 : 0;
        }
        return applied;
    }
}
