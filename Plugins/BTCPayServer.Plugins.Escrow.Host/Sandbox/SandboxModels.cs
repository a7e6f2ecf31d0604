namespace BTCPayServer.Plugins.Escrow.Host.Sandbox;

public enum SandboxInvoiceStatus
{
    New,
    Settled,
    Expired,
    Invalid,
}

/// <summary>A pretend store invoice. Amounts are decimals in <see cref="Currency"/>, the contract currency.</summary>
public sealed class SandboxInvoice
{
    public string Id { get; set; } = "";
    public string StoreId { get; set; } = "";
    public Guid ContractId { get; set; }
    public decimal Amount { get; set; }
    public string Currency { get; set; } = "";
    public string Description { get; set; } = "";
    public string RedirectUrl { get; set; } = "";
    public SandboxInvoiceStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<SandboxPayment> Payments { get; set; } = [];

    public decimal Paid => Payments.Where(p => !p.AfterExpiry).Sum(p => p.Amount);
}

public sealed class SandboxPayment
{
    public string Id { get; set; } = "";
    public string InvoiceId { get; set; } = "";
    public decimal Amount { get; set; }
    public decimal Btc { get; set; }
    public decimal Rate { get; set; }
    public string Method { get; set; } = "";
    public bool AfterExpiry { get; set; }
    public DateTime At { get; set; }
}

public enum SandboxPullPaymentStatus
{
    Open,
    Completed,
    Archived,
}

/// <summary>A pretend pull payment; <see cref="Reference"/> (the payout instruction key) is unique, so retries find it.</summary>
public sealed class SandboxPullPayment
{
    public string Id { get; set; } = "";
    public string Reference { get; set; } = "";
    public string StoreId { get; set; } = "";
    public Guid ContractId { get; set; }
    public decimal Amount { get; set; }
    public string Currency { get; set; } = "";
    public string Recipient { get; set; } = "";
    public string Description { get; set; } = "";
    public SandboxPullPaymentStatus Status { get; set; }
    public string? Destination { get; set; }
    public DateTime CreatedAt { get; set; }
}
