using BTCPayServer.HostedServices;
using BTCPayServer.Plugins.Escrow.Core.Gateway;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Services.Invoices;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>BTCPay's current state of invoices and payouts, read from its database, for reconciliation after missed events.</summary>
public sealed class BtcPayGatewayStateReader(InvoiceRepository invoices, PullPaymentHostedService pullPayments) : IGatewayStateReader
{
    public async Task<GatewayInvoiceState?> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken)
    {
        var invoice = await invoices.GetInvoice(invoiceId);
        return invoice is null ? null : BtcPayTranslation.ToGatewayState(invoice);
    }

    public async Task<IReadOnlyList<GatewayPayoutStatus>> GetPayoutsAsync(string pullPaymentId, CancellationToken cancellationToken)
    {
        // Archived too: a payout sent before its pull payment was archived was still sent.
        var payouts = await pullPayments.GetPayouts(new PullPaymentHostedService.PayoutQuery { PullPayments = [pullPaymentId], IncludeArchived = true });
        return payouts.Select(p => new GatewayPayoutStatus(p.Id, BtcPayTranslation.ToGatewayState(p.State))).ToList();
    }
}
