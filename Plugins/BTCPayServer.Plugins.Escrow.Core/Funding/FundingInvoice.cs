using BTCPayServer.Plugins.Escrow.Core.Amounts;

namespace BTCPayServer.Plugins.Escrow.Core.Funding;

public enum InvoiceStatus
{
    New,
    Settled,
    Expired,
    Invalid,
}

/// <summary>A store invoice the client was sent to, covering one or more milestones.</summary>
public sealed class FundingInvoice
{
    private FundingInvoice() { }

    internal FundingInvoice(Guid contractId, string invoiceId, IReadOnlyList<Guid> milestoneIds, Money amount, string checkoutLink, DateTimeOffset at)
    {
        InvoiceId = invoiceId;
        ContractId = contractId;
        MilestoneIds = [.. milestoneIds];
        Amount = amount;
        CheckoutLink = checkoutLink;
        CreatedAt = at;
    }

    public string InvoiceId { get; private set; } = "";
    public Guid ContractId { get; private set; }
    /// <summary>Milestones this invoice pays for, in the order payments fill them.</summary>
    public List<Guid> MilestoneIds { get; private set; } = [];
    public Money Amount { get; private set; }
    public string CheckoutLink { get; private set; } = "";
    public InvoiceStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }

    /// <summary>An invoice that can still take ordinary (counted) payments.</summary>
    public bool IsOpen => Status == InvoiceStatus.New;

    internal void Close(InvoiceStatus status, DateTimeOffset at)
    {
        Status = status;
        ClosedAt ??= at;
    }
}
