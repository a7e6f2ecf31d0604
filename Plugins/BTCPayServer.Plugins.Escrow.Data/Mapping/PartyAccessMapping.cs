using BTCPayServer.Plugins.Escrow.Core.Access;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BTCPayServer.Plugins.Escrow.Data.Mapping;

/// <summary>One link per party and contract; only the token's hash is stored, and party pages look contracts up by it.</summary>
internal sealed class PartyAccessMapping : IEntityTypeConfiguration<PartyAccess>
{
    public void Configure(EntityTypeBuilder<PartyAccess> b)
    {
        b.ToTable("PartyAccess");
        b.HasKey(a => new { a.ContractId, a.Role });
        b.HasPosition();
        b.Property(a => a.TokenHash).HasMaxLength(ValueMapping.Sha256HexLength);
        // 256-bit random tokens never collide; uniqueness makes "one hash, one contract" a guarantee, not a hope.
        b.HasIndex(a => a.TokenHash).IsUnique();
        b.Ignore(a => a.IsActive);
    }
}
