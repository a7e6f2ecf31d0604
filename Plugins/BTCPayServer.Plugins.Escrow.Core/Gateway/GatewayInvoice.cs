using BTCPayServer.Plugins.Escrow.Core.Funding;

namespace BTCPayServer.Plugins.Escrow.Core.Gateway;

/// <summary>BTCPay's invoice event codes, in BTCPay-free terms (same meaning as BTCPay's <c>InvoiceEventCode</c>).</summary>
public enum GatewayInvoiceEvent
{
    Created,
    ReceivedPayment,
    PaymentSettled,
    PaidInFull,
    Expired,
    ExpiredPaidPartial,
    Confirmed,
    Completed,
    MarkedCompleted,
    MarkedInvalid,
    FailedToConfirm,
    PaidAfterExpiration,
    Refund,
}

/// <summary>BTCPay's invoice status (<c>InvoiceStatus</c>).</summary>
public enum GatewayInvoiceStatus
{
    New,
    Processing,
    Expired,
    Invalid,
    Settled,
}

/// <summary>BTCPay's additional status (<c>InvoiceExceptionStatus</c>).</summary>
public enum GatewayInvoiceExceptionStatus
{
    None,
    PaidLate,
    PaidPartial,
    Marked,
    PaidOver,
}

/// <summary>A payment of an invoice as the gateway holds it; <see cref="AfterExpiry"/> marks payments received once the invoice had expired.</summary>
public sealed record GatewayPayment(PaymentReport Report, bool AfterExpiry);

/// <summary>What the gateway says an invoice is now: used to reconcile after the plugin missed events (BTCPay's are in-memory).</summary>
public sealed record GatewayInvoiceState(string InvoiceId, GatewayInvoiceStatus Status, GatewayInvoiceExceptionStatus ExceptionStatus, IReadOnlyList<GatewayPayment> Payments);

/// <summary>BTCPay's payout state (<c>PayoutState</c>).</summary>
public enum GatewayPayoutState
{
    AwaitingApproval,
    AwaitingPayment,
    InProgress,
    Completed,
    Cancelled,
}
