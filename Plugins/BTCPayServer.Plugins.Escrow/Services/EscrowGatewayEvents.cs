using BTCPayServer.Events;
using BTCPayServer.HostedServices;
using BTCPayServer.Plugins.Escrow.Core.Application;
using Microsoft.Extensions.Logging;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>
/// BTCPay's invoice and payout events, fed to the escrow's one inbound path. BTCPay keeps its events in memory only,
/// so the same queue also runs the reconciliation that reads the current state of everything the escrow waits on:
/// BTCPay's scheduler asks for it at start-up, once this service listens, and then every <see cref="ReconciliationInterval"/>.
/// Events and reconciliation are idempotent and run one at a time.
/// </summary>
public sealed class EscrowGatewayEvents(
    EventAggregator eventAggregator,
    PaymentEventHandler payments,
    GatewayReconciliation reconciliation,
    TimeProvider clock,
    ILogger<EscrowGatewayEvents> logger) : EventHostedServiceBase(eventAggregator, logger), IPeriodicTask
{
    public static readonly TimeSpan ReconciliationInterval = TimeSpan.FromHours(1);

    private sealed record ReconciliationRequest;

    /// <summary>Called by BTCPay's scheduler: queues a reconciliation behind the events already received.</summary>
    public Task Do(CancellationToken cancellationToken) =>
        RunEvent(new ReconciliationRequest(), cancellationToken).WaitAsync(cancellationToken);

    protected override void SubscribeToEvents()
    {
        Subscribe<InvoiceEvent>();
        Subscribe<PayoutEvent>();
    }

    protected override async Task ProcessEvent(object evt, CancellationToken cancellationToken)
    {
        var inbound = evt switch
        {
            // Every store's invoices pass here; only the escrow's funding invoices are looked at.
            InvoiceEvent e when EscrowMarks.IsFundingInvoice(e.Invoice) => BtcPayTranslation.ToInboundEvent(e, clock.GetUtcNow()),
            PayoutEvent e => BtcPayTranslation.ToInboundEvent(e, clock.GetUtcNow()),
            _ => null,
        };
        if (inbound is not null)
        {
            await payments.HandleAsync(inbound, cancellationToken);
        }
        else if (evt is ReconciliationRequest)
        {
            var report = await reconciliation.RunAsync(cancellationToken);
            if (report.EventsApplied > 0)
                Logs.PayServer.LogInformation(
                    "Escrow reconciliation: {Invoices} invoice(s) and {PullPayments} pull payment(s) checked, {Applied} missed event(s) applied",
                    report.InvoicesChecked, report.PullPaymentsChecked, report.EventsApplied);
        }
    }
}
