using BTCPayServer.Plugins.Escrow.Core.Api;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>API idempotency keys: one row per store, client and key (the key is what makes a retry a retry).</summary>
internal sealed class IdempotencyRecordMapping : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("ApiIdempotencyKeys");
        b.HasKey(r => new { r.StoreId, r.ClientId, r.Key });
        b.Property(r => r.StoreId).HasMaxLength(Core.Contracts.Contract.MaxStoreIdLength);
        b.Property(r => r.ClientId).HasMaxLength(IdempotencyRecord.MaxClientIdLength);
        b.Property(r => r.Key).HasMaxLength(IdempotencyRecord.MaxKeyLength);
        b.Property(r => r.RequestHash).HasMaxLength(64);
        b.HasIndex(r => r.CreatedAt);
        b.Ignore(r => r.IsComplete);
    }
}
