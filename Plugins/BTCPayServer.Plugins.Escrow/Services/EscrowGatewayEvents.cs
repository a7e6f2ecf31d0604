using BTCPayServer.Events;
using BTCPayServer.HostedServices;
using BTCPayServer.Plugins.Escrow.Core.Application;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using Microsoft.Extensions.Logging;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>
/// BTCPay's invoice and payout events, fed to the escrow's one inbound path. BTCPay keeps its events in memory only,
/// so the same queue also runs the reconciliation that reads the current state of everything the escrow waits on:
/// BTCPay's scheduler asks for it at start-up, once this service listens, and then every <see cref="ReconciliationInterval"/>.
/// Events and reconciliation are idempotent; events are handed to the inbound path as they come, reconciliation runs one at a time.
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

    private async Task HandOverAsync(InboundPaymentEvent inbound)
    {
        try
        {
            await payments.HandleAsync(inbound, CancellationToken.None);
        }
        catch (Exception e)
        {
            Logs.PayServer.LogWarning(e, "Escrow: payment event {EventId} could not be applied; reconciliation will retry it", inbound.EventId);
        }
    }

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
            // Handed over, not awaited: events that arrive together (a block confirming many invoices) are then stored
            // together, in one transaction (see PaymentEventHandler). A failure is logged; the start-up and hourly
            // reconciliation reads the same fact back from BTCPay, so nothing is lost by not waiting here.
            _ = HandOverAsync(inbound);
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
