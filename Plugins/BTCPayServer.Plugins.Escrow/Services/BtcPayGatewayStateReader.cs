using BTCPayServer.HostedServices;
using BTCPayServer.Plugins.Escrow.Core.Gateway;
using BTCPayServer.Plugins.Escrow.Core.Ports;
using BTCPayServer.Services.Invoices;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>
/// BTCPay's current state of invoices and payouts, read from its database, for reconciliation after missed events.
/// Reconciliation reads them 100 at a time: one query for the invoices (with their payments), one for the payouts.
/// </summary>
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

    public async Task<IReadOnlyList<GatewayInvoiceState>> GetInvoicesAsync(IReadOnlyList<string> invoiceIds, CancellationToken cancellationToken)
    {
        if (invoiceIds.Count == 0)
            return [];
        var found = await invoices.GetInvoices(new InvoiceQuery { InvoiceId = [.. invoiceIds], IncludeArchived = true }, cancellationToken);
        return [.. found.Select(BtcPayTranslation.ToGatewayState)];
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<GatewayPayoutStatus>>> GetPayoutsAsync(IReadOnlyList<string> pullPaymentIds, CancellationToken cancellationToken)
    {
        if (pullPaymentIds.Count == 0)
            return new Dictionary<string, IReadOnlyList<GatewayPayoutStatus>>();
        var payouts = await pullPayments.GetPayouts(new PullPaymentHostedService.PayoutQuery { PullPayments = [.. pullPaymentIds], IncludeArchived = true });
        return payouts.GroupBy(p => p.PullPaymentDataId).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<GatewayPayoutStatus>)[.. g.Select(p => new GatewayPayoutStatus(p.Id, BtcPayTranslation.ToGatewayState(p.State)))]);
    }
}
