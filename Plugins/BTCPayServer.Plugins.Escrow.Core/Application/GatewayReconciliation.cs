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
        {
            if (await gateway.GetInvoiceAsync(invoiceId, cancellationToken) is not { } state)
                continue;
            foreach (var e in GatewayEventMapping.Reconcile(state, clock.GetUtcNow()))
                applied += await events.HandleAsync(e, cancellationToken) == EventOutcome.Applied ? 1 : 0;
        }
        var pullPayments = await watchList.ListWatchedPullPaymentsAsync(cancellationToken);
        foreach (var pullPaymentId in pullPayments)
        {
            foreach (var payout in await gateway.GetPayoutsAsync(pullPaymentId, cancellationToken))
            {
                if (GatewayEventMapping.ReconcilePayout(pullPaymentId, payout.PayoutId, payout.State, clock.GetUtcNow()) is { } e)
                    applied += await events.HandleAsync(e, cancellationToken) == EventOutcome.Applied ? 1 : 0;
            }
        }
        return new ReconciliationReport(invoices.Count, pullPayments.Count, applied);
    }
}
