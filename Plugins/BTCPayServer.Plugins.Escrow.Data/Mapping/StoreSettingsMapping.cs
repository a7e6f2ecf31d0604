using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

internal sealed class StoreSettingsMapping : IEntityTypeConfiguration<StoreSettingsRow>
{
    public void Configure(EntityTypeBuilder<StoreSettingsRow> b)
    {
        b.ToTable("StoreSettings");
        b.HasKey(r => r.StoreId);
        b.Property(r => r.StoreId).HasMaxLength(Core.Contracts.Contract.MaxStoreIdLength);
    }
}
