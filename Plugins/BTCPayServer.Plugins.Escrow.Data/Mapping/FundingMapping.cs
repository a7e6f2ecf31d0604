using BTCPayServer.Plugins.Escrow.Core.Funding;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>Invoice ids come from the gateway and route its events to one contract, so they are unique everywhere.</summary>
internal sealed class FundingInvoiceMapping : IEntityTypeConfiguration<FundingInvoice>
{
    public void Configure(EntityTypeBuilder<FundingInvoice> b)
    {
        b.ToTable("FundingInvoices");
        b.HasKey(i => i.InvoiceId);
        b.HasPosition();
        b.ComplexProperty(i => i.Amount, ValueMapping.Money);
        // MilestoneIds is a primitive collection: a uuid[] on PostgreSQL, a JSON array on SQLite.
        b.Ignore(i => i.IsOpen);
    }
}

/// <summary>A payment id is unique within its contract's ledger; the gateway may reuse ids across stores.</summary>
internal sealed class LedgerPaymentMapping : IEntityTypeConfiguration<LedgerPayment>
{
    public void Configure(EntityTypeBuilder<LedgerPayment> b)
    {
        b.ToTable("LedgerPayments");
        b.HasKey(p => new { p.ContractId, p.PaymentId });
        b.HasPosition();
        b.ComplexProperty(p => p.Credited, ValueMapping.Money);
        b.ComplexProperty(p => p.Crypto, ValueMapping.Money);
        // A rate is informational (the credited amount is what counts); 12 decimals keep sat-per-fiat rates exact enough.
        b.Property(p => p.Rate).HasPrecision(ValueMapping.AmountPrecision, 12);
        b.Ignore(p => p.Btc);
    }
}

internal sealed class AllocationMapping : IEntityTypeConfiguration<Allocation>
{
    public void Configure(EntityTypeBuilder<Allocation> b)
    {
        b.ToTable("Allocations");
        b.HasKey(a => a.Id);
        b.Property(a => a.Id).ValueGeneratedNever();
        b.HasPosition();
        b.ComplexProperty(a => a.Amount, ValueMapping.Money);
        b.ComplexProperty(a => a.Btc, ValueMapping.Money);
    }
}

/// <summary>
/// The idempotency record of inbound events. Its primary key is the event id across all contracts, so two writers
/// applying the same event cannot both commit: the second fails and is reported as a concurrency conflict.
/// </summary>
internal sealed class ProcessedEventMapping : IEntityTypeConfiguration<ProcessedEvent>
{
    public const int MaxEventIdLength = 200;

    public void Configure(EntityTypeBuilder<ProcessedEvent> b)
    {
        b.ToTable("ProcessedEvents");
        b.HasKey(e => e.EventId);
        b.Property(e => e.EventId).HasMaxLength(MaxEventIdLength);
        b.HasPosition();
    }
}
