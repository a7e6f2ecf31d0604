using BTCPayServer.Events;
using BTCPayServer.HostedServices;
using BTCPayServer.Plugins.Escrow.Core.Amounts;
using BTCPayServer.Plugins.Escrow.Core.Funding;
using BTCPayServer.Plugins.Escrow.Core.Gateway;
using BTCPayServer.Services.Invoices;
using BtcPayExceptionStatus = BTCPayServer.Client.Models.InvoiceExceptionStatus;
using BtcPayInvoiceStatus = BTCPayServer.Client.Models.InvoiceStatus;
using BtcPayPayoutState = BTCPayServer.Client.Models.PayoutState;

namespace BTCPayServer.Plugins.Escrow.Services;

/// <summary>
/// BTCPay's invoice and payout objects in the escrow's gateway terms. Translation only: what an event means for the
/// escrow is decided by Core's <see cref="GatewayEventMapping"/>, which is tested without BTCPay.
/// </summary>
public static class BtcPayTranslation
{
    /// <summary>A live invoice event; null when the escrow does not act on it.</summary>
    public static InboundPaymentEvent? ToInboundEvent(InvoiceEvent e, DateTimeOffset at)
    {
        if (ToGatewayEvent(e.EventCode) is not { } code)
            return null;
        var invoice = e.Invoice;
        var payments = invoice.GetPayments(accountedOnly: true);
        // The event's own payment object can predate the invoice's totals; the invoice's copy of it has its amounts.
        var received = e.Payment is { } payment
            ? payments.FirstOrDefault(p => p.Id == payment.Id && p.PaymentMethodId == payment.PaymentMethodId)
            : null;
        return GatewayEventMapping.FromInvoiceEvent(code, invoice.Id, at,
            payments.Select(p => ToGatewayPayment(invoice, p)).ToList(),
            received is null ? null : ToGatewayPayment(invoice, received).Report);
    }

    /// <summary>A live payout event: BTCPay reports a payout sent, cancelled or marked as "updated".</summary>
    public static InboundPaymentEvent? ToInboundEvent(PayoutEvent e, DateTimeOffset at) =>
        e is { Type: PayoutEvent.PayoutEventType.Updated, Payout.PullPaymentDataId: { } pullPaymentId }
            ? GatewayEventMapping.FromPayoutUpdate(pullPaymentId, e.Payout.Id, ToGatewayState(e.Payout.State), at)
            : null;

    /// <summary>An invoice as it is now, for reconciliation.</summary>
    public static GatewayInvoiceState ToGatewayState(InvoiceEntity invoice) => new(
        invoice.Id,
        ToGatewayStatus(invoice.Status),
        ToGatewayExceptionStatus(invoice.ExceptionStatus),
        invoice.GetPayments(accountedOnly: true).Select(p => ToGatewayPayment(invoice, p)).ToList());

    public static GatewayPayoutState ToGatewayState(BtcPayPayoutState state) => state switch
    {
        BtcPayPayoutState.AwaitingApproval => GatewayPayoutState.AwaitingApproval,
        BtcPayPayoutState.AwaitingPayment => GatewayPayoutState.AwaitingPayment,
        BtcPayPayoutState.InProgress => GatewayPayoutState.InProgress,
        BtcPayPayoutState.Completed => GatewayPayoutState.Completed,
        BtcPayPayoutState.Cancelled => GatewayPayoutState.Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown BTCPay payout state."),
    };

    /// <summary>
    /// One accounted payment. It is late when it arrived after the deadline of an invoice that expired (or turned
    /// invalid), which is when BTCPay itself calls a payment "after expiration"; a late payment waits for the agency.
    /// </summary>
    private static GatewayPayment ToGatewayPayment(InvoiceEntity invoice, PaymentEntity payment) => new(
        new PaymentReport(
            $"{payment.PaymentMethodId}:{payment.Id}",
            Credited(payment.InvoicePaidAmount.Net, invoice.Currency),
            Crypto(payment.PaidAmount.Net, payment.Currency),
            payment.Rate,
            payment.PaymentMethodId.ToString()),
        (invoice.Status is BtcPayInvoiceStatus.Expired or BtcPayInvoiceStatus.Invalid) && payment.ReceivedTime > invoice.ExpirationTime);

    private static Money Credited(decimal amount, string currency) => GatewayAmounts.Credited(amount, currency);

    private static Money Crypto(decimal amount, string currency) => GatewayAmounts.Crypto(amount, currency);

    private static GatewayInvoiceEvent? ToGatewayEvent(InvoiceEventCode code) => code switch
    {
        InvoiceEventCode.Created => GatewayInvoiceEvent.Created,
        InvoiceEventCode.ReceivedPayment => GatewayInvoiceEvent.ReceivedPayment,
        InvoiceEventCode.PaymentSettled => GatewayInvoiceEvent.PaymentSettled,
        InvoiceEventCode.PaidInFull => GatewayInvoiceEvent.PaidInFull,
        InvoiceEventCode.Expired => GatewayInvoiceEvent.Expired,
        InvoiceEventCode.ExpiredPaidPartial => GatewayInvoiceEvent.ExpiredPaidPartial,
        InvoiceEventCode.Confirmed => GatewayInvoiceEvent.Confirmed,
        InvoiceEventCode.Completed => GatewayInvoiceEvent.Completed,
        InvoiceEventCode.MarkedCompleted => GatewayInvoiceEvent.MarkedCompleted,
        InvoiceEventCode.MarkedInvalid => GatewayInvoiceEvent.MarkedInvalid,
        InvoiceEventCode.FailedToConfirm => GatewayInvoiceEvent.FailedToConfirm,
        InvoiceEventCode.PaidAfterExpiration => GatewayInvoiceEvent.PaidAfterExpiration,
        InvoiceEventCode.Refund => GatewayInvoiceEvent.Refund,
        _ => null,
    };

    private static GatewayInvoiceStatus ToGatewayStatus(BtcPayInvoiceStatus status) => status switch
    {
        BtcPayInvoiceStatus.New => GatewayInvoiceStatus.New,
        BtcPayInvoiceStatus.Processing => GatewayInvoiceStatus.Processing,
        BtcPayInvoiceStatus.Expired => GatewayInvoiceStatus.Expired,
        BtcPayInvoiceStatus.Invalid => GatewayInvoiceStatus.Invalid,
        BtcPayInvoiceStatus.Settled => GatewayInvoiceStatus.Settled,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown BTCPay invoice status."),
    };

    private static GatewayInvoiceExceptionStatus ToGatewayExceptionStatus(BtcPayExceptionStatus status) => status switch
    {
        BtcPayExceptionStatus.None => GatewayInvoiceExceptionStatus.None,
        BtcPayExceptionStatus.PaidLate => GatewayInvoiceExceptionStatus.PaidLate,
        BtcPayExceptionStatus.PaidPartial => GatewayInvoiceExceptionStatus.PaidPartial,
        BtcPayExceptionStatus.Marked => GatewayInvoiceExceptionStatus.Marked,
        BtcPayExceptionStatus.PaidOver => GatewayInvoiceExceptionStatus.PaidOver,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown BTCPay invoice exception status."),
    };
}
