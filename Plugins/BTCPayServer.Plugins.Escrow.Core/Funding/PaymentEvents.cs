using BTCPayServer.Plugins.Escrow.Core.Amounts;

namespace BTCPayServer.Plugins.Escrow.Core.Funding;

/// <summary>A payment as the gateway reports it. <see cref="Credited"/> is in the invoice (= contract) currency.</summary>
public sealed record PaymentReport(string PaymentId, Money Credited, Money Crypto, decimal Rate, string Method);

public enum InboundEventKind
{
    /// <summary>A payment was seen; not final yet.</summary>
    PaymentReceived,
    /// <summary>The invoice is paid and confirmed; its payments count.</summary>
    InvoiceSettled,
    /// <summary>The invoice expired; any partial payments listed count.</summary>
    InvoiceExpired,
    /// <summary>The invoice failed to confirm or was marked invalid.</summary>
    InvoiceInvalid,
    /// <summary>Payments arrived after the invoice expired; recorded, not counted until the agency accepts them.</summary>
    PaidAfterExpiry,
    /// <summary>A pull payment's payout was sent to the recipient.</summary>
    PayoutCompleted,
}

/// <summary>
/// One event from the payment gateway, in BTCPay-free terms. <see cref="EventId"/> identifies the event itself:
/// the same id delivered twice is processed once.
/// </summary>
public sealed record InboundPaymentEvent(
    string EventId,
    InboundEventKind Kind,
    DateTimeOffset OccurredAt,
    string? InvoiceId = null,
    IReadOnlyList<PaymentReport>? Payments = null,
    string? PullPaymentId = null,
    string? PayoutId = null)
{
    public IReadOnlyList<PaymentReport> PaymentList => Payments ?? [];
}

/// <summary>The identity of an event already applied to a contract; its key is unique in storage.</summary>
public sealed class ProcessedEvent
{
    private ProcessedEvent() { }

    internal ProcessedEvent(Guid contractId, string eventId, InboundEventKind kind, DateTimeOffset at)
    {
        ContractId = contractId;
        EventId = eventId;
        Kind = kind;
        ProcessedAt = at;
    }

    public Guid ContractId { get; private set; }
    public string EventId { get; private set; } = "";
    public InboundEventKind Kind { get; private set; }
    public DateTimeOffset ProcessedAt { get; private set; }
}
