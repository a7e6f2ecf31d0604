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
