using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

internal sealed class EscrowIndexCounterMapping : IEntityTypeConfiguration<EscrowIndexCounterRow>
{
    public void Configure(EntityTypeBuilder<EscrowIndexCounterRow> b)
    {
        b.ToTable("EscrowIndexCounters");
        b.HasKey(r => r.StoreId);
        b.Property(r => r.StoreId).HasMaxLength(Core.Contracts.Contract.MaxStoreIdLength);
    }
}
