using BTCPayServer.Plugins.Escrow.Core.Amounts;

namespace BTCPayServer.Plugins.Escrow.Core.Funding;

public enum PaymentStatus
{
    /// <summary>Seen (e.g. in the mempool) but not yet final; shown, not counted.</summary>
    Received,
    /// <summary>Counted as funding and allocated.</summary>
    Counted,
    /// <summary>Arrived after the invoice expired; waits for the agency to accept or refund it.</summary>
    AwaitingAcceptance,
    /// <summary>A late payment the agency sent back.</summary>
    Refunded,
    /// <summary>The invoice turned out invalid; whatever could be taken back was.</summary>
    Invalidated,
}

/// <summary>One payment as the gateway reported it: the credited value in contract currency and what crypto arrived.</summary>
public sealed class LedgerPayment
{
    private LedgerPayment() { }

    internal LedgerPayment(Guid contractId, PaymentReport report, string invoiceId, PaymentStatus status, DateTimeOffset at)
    {
        ContractId = contractId;
        PaymentId = report.PaymentId;
        InvoiceId = invoiceId;
        Credited = report.Credited;
        Crypto = report.Crypto;
        Rate = report.Rate;
        Method = report.Method;
        Status = status;
        ReceivedAt = at;
    }

    public Guid ContractId { get; private set; }
    public string PaymentId { get; private set; } = "";
    public string InvoiceId { get; private set; } = "";
    public Money Credited { get; private set; }
    public Money Crypto { get; private set; }
    /// <summary>Contract currency per unit of crypto at the time of payment.</summary>
    public decimal Rate { get; private set; }
    public string Method { get; private set; } = "";
    public PaymentStatus Status { get; private set; }
    public DateTimeOffset ReceivedAt { get; private set; }

    /// <summary>BTC of this payment; other cryptos count zero towards a BTC-locked payout.</summary>
    public Money Btc => Crypto.Currency switch
    {
        "BTC" => Crypto,
        "SATS" => Money.Of(Crypto.Amount / 100_000_000m, "BTC"),
        _ => Money.Zero("BTC"),
    };

    internal void SetStatus(PaymentStatus status) => Status = status;
}

/// <summary>
/// Where part of a counted payment went: a milestone, or the contract's credit (milestone null). Fiat and BTC travel
/// together, so taking a payment back removes exactly what it brought, wherever it went. Credit rolled into a
/// milestone moves from the payment's credit allocation to a new milestone allocation of the same payment.
/// </summary>
public sealed class Allocation
{
    private Allocation() { }

    internal Allocation(Guid contractId, string paymentId, Guid? milestoneId, Money amount, Money btc)
    {
        Id = Guid.NewGuid();
        ContractId = contractId;
        PaymentId = paymentId;
        MilestoneId = milestoneId;
        Amount = amount;
        Btc = btc;
    }

    public Guid Id { get; private set; }
    public Guid ContractId { get; private set; }
    public string PaymentId { get; private set; } = "";
    public Guid? MilestoneId { get; private set; }
    public Money Amount { get; private set; }
    public Money Btc { get; private set; }
    /// <summary>Taken back because the payment's invoice turned out invalid: no longer received.</summary>
    public bool Reversed { get; private set; }
    /// <summary>Credit sent back to the client: still received, no longer held.</summary>
    public bool Refunded { get; private set; }

    public bool IsCredit => MilestoneId is null;
    /// <summary>Credit the escrow still holds for the client.</summary>
    public bool IsHeldCredit => IsCredit && !Reversed && !Refunded;

    internal void Reverse() => Reversed = true;

    internal void MarkRefunded() => Refunded = true;

    /// <summary>Moves part of this credit (fiat with the BTC in proportion) to a milestone; returns the BTC moved.</summary>
    internal Money TakeCredit(Money part)
    {
        var btc = part == Amount ? Btc : Btc.MultiplyDown(part.Amount / Amount.Amount);
        Amount -= part;
        Btc -= btc;
        return btc;
    }
}
