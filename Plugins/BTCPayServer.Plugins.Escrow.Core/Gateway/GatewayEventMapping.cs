using BTCPayServer.Plugins.Escrow.Core.Funding;

namespace BTCPayServer.Plugins.Escrow.Core.Gateway;

/// <summary>
/// Turns what BTCPay reports (live invoice and payout events, or current states read at start-up) into the escrow's
/// inbound events. BTCPay's rules, as its own webhooks apply them: settled = Confirmed or MarkedCompleted; invalid =
/// FailedToConfirm or MarkedInvalid; an expiry counts the partial payments; payments after expiry wait for the agency.
/// Event ids are derived from what happened, not from when it was delivered, so a live event and the reconciliation of
/// the same fact carry the same id and are applied once.
/// </summary>
public static class GatewayEventMapping
{
    /// <summary>A live invoice event; null for events the escrow does not act on (created, paid in full, refund...).</summary>
    public static InboundPaymentEvent? FromInvoiceEvent(GatewayInvoiceEvent code, string invoiceId, DateTimeOffset at, IReadOnlyList<GatewayPayment> invoicePayments, PaymentReport? payment = null)
    {
        var counted = invoicePayments.Where(p => !p.AfterExpiry).Select(p => p.Report).ToList();
        return code switch
        {
            GatewayInvoiceEvent.ReceivedPayment when payment is not null =>
                new InboundPaymentEvent(PaymentId(invoiceId, payment), InboundEventKind.PaymentReceived, at, invoiceId, [payment]),
            GatewayInvoiceEvent.Confirmed =>
                new InboundPaymentEvent(Settled(invoiceId), InboundEventKind.InvoiceSettled, at, invoiceId, counted),
            // A staff mark can follow an earlier opposite mark, so each mark is its own fact.
            GatewayInvoiceEvent.MarkedCompleted =>
                new InboundPaymentEvent($"{invoiceId}:marked-settled:{at.UtcTicks}", InboundEventKind.InvoiceSettled, at, invoiceId, counted),
            GatewayInvoiceEvent.Expired or GatewayInvoiceEvent.ExpiredPaidPartial =>
                new InboundPaymentEvent(Expired(invoiceId), InboundEventKind.InvoiceExpired, at, invoiceId, counted),
            GatewayInvoiceEvent.FailedToConfirm =>
                new InboundPaymentEvent(Invalid(invoiceId), InboundEventKind.InvoiceInvalid, at, invoiceId),
            GatewayInvoiceEvent.MarkedInvalid =>
                new InboundPaymentEvent($"{invoiceId}:marked-invalid:{at.UtcTicks}", InboundEventKind.InvoiceInvalid, at, invoiceId),
            GatewayInvoiceEvent.PaidAfterExpiration =>
                Late(invoiceId, at, invoicePayments),
            _ => null,
        };
    }

    /// <summary>A payout changed; only a completed payout matters to the escrow.</summary>
    public static InboundPaymentEvent? FromPayoutUpdate(string pullPaymentId, string payoutId, GatewayPayoutState state, DateTimeOffset at) =>
        state == GatewayPayoutState.Completed
            ? new InboundPaymentEvent($"payout:{payoutId}:completed", InboundEventKind.PayoutCompleted, at, PullPaymentId: pullPaymentId, PayoutId: payoutId)
            : null;

    /// <summary>
    /// The events that bring the escrow up to an invoice's current state, in the order they would have happened.
    /// Feeding them through the idempotent inbound path is harmless when nothing was missed.
    /// </summary>
    public static IReadOnlyList<InboundPaymentEvent> Reconcile(GatewayInvoiceState state, DateTimeOffset at)
    {
        var events = new List<InboundPaymentEvent>();
        var counted = state.Payments.Where(p => !p.AfterExpiry).Select(p => p.Report).ToList();
        foreach (var payment in counted)
            events.Add(new InboundPaymentEvent(PaymentId(state.InvoiceId, payment), InboundEventKind.PaymentReceived, at, state.InvoiceId, [payment]));
        switch (state.Status)
        {
            case GatewayInvoiceStatus.Settled:
                events.Add(new InboundPaymentEvent(Settled(state.InvoiceId), InboundEventKind.InvoiceSettled, at, state.InvoiceId, counted));
                break;
            case GatewayInvoiceStatus.Expired:
                events.Add(new InboundPaymentEvent(Expired(state.InvoiceId), InboundEventKind.InvoiceExpired, at, state.InvoiceId, counted));
                break;
            case GatewayInvoiceStatus.Invalid:
                events.Add(new InboundPaymentEvent(Invalid(state.InvoiceId), InboundEventKind.InvoiceInvalid, at, state.InvoiceId));
                break;
        }
        if (Late(state.InvoiceId, at, state.Payments) is { } late)
            events.Add(late);
        return events;
    }

    /// <summary>The reconciliation of a payout the escrow still waits on.</summary>
    public static InboundPaymentEvent? ReconcilePayout(string pullPaymentId, string payoutId, GatewayPayoutState state, DateTimeOffset at) =>
        FromPayoutUpdate(pullPaymentId, payoutId, state, at);

    private static InboundPaymentEvent? Late(string invoiceId, DateTimeOffset at, IReadOnlyList<GatewayPayment> payments)
    {
        var late = payments.Where(p => p.AfterExpiry).Select(p => p.Report).ToList();
        return late.Count == 0
            ? null
            : new InboundPaymentEvent($"{invoiceId}:late:{Fingerprint(late.Select(p => p.PaymentId))}", InboundEventKind.PaidAfterExpiry, at, invoiceId, late);
    }

    /// <summary>Short stable id of a set of payments (event ids stay under 200 characters however many there are).</summary>
    private static string Fingerprint(IEnumerable<string> paymentIds) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", paymentIds.Order(StringComparer.Ordinal)))))[..24];

    private static string PaymentId(string invoiceId, PaymentReport payment) => $"{invoiceId}:payment:{payment.PaymentId}";
    private static string Settled(string invoiceId) => $"{invoiceId}:settled";
    private static string Expired(string invoiceId) => $"{invoiceId}:expired";
    private static string Invalid(string invoiceId) => $"{invoiceId}:invalid";
}
